"""Fixtures of the web view's tests: a store filled by two real `nianbao run`s against the demo portal
(and the probe portal), `nianbao serve` on a free port, and headless Chromium driven by playwright.

Chromium is required: when it is missing the browser tests fail with a message saying how to install
it (CI installs it), they never skip.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import BrowserContext, Dialog, Page, Playwright

from crawler.demo_portal import DemoPortal
from tests.web.probe_portal import ProbePortal

CHROMIUM = Path(os.environ.get("NIANBAO_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "_artifacts"
"""Screenshots for people to look at (git-ignored)."""


def nianbao(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run the `nianbao` command line in a child process."""
    return subprocess.run(
        [sys.executable, "-m", "nianbao.cli", *args], capture_output=True, text=True,
        timeout=timeout, check=False
    )


@dataclass(frozen=True)
class WebStore:
    """The store the tests browse, and a plain sqlite3 connection to check the pages against."""

    root: Path

    @property
    def db(self) -> Path:
        return self.root / "nianbao.db"

    def sql(self, query: str, *params: object) -> list[tuple]:
        """Rows of a query run directly on the database (independent of the web view's code)."""
        with sqlite3.connect(f"file:{self.db}?mode=ro", uri=True) as con:
            return con.execute(query, params).fetchall()


CURRENT = """
    WITH cur AS (
        SELECT rs.site_id, MAX(rs.run_id) AS run_id FROM run_sites rs JOIN runs r ON r.id = rs.run_id
        WHERE r.kind = 'run' AND rs.status = 'done' GROUP BY rs.site_id
    )
"""
"""Each site's latest finished run, for the tests' own queries."""


@pytest.fixture(scope="session")
def web_store(tmp_path_factory: pytest.TempPathFactory) -> WebStore:
    """Two real runs: the second after the demo portal revised a report and the probe fixed one."""
    folder = tmp_path_factory.mktemp("web")
    store = folder / "data"
    with DemoPortal(slow_seconds=0.05) as portal, ProbePortal(portal.base_year - 1) as probe:
        sites = folder / "sites.toml"
        sites.write_text(portal.sites_toml(delay=0.05) + probe.sites_block(), encoding="utf-8")

        def run(n: int) -> None:
            done = nianbao("run", "--sites", str(sites), "--store", str(store), "--out",
                           str(folder / f"out{n}"))
            assert done.returncode == 0, done.stderr

        run(1)
        portal.revise()
        probe.fix()
        run(2)
    return WebStore(store)


def asgi_get(app: Any, *paths: str) -> list[httpx.Response]:
    """GET ``paths`` from an ASGI app in-process (in a thread of its own: the browser tests keep an
    event loop running in the main thread)."""

    async def fetch() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return [await client.get(p) for p in paths]

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, fetch()).result()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Server:
    """`nianbao serve` as started by the tests."""

    url: str
    port: int
    pid: int


@pytest.fixture(scope="session")
def server(web_store: WebStore) -> Iterator[Server]:
    """`nianbao serve --port N --store DIR` (no --host: the default must be 127.0.0.1)."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "nianbao.cli", "serve", "--port", str(port), "--store", str(web_store.root)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(url + "/", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"nianbao serve did not start: {proc.stderr.read() if proc.stderr else ''}")
        time.sleep(0.2)
    yield Server(url, port, proc.pid)
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    """Playwright, after checking that Chromium is there: a missing Chromium fails, it never skips.

    Package-scoped: the sync API keeps an event loop running in the main thread while it is open, so
    tests of other packages run after tests/web (asyncio.run in the crawler) must not find it still open."""
    if not CHROMIUM.is_file():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: the web view's browser tests need it. Install it with "
            "`apt-get install -y chromium` (or set NIANBAO_CHROMIUM to its path).",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        yield pw


def launch(pw: Playwright, profile: Path, **options: Any) -> BrowserContext:
    """Headless Debian Chromium with a fresh profile folder and the flags the closed network needs."""
    return pw.chromium.launch_persistent_context(
        str(profile),
        executable_path=str(CHROMIUM),
        headless=True,
        args=CHROMIUM_FLAGS,
        viewport={"width": 1400, "height": 900},
        locale="zh-CN",
        **options,
    )


@pytest.fixture(scope="package")
def browser(playwright: Playwright, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    """The browser context the page tests share."""
    context = launch(playwright, tmp_path_factory.mktemp("chromium-profile"), accept_downloads=True)
    yield context
    context.close()


@pytest.fixture
def page(browser: BrowserContext) -> Iterator[Page]:
    """A fresh tab; at the end, the pages it showed must have logged no error (a resource blocked by the
    security policy — inline script or style — or one that failed to load)."""
    tab = browser.new_page()
    errors: list[str] = []
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    yield tab
    tab.close()
    assert errors == []


@pytest.fixture
def dialogs(page: Page) -> list[str]:
    """The messages of every JavaScript dialog the tab opens (an injected alert() would show up here)."""
    seen: list[str] = []

    def record(dialog: Dialog) -> None:
        seen.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record)
    return seen
