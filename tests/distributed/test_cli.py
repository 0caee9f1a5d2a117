"""The commands: `nianbao worker`, `run --distributed` and `schedule --distributed`, configured by URL
in the sites file's [crawler] table; and the order in which the URLs are taken."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from auditor.store import Store
from auditor.store.schema import RunRow
from crawler.demo_portal import DEPT_LISTING, GOV_LISTING, DemoPortal
from crawler.distributed import coordinator
from crawler.distributed.config import Endpoints, database_url, redacted
from crawler.settings import CrawlSettings
from tests.crawler.support import BASE_YEAR
from tests.distributed.servers import free_port
from tests.distributed.test_workers import FAST_REDELIVERY

pytestmark = pytest.mark.timeout(300)

NIANBAO = str(Path(sys.executable).parent / "nianbao")


@pytest.fixture
def sites(tmp_path: Path, redis_url: str, database_url: str) -> Iterator[Path]:
    """A sites file naming the broker and the store database, for the demo portal's two columns."""
    with DemoPortal(base_year=BASE_YEAR, slow_seconds=0.05) as portal:
        path = tmp_path / "sites.toml"
        path.write_text(
            f'[crawler]\ndelay = 0.05\njitter = 0.0\nbackoff = 0.05\nallow_private = ["127.0.0.1"]\n'
            f'redis_url = "{redis_url}"\ndatabase_url = "{database_url}"\n\n'
            f'[[site]]\nid = "gov"\nname = "青山区人民政府"\nstart_urls = ["{portal.url(GOV_LISTING)}"]\n'
            f'level = "government"\nschedule = "*/2 * * * * *"\n\n'
            f'[[site]]\nid = "dept"\nname = "青山区财政局"\nstart_urls = ["{portal.url(DEPT_LISTING)}"]\n'
            f'level = "department"\nschedule = "0 3 * * *"\n', encoding="utf-8")
        yield path


@pytest.fixture
def worker(sites: Path, tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """One `nianbao worker` that finds Redis and PostgreSQL through the sites file."""
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL", "NIANBAO_REDIS_URL",
                                                            "NIANBAO_DATABASE_URL")}
    with (tmp_path / "worker.log").open("wb") as log:
        process = subprocess.Popen([NIANBAO, "worker", "--sites", str(sites), "--store",
                                    str(tmp_path / "store"),
                                    "--threads", "2"], stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True, env={**env, **FAST_REDELIVERY})
    yield process
    process.send_signal(signal.SIGTERM)
    process.wait(30)


def test_run_distributed_writes_the_outputs(sites: Path, worker: subprocess.Popen[bytes],
                                            tmp_path: Path) -> None:
    done = subprocess.run([NIANBAO, "run", "--distributed", "--sites", str(sites),
                           "--out", str(tmp_path / "out"),
                           "--store", str(tmp_path / "coordinator"), "--timeout", "180"],
                          check=False, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr
    assert "（分布式，done）" in done.stderr and "gov: 栏目页 3" in done.stderr
    findings = json.loads((tmp_path / "out" / "findings.json").read_text("utf-8"))
    rules = {f["rule_id"] for r in findings["reports"] for f in r["findings"]}
    assert {"PUB-001", "PUB-002", "PUB-005"} <= rules
    summary = json.loads((tmp_path / "out" / "run.json").read_text("utf-8"))
    assert [s["site"] for s in summary["sites"]] == ["gov", "dept"]


def test_schedule_distributed_enqueues_due_sites(sites: Path, worker: subprocess.Popen[bytes],
                                                 tmp_path: Path, database_url: str) -> None:
    service = subprocess.Popen([NIANBAO, "schedule", "--distributed", "--sites", str(sites),
                                "--store", str(tmp_path / "scheduler")], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    store = Store.open(tmp_path / "reader", database_url)
    try:
        deadline, finished = time.monotonic() + 120, []
        while time.monotonic() < deadline and not finished:
            time.sleep(0.5)
            with store.reader() as s:
                finished = list(s.scalars(select(RunRow).where(RunRow.status == "done")))
        assert finished, "a due site was enqueued by the scheduler and run by the worker"
        outcome = coordinator.collect(store, finished[0].id)
        assert [s.site_id for s in outcome.sites] == ["gov"], "only the due site (every 2 s) ran"
        assert outcome.results and finished[0].pid is None
    finally:
        os.killpg(service.pid, signal.SIGTERM)
        service.wait(30)
        store.close()


def test_urls_from_the_command_line_the_environment_then_the_sites_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("REDIS_URL", "DATABASE_URL", "NIANBAO_REDIS_URL", "NIANBAO_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    settings = CrawlSettings(redis_url="redis://file:6379/0", database_url="postgresql://file/db")
    assert Endpoints.resolve(settings).redis_url == "redis://file:6379/0"
    assert Endpoints.resolve(settings).database_url == "postgresql+psycopg://file/db"
    monkeypatch.setenv("REDIS_URL", "redis://env:6379/1")
    monkeypatch.setenv("DATABASE_URL", "postgres://env/db")
    assert Endpoints.resolve(settings).redis_url == "redis://env:6379/1"
    assert Endpoints.resolve(settings).database_url == "postgresql+psycopg://env/db"
    chosen = Endpoints.resolve(settings, redis_url="redis://cli:1/2", db_url="sqlite:///x.db")
    assert (chosen.redis_url, chosen.database_url) == ("redis://cli:1/2", "sqlite:///x.db")
    assert Endpoints.resolve().redis_url == "redis://env:6379/1"
    monkeypatch.delenv("REDIS_URL")
    assert Endpoints.resolve().redis_url == "redis://127.0.0.1:6379/0"
    assert database_url("postgresql+psycopg://a/b") == "postgresql+psycopg://a/b"
    assert redacted("redis://:secret@broker:6379/0") == "redis://:***@broker:6379/0"


def test_unreachable_redis_is_one_line_reason(tmp_path: Path, database_url: str) -> None:
    path = tmp_path / "sites.toml"
    path.write_text('[[site]]\nid = "a"\nname = "甲"\nstart_urls = ["http://127.0.0.1:9/"]\n',
                    encoding="utf-8")
    done = subprocess.run([NIANBAO, "run", "--distributed", "--sites", str(path),
                           "--store", str(tmp_path / "s"),
                           "--db", database_url, "--redis", f"redis://:pw@127.0.0.1:{free_port()}/0"],
                          check=False, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "无法连接消息队列 redis://:***@127.0.0.1:" in done.stderr and "Traceback" not in done.stderr
    store = Store.open(tmp_path / "s", database_url)
    with store.reader() as s:
        assert s.scalars(select(RunRow)).all() == [], "no run is left open without its tasks"
    store.close()
