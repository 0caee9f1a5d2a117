"""The crawler against a hostile portal (tests/crawler/hostile_portal.py): it completes, keeps the
ordinary report, and bounds every hostile page — a huge Crawl-delay (capped, logged), a pager claiming
10⁵ and 10⁹ pages, a slow-loris page, redirects to private addresses wrapped in NAT64, 6to4 and
IPv4-mapped forms — and SIGTERM stops `crawl` and `schedule` promptly even inside a long wait."""

from __future__ import annotations

import itertools
import logging
import os
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest

from auditor.store import Store, queries
from crawler import service
from crawler.sites import parse_sites
from tests.crawler.hostile_portal import LISTING, HostilePortal
from tests.crawler.support import TODAY

SETTINGS = """delay = 0.01
jitter = 0.0
backoff = 0.01
retries = 3
timeout = 1.5
response_budget = 2.5
max_listing_pages = 5
max_crawl_delay = 0.3
seed = 1"""


def test_the_crawl_completes_against_every_hostile_page(tmp_path: Path,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    with HostilePortal() as portal:
        sites = parse_sites(tomllib.loads(portal.sites_toml(SETTINGS)))
        store = Store.open(tmp_path / "store")
        started = time.monotonic()
        with caplog.at_level(logging.WARNING, logger="nianbao.crawler.fetch"):
            outcome = service.run(sites, store, tmp_path / "out", options=service.Options(today=TODAY))
        elapsed = time.monotonic() - started
        slow_hits = portal.paths("/ndbg/slow.html")
        times = sorted(at for at, path in portal.hits if path != "/robots.txt")
    crawl = outcome.sites[0].crawl
    assert outcome.status == "done" and elapsed < 40

    assert len(crawl.listing_pages) == 5, (
        "a pager claiming 10⁵ (and 10⁹) pages is read up to max_listing_pages")
    assert [d.url.rsplit("/", 1)[1] for d in crawl.documents] == ["report.html"]
    assert outcome.sites[0].audited == 1 and (tmp_path / "out" / "findings.json").exists()

    broken = {b.url.rsplit("/", 1)[1]: b.reason for b in crawl.broken}
    assert len(slow_hits) == 2, "the slow-loris page gets one retry within its 2.5 s response budget"
    assert "响应总时限" in broken["slow.html"]
    assert "169.254.169.254" in broken["nat64.html"] and "64:ff9b::a9fe:a9fe" in broken["nat64.html"]
    assert "10.0.0.1" in broken["6to4.html"] and "拒绝访问内网或本机地址" in broken["6to4.html"]
    assert "169.254.169.254" in broken["mapped.html"]

    capped = [r for r in caplog.records if getattr(r, "event", None) == "crawl_delay_capped"]
    assert len(capped) == 1 and capped[0].requested == 3600 and capped[0].applied == 0.3  # type: ignore[attr-defined]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= 0.25, "the capped Crawl-delay still spaces the requests (0.3 s, less arrival jitter)"


def _start(tmp_path: Path, portal: HostilePortal, command: str, settings: str) -> subprocess.Popen[str]:
    sites = tmp_path / "sites.toml"
    sites.write_text(portal.sites_toml(settings), encoding="utf-8")
    argv = [sys.executable, "-m", "nianbao.cli", command, "--sites", str(sites), "--store",
            str(tmp_path / "store")]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)


def _stop_inside_the_wait(proc: subprocess.Popen[str], portal: HostilePortal, path: str) -> tuple[float, str]:
    deadline = time.monotonic() + 60
    while not portal.paths(path):
        assert proc.poll() is None, proc.communicate()[1]
        assert time.monotonic() < deadline, "the crawl never reached the hostile page"
        time.sleep(0.05)
    time.sleep(1.0)  # now inside the wait (or the trickling response)
    assert proc.poll() is None
    sent = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    try:
        _, stderr = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    return time.monotonic() - sent, stderr


@pytest.mark.parametrize(("crawl_delay", "mode", "waiting_after"), [
    ("3600", "pager", "/ndbg/index.html"),           # the politeness gap after the first listing page
    ("0", "retry-after", "/ndbg/index.html"),         # a 429 asking to come back in 500 s
    ("0", "slow", "/ndbg/index.html"),                # a response that never completes
])
def test_sigterm_stops_a_crawl_inside_any_wait(tmp_path: Path, crawl_delay: str, mode: str,
                                               waiting_after: str) -> None:
    settings = "delay = 0.01\njitter = 0.0\nmax_crawl_delay = 3600\ntimeout = 600\nresponse_budget = 1200"
    with HostilePortal(crawl_delay=crawl_delay, listing_mode=mode) as portal:
        proc = _start(tmp_path, portal, "crawl", settings)
        took, stderr = _stop_inside_the_wait(proc, portal, waiting_after)
    assert proc.returncode == 130, stderr
    assert took < 10, f"SIGTERM took {took:.1f} s to stop the crawl"
    assert "中断" in stderr and "Traceback" not in stderr
    store = Store.open(tmp_path / "store")
    assert [r.status for r in queries.runs(store)] == ["interrupted"]


def test_sigterm_stops_the_scheduler_inside_a_crawl_delay(tmp_path: Path) -> None:
    settings = "delay = 0.01\njitter = 0.0\nmax_crawl_delay = 3600"
    with HostilePortal(crawl_delay="3600") as portal:
        proc = _start(tmp_path, portal, "schedule", settings)
        took, stderr = _stop_inside_the_wait(proc, portal, LISTING)
    assert proc.returncode == 0, stderr
    assert took < 10, f"SIGTERM took {took:.1f} s to stop the service"
    assert "scheduler_stopped" in stderr and "Traceback" not in stderr
    store = Store.open(tmp_path / "store")
    assert queries.runs(store, status="running") == []
