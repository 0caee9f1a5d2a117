"""The scheduled service on a real SQLite job store: jobs survive restarts without duplicates, a machine
that was off catches up once, and SIGTERM stops the service cleanly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from auditor.store import Store, queries
from crawler import schedule
from crawler.demo_portal import DemoPortal
from crawler.sites import load_sites

FAST_LINES = "backoff = 0.01\nretries = 1"


def write_sites(tmp_path: Path, portal: DemoPortal, cron: str) -> Path:
    path = tmp_path / "sites.toml"
    path.write_text(portal.sites_toml(delay=0.01, schedule=cron, extra=FAST_LINES, only=("demo-dept",)),
                    encoding="utf-8")
    return path


def job_ids(store: Store) -> list[str]:
    with store.engine.connect() as conn:
        return [r[0] for r in conn.execute(text(f"SELECT id FROM {schedule.JOB_TABLE} ORDER BY id"))]


def wait_for(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def done_runs(store: Store) -> int:
    return len(queries.runs(store, site_id="demo-dept", status="done"))


def test_jobs_survive_a_restart_without_duplicates(tmp_path: Path, portal: DemoPortal) -> None:
    sites = load_sites(write_sites(tmp_path, portal, "*/1 * * * * *"))
    store = Store.open(tmp_path / "store")
    scheduler, sync = schedule.start(sites, store, None)
    assert sync.added == ("demo-dept",)
    wait_for(lambda: done_runs(store) >= 2)
    schedule.stop(scheduler)
    assert job_ids(store) == ["site:demo-dept"]
    before = done_runs(store)

    scheduler, sync = schedule.start(sites, store, None)
    assert (sync.added, sync.kept, sync.replaced, sync.removed) == ((), ("demo-dept",), (), ())
    wait_for(lambda: done_runs(store) > before)
    schedule.stop(scheduler)
    assert job_ids(store) == ["site:demo-dept"]

    changed = load_sites(write_sites(tmp_path, portal, "*/2 * * * * *"))
    scheduler, sync = schedule.start(changed, store, None)
    schedule.stop(scheduler, wait=False)
    assert sync.replaced == ("demo-dept",) and job_ids(store) == ["site:demo-dept"]


def test_missed_runs_are_caught_up_once(tmp_path: Path, portal: DemoPortal) -> None:
    sites = load_sites(write_sites(tmp_path, portal, "0 3 * * *"))
    store = Store.open(tmp_path / "store")
    scheduler = schedule.build_scheduler(store)
    scheduler.start(paused=True)  # never resumed: nothing runs in this "earlier life" of the service
    schedule.sync_jobs(scheduler, sites, store, None)
    three_days_ago = datetime.now(schedule.service.TIMEZONE) - timedelta(days=3)
    scheduler.modify_job("site:demo-dept", next_run_time=three_days_ago)  # the machine was off since then
    schedule.stop(scheduler)
    assert done_runs(store) == 0

    scheduler, sync = schedule.start(sites, store, None)
    assert sync.kept == ("demo-dept",)
    wait_for(lambda: done_runs(store) == 1)
    time.sleep(1.0)
    job = scheduler.get_job("site:demo-dept")
    schedule.stop(scheduler)
    assert done_runs(store) == 1, "three missed 03:00 runs coalesce into one"
    assert job.next_run_time > datetime.now(schedule.service.TIMEZONE)
    assert (job.next_run_time.hour, job.next_run_time.minute) == (3, 0)


def test_service_stops_cleanly_on_sigterm_and_restarts(tmp_path: Path, portal: DemoPortal) -> None:
    sites = write_sites(tmp_path, portal, "*/1 * * * * *")
    store_dir = tmp_path / "store"
    command = [sys.executable, "-m", "nianbao.cli", "schedule", "--sites", str(sites),
               "--store", str(store_dir)]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    for round_ in (1, 2):
        proc = subprocess.Popen(command, stderr=subprocess.PIPE,
                                stdout=subprocess.DEVNULL, text=True, env=env)
        try:
            store = Store.open(store_dir)
            wait_for(lambda store=store, round_=round_: done_runs(store) >= round_, timeout=60)
            proc.send_signal(signal.SIGTERM)
            _, stderr = proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
        assert proc.returncode == 0, stderr
        events = [json.loads(line).get("event") for line in stderr.splitlines() if line.strip()]
        assert events[0] == "scheduler_started" and events[-1] == "scheduler_stopped"
        assert "stop_requested" in events
        assert queries.runs(store, status="running") == []
        assert job_ids(store) == ["site:demo-dept"]
        store.close()
