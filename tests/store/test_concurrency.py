"""Concurrency on one store, with real processes: a new store opened by several processes at once is
created once (no "table already exists"), and one scheduling service runs per store."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import inspect

from auditor.store import Store, queries
from auditor.store.lock import StoreLocked, lock_path, service_lock
from crawler.demo_portal import DemoPortal

OPEN_AT = """
import sys, time
from auditor.store import Store
time.sleep(max(0.0, float(sys.argv[2]) - time.time()))
Store.open(sys.argv[1]).close()
"""


HOLD_LOCK = """
import sys, time
from auditor.store import Store
from auditor.store.lock import service_lock
with service_lock(Store.open(sys.argv[1])):
    time.sleep(600)
"""


def test_concurrent_first_opens_create_the_store_once(tmp_path: Path) -> None:
    for trial in range(1):
        folder = tmp_path / f"store{trial}"
        start = time.time() + 4.0  # every process imports first, then all open at the same instant
        procs = [subprocess.Popen([sys.executable, "-c", OPEN_AT, str(folder), str(start)],
                                  stderr=subprocess.PIPE, text=True) for _ in range(5)]
        outcomes = [(p.wait(timeout=60), p.stderr.read() if p.stderr else "") for p in procs]
        assert all(code == 0 for code, _ in outcomes), [err for code, err in outcomes if code]
        store = Store.open(folder)
        assert {"runs", "reports", "findings"} <= set(inspect(store.engine).get_table_names())
        store.close()


def test_the_service_lock_is_exclusive_and_released(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "store")
    with service_lock(store):
        try:
            with service_lock(Store.open(tmp_path / "store")):
                raise AssertionError("a second holder got the lock")
        except StoreLocked as exc:
            assert f"进程 {os.getpid()}" in str(exc)
    with service_lock(store):
        pass  # released when the first holder was done


def _schedule(sites: Path, store: Path) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "nianbao.cli", "schedule", "--sites", str(sites), "--store", str(store)]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})


def _wait_for_lock(store: Store, proc: subprocess.Popen[str]) -> None:
    """Until ``proc`` holds the service lock (and has had a moment to install its signal handlers)."""
    deadline = time.monotonic() + 60
    path = lock_path(store)
    while not (path.exists() and f"进程 {proc.pid}@" in path.read_text(encoding="utf-8")):
        assert proc.poll() is None, proc.communicate()[1]
        assert time.monotonic() < deadline
        time.sleep(0.1)
    time.sleep(1.0)


def test_a_second_scheduler_on_the_same_store_exits_and_jobs_run_once(tmp_path: Path) -> None:
    with DemoPortal(base_year=2026, slow_seconds=0.0) as portal:
        sites = tmp_path / "sites.toml"
        sites.write_text(portal.sites_toml(delay=0.01, schedule="*/1 * * * * *",
                                           extra="backoff = 0.01\nretries = 1",
                                           only=("demo-dept",)), encoding="utf-8")
        store_dir = tmp_path / "store"
        first = _schedule(sites, store_dir)
        try:
            store = Store.open(store_dir)
            deadline = time.monotonic() + 60
            while not queries.runs(store, status="done"):
                assert first.poll() is None and time.monotonic() < deadline
                time.sleep(0.1)
            second = _schedule(sites, store_dir)
            _, stderr = second.communicate(timeout=60)
            assert second.returncode == 2
            lines = [line for line in stderr.splitlines() if line.strip()]
            assert len(lines) == 1 and "另一个 nianbao schedule 正在使用这个存储" in lines[0]
            assert f"进程 {first.pid}@" in lines[0]
        finally:
            first.send_signal(signal.SIGTERM)
            first.communicate(timeout=30)
        assert first.returncode == 0
        runs = queries.runs(store, site_id="demo-dept")
        spans = sorted((r.started_at, r.finished_at) for r in runs)
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans)), "no two runs of the job overlap"
        hits = [h.path for h in portal.hits if h.path.startswith("/bmxxgk/czj/ndbg/list.html?page=1")]
        done = [r for r in runs if r.status == "done"]
        assert len(done) <= len(hits) <= len(runs), "each scheduled run crawled the listing once"

        # The lock dies with its holder: after a kill -9 the next service starts.
        holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(store_dir)],
                                  stderr=subprocess.PIPE, text=True)
        _wait_for_lock(store, holder)
        holder.kill()
        holder.wait()
        fourth = _schedule(sites, store_dir)
        _wait_for_lock(store, fourth)
        fourth.send_signal(signal.SIGTERM)
        fourth.communicate(timeout=30)
        assert fourth.returncode == 0
