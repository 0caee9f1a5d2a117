"""Crawl throughput against local demo portals.

1. Politeness lifted (no delay, a few requests in flight per host): pages per second for one host,
   the full pipeline included (fetch, parse, blobs and captures written to a temporary store).
2. Politeness on (a per-host delay, one request at a time) across 1, 2, 4 … hosts on different loopback
   addresses: each host is held to its limit while the total grows with the number of hosts.

Run:  uv run python bench/crawl_throughput.py [--pages 600] [--hosts 8] [--delay 0.1]
Only loopback addresses (127.0.0.x) are contacted.
"""

from __future__ import annotations

import argparse
import itertools
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from auditor.store import Store
from crawler import service
from crawler.demo_portal import BULK_LISTING, DemoPortal
from crawler.settings import FAST, CrawlSettings
from crawler.sites import Site, SitesFile


def bulk_site(portal: DemoPortal, index: int) -> Site:
    return Site(id=f"bulk-{index}", name="青山区各单位", start_urls=(portal.url(BULK_LISTING),),
                level="department", allowed_hosts=(portal.host,))


def crawl(portals: list[DemoPortal], settings: CrawlSettings) -> tuple[float, int]:
    """Crawl the portals' bulk columns together into a fresh store; (seconds, fetches)."""
    sites = SitesFile(sites=tuple(bulk_site(p, i) for i, p in enumerate(portals)), settings=settings)
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp))
        started = time.perf_counter()
        outcome = service.crawl(sites, store)
        elapsed = time.perf_counter() - started
        store.close()
    return elapsed, sum(s.crawl.fetches for s in outcome.sites)


def lifted(pages: int, concurrency: int) -> None:
    settings = CrawlSettings.from_mapping({**FAST, "per_host_concurrency": concurrency,
                                           "total_concurrency": 32, "allow_private": ["127.0.0.1"],
                                           "max_listing_pages": 1000})
    with DemoPortal(bulk=20) as portal:
        crawl([portal], settings)  # warm-up: imports, first database, parsers
    with DemoPortal(bulk=pages) as portal:
        elapsed, fetches = crawl([portal], settings)
    print(f"politeness lifted, 1 host, {concurrency} in flight: {fetches} requests in {elapsed:.2f} s"
          f" = {fetches / elapsed:.0f} pages/s")


def polite(pages: int, max_hosts: int, delay: float) -> None:
    settings = CrawlSettings.from_mapping({"delay": delay, "jitter": 0.1, "allow_private": ["127.0.0.0/8"],
                                           "max_listing_pages": 1000})
    print(f"politeness on (delay {delay:g} s, jitter 10 %, 1 request at a time per host):")
    print(f"{'hosts':>6} {'requests':>9} {'seconds':>8} {'total/s':>8} "
          f"{'shortest gap':>13} {'busiest host/s':>15}")
    counts = [n for n in itertools.takewhile(lambda n: n <= max_hosts, (2 ** i for i in range(10)))]
    for n in counts:
        with ExitStack() as stack:
            portals = [stack.enter_context(DemoPortal(host=f"127.0.0.{i + 1}", bulk=pages)) for i in range(n)]
            elapsed, fetches = crawl(portals, settings)
            gaps = []
            rates = []
            for p in portals:
                starts = sorted(h.at for h in p.hits)
                gaps.append(min(b - a for a, b in itertools.pairwise(starts)))
                rates.append((len(starts) - 1) / (starts[-1] - starts[0]))
        print(f"{n:>6} {fetches:>9} {elapsed:>8.2f} {fetches / elapsed:>8.1f} "
              f"{min(gaps):>12.3f}s {max(rates):>15.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=600, help="report pages of the lifted run")
    parser.add_argument("--concurrency", type=int, default=2, help="requests in flight in the lifted run")
    parser.add_argument("--polite-pages", type=int, default=20,
                        help="report pages per host of the polite runs")
    parser.add_argument("--hosts", type=int, default=8, help="largest number of hosts of the polite runs")
    parser.add_argument("--delay", type=float, default=0.1, help="per-host delay of the polite runs")
    args = parser.parse_args()
    lifted(args.pages, args.concurrency)
    polite(args.polite_pages, args.hosts, args.delay)


if __name__ == "__main__":
    main()
