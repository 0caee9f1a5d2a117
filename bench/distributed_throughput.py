"""Distributed throughput: sites per second and reports per second with 1, 2 and 4 workers.

A real redis-server and PostgreSQL are started on 127.0.0.1 (as in tests/distributed); ``--hosts`` demo
portals listen on 127.0.0.1, 127.0.0.2, … (one host each, the unit of politeness), each with one site of
``--reports`` report pages.  For each worker count, ``nianbao worker`` processes (``--threads`` site tasks
each) are started and ready before the clock starts; the clock covers `run --distributed`'s pass:
enqueue every site, crawl (politely: ``--delay`` per host, one request at a time), audit, store in
PostgreSQL, until the last site closes the run.  The shortest gap between two requests any server saw
is printed too: adding workers must never shorten it below the delay.

Run:  uv run python bench/distributed_throughput.py [--hosts 16] [--reports 6] [--delay 0.2] [--threads 2]
Only loopback addresses are contacted.
"""

from __future__ import annotations

import argparse
import itertools
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import redis
from sqlalchemy import func, select

from auditor.store import Store
from auditor.store.schema import ReportRow
from crawler.demo_portal import BULK_LISTING, DemoPortal
from crawler.distributed import coordinator
from crawler.distributed.config import Endpoints
from crawler.settings import CrawlSettings
from crawler.sites import Site, SitesFile
from tests.distributed import servers

NIANBAO = str(Path(sys.executable).parent / "nianbao")


def sites_file(portals: list[DemoPortal], delay: float) -> SitesFile:
    """One site (the bulk column) per portal, polite settings."""
    sites = tuple(Site(id=f"host-{i}", name=f"第{i}单位", start_urls=(p.url(BULK_LISTING),),
                       level="department", allowed_hosts=(p.host,)) for i, p in enumerate(portals))
    settings = CrawlSettings.from_mapping({"delay": delay, "jitter": 0.1, "allow_private": ["127.0.0.0/8"],
                                           "max_listing_pages": 1000})
    return SitesFile(sites=sites, settings=settings)


def start_workers(endpoints: Endpoints, count: int, threads: int,
                  logs: Path) -> list[subprocess.Popen[bytes]]:
    """``count`` `nianbao worker` processes, returned once every one says it is ready."""
    started = []
    for n in range(count):
        with (logs / f"worker-{n}.log").open("wb") as log:
            started.append(subprocess.Popen(
                [NIANBAO, "worker", "--store", str(endpoints.store), "--db", str(endpoints.database_url),
                 "--redis", endpoints.redis_url, "--threads", str(threads)],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready = [(logs / f"worker-{n}.log").read_text("utf-8", "replace").count("ready for action")
                 for n in range(count)]
        if all(ready):
            return started
        time.sleep(0.2)
    raise RuntimeError("workers did not start")


def stop_workers(started: list[subprocess.Popen[bytes]]) -> None:
    for process in started:
        process.send_signal(signal.SIGTERM)  # to the supervisor only: it passes it on to its processes
    for process in started:
        process.wait(60)


def one_pass(server: str, redis_url: str, portals: list[DemoPortal], workers: int, threads: int,
             delay: float, folder: Path) -> tuple[float, int, float]:
    """(seconds, reports audited, shortest server-side gap) of one distributed run with ``workers``."""
    redis.Redis.from_url(redis_url).flushall()
    endpoints = Endpoints(redis_url, servers.create_database(server), folder / f"store-{workers}")
    store = Store.open(endpoints.store, endpoints.database_url)
    logs = folder / f"logs-{workers}"
    logs.mkdir()
    started = start_workers(endpoints, workers, threads, logs)
    try:
        began = time.time()
        outcome = coordinator.run(sites_file(portals, delay), store, None, endpoints, timeout=3600)
        elapsed = time.time() - began
    finally:
        stop_workers(started)
    assert outcome.status == "done", outcome.status
    with store.reader() as s:
        audited = s.scalar(select(func.count()).select_from(ReportRow).where(
            ReportRow.run_id == outcome.run_id, ReportRow.model_id.is_not(None))) or 0
    store.close()
    gaps = []
    for p in portals:
        arrivals = sorted(h.at for h in p.hits if h.at >= began)
        gaps.extend(b - a for a, b in itertools.pairwise(arrivals))
    return elapsed, audited, min(gaps)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hosts", type=int, default=16, help="portals (hosts), one site each")
    parser.add_argument("--reports", type=int, default=6, help="report pages per site")
    parser.add_argument("--delay", type=float, default=0.2, help="per-host politeness delay (seconds)")
    parser.add_argument("--threads", type=int, default=2, help="site tasks at once per worker")
    parser.add_argument("--workers", default="1,2,4", help="worker counts to measure")
    args = parser.parse_args()
    if (reason := servers.missing()) is not None:
        sys.exit(reason)
    counts = [int(n) for n in args.workers.split(",")]
    folder = Path(tempfile.mkdtemp(prefix="nianbao-bench-"))
    try:
        with ExitStack() as stack:
            redis_url = stack.enter_context(servers.redis_server())
            server = stack.enter_context(servers.postgres_server())
            portals = [stack.enter_context(DemoPortal(host=f"127.0.0.{i + 1}", bulk=args.reports))
                       for i in range(args.hosts)]
            print(f"{args.hosts} hosts × 1 site × {args.reports} reports; delay {args.delay:g} s per host; "
                  f"{args.threads} site tasks per worker; {os.cpu_count()} CPUs")
            print(f"{'workers':>8} {'seconds':>8} {'sites/s':>8} {'reports/s':>10} {'speed-up':>9} "
                  f"{'shortest gap':>13}")
            first = None
            for n in counts:
                elapsed, audited, gap = one_pass(server, redis_url, portals, n, args.threads, args.delay,
                                                 folder)
                first = first or elapsed
                print(f"{n:>8} {elapsed:>8.2f} {args.hosts / elapsed:>8.2f} {audited / elapsed:>10.2f} "
                      f"{first / elapsed:>8.2f}x {gap:>12.3f}s", flush=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
