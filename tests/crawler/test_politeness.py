"""Per-host rate limits measured on the server side: each host is held to its delay, one request at a
time, while several hosts are crawled side by side."""

from __future__ import annotations

import itertools
import time
from dataclasses import replace
from pathlib import Path

from auditor.store import Store
from crawler import service
from crawler.demo_portal import DemoPortal, Hit
from crawler.settings import CrawlSettings
from tests.crawler.support import BASE_YEAR, FAST, sites_file

DELAY = 0.3


def gaps(hits: list[Hit]) -> list[float]:
    starts = sorted(h.at for h in hits)
    return [b - a for a, b in itertools.pairwise(starts)]


def test_each_host_is_held_to_its_delay_while_hosts_run_in_parallel(tmp_path: Path) -> None:
    with DemoPortal(base_year=BASE_YEAR) as one, DemoPortal(host="127.0.0.2", base_year=BASE_YEAR) as two:
        settings = CrawlSettings.from_mapping(
            {**FAST, "delay": DELAY, "jitter": 0.2, "allow_private": ["127.0.0.1", "127.0.0.2"]}
        )
        dept = next(s for s in sites_file(one).sites if s.id == "demo-dept")
        other = replace(next(s for s in sites_file(two).sites if s.id == "demo-dept"), id="demo-dept-2")
        both = replace(sites_file(one), sites=(dept, other), settings=settings)
        store = Store.open(tmp_path / "store")
        started = time.monotonic()
        service.crawl(both, store, options=service.Options())
        elapsed = time.monotonic() - started
    for portal in (one, two):
        assert len(portal.hits) == 7  # robots.txt, two listing pages, three documents, one attachment
        assert min(gaps(portal.hits)) >= DELAY, "a host got requests faster than its delay"
    serial = sum(sum(gaps(p.hits)) for p in (one, two))
    assert elapsed < serial * 0.75, "the two hosts were crawled one after the other"
