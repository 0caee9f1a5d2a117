"""`nianbao schedule`: the long-running service.

One APScheduler job per site, with a fixed id (``site:<id>``), its cron from the sites file and the
Asia/Shanghai timezone, kept in a SQLAlchemy job store in the same database as the store, so the
schedule survives restarts.  ``coalesce`` and ``misfire_grace_time`` make a machine that was off run a
missed job once when it comes back, not once per missed time.  SIGTERM/SIGINT stop it cleanly: the
running crawl stops at its next request, its run is marked interrupted, and the scheduler shuts down.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

from auditor.store import Store
from auditor.store.lock import service_lock
from crawler import service
from crawler.crawl import CrawlStopped
from crawler.logs import log_fetch
from crawler.sites import SitesFile, load_sites

log = logging.getLogger("nianbao.schedule")

JOB_PREFIX = "site:"
JOB_TABLE = "apscheduler_jobs"
DEFAULT_MISFIRE_GRACE = 7 * 24 * 3600
"""A run missed by up to a week (machine off, service stopped) is caught up once on start."""

STOP = threading.Event()
"""Set on SIGTERM/SIGINT: running jobs stop at their next request."""


def cron_trigger(expression: str) -> CronTrigger:
    """A trigger from a cron expression: 5 fields (minute hour day month weekday), or 6 with a leading
    seconds field; in Asia/Shanghai."""
    fields = expression.split()
    if len(fields) == 5:
        return CronTrigger.from_crontab(expression, timezone=service.TIMEZONE)
    if len(fields) == 6:
        second, minute, hour, day, month, weekday = fields
        return CronTrigger(second=second, minute=minute, hour=hour, day=day, month=month, day_of_week=weekday,
                           timezone=service.TIMEZONE)
    raise ValueError(f"not a cron expression: {expression!r}")


def run_site_job(sites_path: str, site_id: str, store_dir: str, db_url: str | None,
                 out_dir: str | None) -> int | None:
    """The scheduled job: one `run` of one site.  Module-level and with plain arguments, so the job
    store can keep a reference to it; the sites file is read afresh each time.  Returns the run id."""
    sites_file = load_sites(Path(sites_path))
    store = Store.open(Path(store_dir), db_url)
    out = Path(out_dir) / site_id if out_dir else None
    try:
        outcome = service.run(sites_file, store, out, site_ids=[site_id],
                              options=service.Options(stop=STOP, progress=log_fetch))
        return outcome.run_id
    except CrawlStopped:
        log.info("job stopped", extra={"event": "job_stopped", "site": site_id})
        return None
    finally:
        store.close()


@dataclass(frozen=True, slots=True)
class JobSync:
    """What :func:`sync_jobs` did."""

    added: tuple[str, ...]
    kept: tuple[str, ...]
    replaced: tuple[str, ...]
    removed: tuple[str, ...]


def build_scheduler(store: Store, *, misfire_grace_time: int = DEFAULT_MISFIRE_GRACE,
                    workers: int = 2) -> BackgroundScheduler:
    """A scheduler whose jobs live in the store's database."""
    return BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=store.engine, tablename=JOB_TABLE)},
        executors={"default": ThreadPoolExecutor(max_workers=workers)},
        job_defaults={"coalesce": True, "misfire_grace_time": misfire_grace_time, "max_instances": 1},
        timezone=service.TIMEZONE,
    )


def sync_jobs(scheduler: BackgroundScheduler, sites_file: SitesFile, store: Store, out_dir: Path | None,
              job: Callable[..., int | None] = run_site_job) -> JobSync:
    """Make the job store hold exactly one job per site of the file.

    A job whose schedule and arguments are unchanged is kept as stored (so a run missed while the
    service was down is still due); a changed one is replaced; jobs of sites no longer listed are
    removed.  Call on a started (possibly paused) scheduler.  ``job`` is what a due site runs (called with
    the same arguments as :func:`run_site_job`; the distributed service enqueues the run instead).
    """
    assert sites_file.path is not None, "the sites file must be read from a path"
    added: list[str] = []
    kept: list[str] = []
    replaced: list[str] = []
    wanted: set[str] = set()
    for site in sites_file.sites:
        job_id = JOB_PREFIX + site.id
        wanted.add(job_id)
        trigger = cron_trigger(site.schedule)
        args = [str(sites_file.path.resolve()), site.id, str(store.root.resolve()),
                None if store.db_url.startswith("sqlite:") else store.db_url,
                str(out_dir.resolve()) if out_dir else None]
        existing = scheduler.get_job(job_id)
        if (existing is not None and str(existing.trigger) == str(trigger) and list(existing.args) == args
                and existing.func is job):
            kept.append(site.id)
            continue
        scheduler.add_job(job, trigger, args=args, id=job_id, name=f"{site.name} ({site.id})",
                          replace_existing=True)
        (replaced if existing is not None else added).append(site.id)
    removed = [job.id[len(JOB_PREFIX):] for job in scheduler.get_jobs()
               if job.id.startswith(JOB_PREFIX) and job.id not in wanted]
    for site_id in removed:
        scheduler.remove_job(JOB_PREFIX + site_id)
    return JobSync(tuple(added), tuple(kept), tuple(replaced), tuple(removed))


def start(sites_file: SitesFile, store: Store, out_dir: Path | None,
          job: Callable[..., int | None] = run_site_job,
          **options: int) -> tuple[BackgroundScheduler, JobSync]:
    """Start the scheduler with the site jobs synchronised (paused while synchronising)."""
    scheduler = build_scheduler(store, **options)
    scheduler.start(paused=True)
    sync = sync_jobs(scheduler, sites_file, store, out_dir, job)
    log.info("scheduler started", extra={"event": "scheduler_started", "added": sync.added, "kept": sync.kept,
                                         "replaced": sync.replaced, "removed": sync.removed,
                                         "jobs": {j.id: str(j.next_run_time) for j in scheduler.get_jobs()}})
    scheduler.resume()
    return scheduler, sync


def stop(scheduler: BackgroundScheduler, *, wait: bool = True) -> None:
    """Shut the scheduler down without touching the stored schedule.

    APScheduler's loop processes due jobs once more after ``shutdown`` has stopped the executors, which
    would log an error and advance a due job past the run it missed; detaching the job store first
    keeps that run due for the next start.
    """
    scheduler.pause()
    scheduler.remove_jobstore("default")
    scheduler.shutdown(wait=wait)


def serve(sites_file: SitesFile, store: Store, out_dir: Path | None,
          job: Callable[..., int | None] = run_site_job) -> None:
    """Run until SIGTERM or SIGINT, then stop cleanly (``job``: see :func:`sync_jobs`).

    Holds the store's service lock while running (:mod:`auditor.store.lock`): a second service on the
    same store raises :class:`~auditor.store.lock.StoreLocked` before it schedules anything.
    """
    with service_lock(store):
        _serve(sites_file, store, out_dir, job)


def _serve(sites_file: SitesFile, store: Store, out_dir: Path | None, job: Callable[..., int | None]) -> None:
    STOP.clear()

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        log.info("stop requested", extra={"event": "stop_requested", "signal": signal.Signals(signum).name})
        STOP.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    scheduler, _ = start(sites_file, store, out_dir, job)
    try:
        while not STOP.wait(1.0):
            pass
    finally:
        stop(scheduler)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        log.info("scheduler stopped", extra={"event": "scheduler_stopped"})
