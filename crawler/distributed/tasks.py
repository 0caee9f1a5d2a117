"""The site task: one site's crawl and audit within a run, as a Dramatiq actor on a Redis broker.

It is the single-process run's own code for one site (:func:`crawler.service.crawl_sites` and
:func:`crawler.service.audit_site`) with the per-host throttle in Redis.  What makes it safe to deliver
twice or to retry after a worker died half-way:

- a lease per (run, site) in Redis: one delivery works on a site at a time, a duplicate goes back to the
  broker until the lease is free (and then finds the site done, or does it when its holder died);
- a site already closed in the store (``run_sites.status`` not ``running``) is not done again;
- a retried site first removes what an interrupted attempt stored for it in this run (its reports,
  findings and resolved findings), then does the whole site again; documents and versions are keyed by
  URL and content, so crawling again adds none;
- the site's part is closed (``finish_site``) only after everything is stored, and the last site of a
  run closes the run.

A worker killed mid-task never acknowledges its message: the broker hands it to another worker once the
dead one's heartbeat is older than ``heartbeat_timeout``, and its lease has expired by then.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import uuid
from dataclasses import asdict
from functools import cache
from typing import Any

import dramatiq
import redis
from dramatiq import Broker, Worker
from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware import CurrentMessage, Middleware
from sqlalchemy import delete, select

from auditor.store import Store
from auditor.store import runs as store_runs
from auditor.store.schema import FindingRow, ReportRow, ResolvedFindingRow, RunRow, RunSiteRow
from crawler import service
from crawler.crawl import CrawlStopped
from crawler.distributed.config import Endpoints
from crawler.distributed.throttle import RedisHostThrottle
from crawler.settings import CrawlSettings
from crawler.sites import Site, parse_site
from crawler.snapshot import Snapshotter

log = logging.getLogger("nianbao.distributed")

NAMESPACE = "nianbao"
QUEUE = "nianbao-sites"
ACTOR = "run_site"
MAX_RETRIES = 8
TIME_LIMIT_MS = 24 * 3600 * 1000
"""A site task may run for hours (a deep column at one request every few seconds)."""

STOP = threading.Event()
"""Set when the worker is asked to stop: running crawls stop at their next request and are retried later."""


class StopCrawls(Middleware):
    """A worker asked to stop (SIGTERM) stops its running crawls at their next request: their tasks go back to
    the broker for later (``Retry``), instead of holding the shutdown for hours."""

    def before_worker_shutdown(self, broker: Broker, worker: Worker) -> None:
        """Set :data:`STOP` (Dramatiq calls this when the worker begins to stop)."""
        STOP.set()


def retry_when(retries: int, exception: Exception) -> bool:
    """Whether a failed site task goes back to the broker: always when a stopping worker let it go,
    else up to :data:`MAX_RETRIES` times (with growing delays)."""
    return isinstance(exception, CrawlStopped | dramatiq.Retry) or retries < MAX_RETRIES


def make_broker(endpoints: Endpoints) -> RedisBroker:
    """The Redis broker (namespace ``nianbao``), with the site actor declared on it, as the global broker."""
    # dramatiq's RedisBroker.__init__ carries no annotations, so mypy calls it untyped.
    broker = RedisBroker(url=endpoints.redis_url, namespace=NAMESPACE,  # type: ignore[no-untyped-call]
                         heartbeat_timeout=int(endpoints.heartbeat_timeout * 1000),
                         maintenance_chance=endpoints.maintenance)
    broker.add_middleware(CurrentMessage())
    broker.add_middleware(StopCrawls())
    dramatiq.set_broker(broker)
    dramatiq.actor(broker=broker, actor_name=ACTOR, queue_name=QUEUE, retry_when=retry_when, min_backoff=2000,
                   max_backoff=300_000, time_limit=TIME_LIMIT_MS)(run_site)
    return broker


def message(run_id: int, site: Site, settings: CrawlSettings) -> dramatiq.Message[Any]:
    """The message of one site's task in a run (everything a worker on another machine needs)."""
    args = (run_id, site.to_config(), settings_payload(settings))
    return dramatiq.Message(queue_name=QUEUE, actor_name=ACTOR, args=args, kwargs={}, options={})


def settings_payload(settings: CrawlSettings) -> dict[str, Any]:
    """The crawl settings as JSON for a message (the URLs stay with each worker's own configuration)."""
    data = asdict(settings)
    data["allow_private"] = list(settings.allow_private)
    data.pop("redis_url", None)
    data.pop("database_url", None)
    return data


@cache
def _context() -> tuple[Endpoints, Store, redis.Redis]:
    """This worker process's endpoints, store and Redis client (opened on first use, kept)."""
    endpoints = Endpoints.resolve()
    store = Store.open(endpoints.store, endpoints.database_url)
    return endpoints, store, redis.Redis.from_url(endpoints.redis_url)


class Lease:
    """Exclusive work on one key, renewed while held; expires on its own when the holder is killed."""

    _RENEW = ("if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) "
              "else return 0 end")
    _FREE = ("if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) "
             "else return 0 end")

    def __init__(self, client: redis.Redis, key: str, seconds: float) -> None:
        self.client, self.key, self.ms = client, key, int(seconds * 1000)
        self.token = uuid.uuid4().hex
        self._done = threading.Event()
        self._thread: threading.Thread | None = None

    def take(self) -> bool:
        """Take the lease if it is free; then keep renewing it until :meth:`free`."""
        if not self.client.set(self.key, self.token, nx=True, px=self.ms):
            return False
        self._thread = threading.Thread(target=self._renew, name=f"lease {self.key}", daemon=True)
        self._thread.start()
        return True

    def _renew(self) -> None:
        while not self._done.wait(self.ms / 3000):
            try:
                self.client.eval(self._RENEW, 1, self.key, self.token, self.ms)
            except redis.RedisError:
                log.warning("lease renewal failed", extra={"event": "lease_renew_failed", "key": self.key})

    def free(self) -> None:
        """Give the lease back (only if still ours)."""
        self._done.set()
        if self._thread is not None:
            self._thread.join()
        self.client.eval(self._FREE, 1, self.key, self.token)


def site_status(store: Store, run_id: int, site_id: str) -> str | None:
    """The site's status in the run (None when the run does not have the site)."""
    with store.reader() as session:
        return session.scalars(
            select(RunSiteRow.status).where(RunSiteRow.run_id == run_id, RunSiteRow.site_id == site_id)
        ).first()


def clear_partial(store: Store, run_id: int, site_id: str) -> int:
    """Remove what an interrupted attempt stored for the site in this run; returns the reports removed."""
    with store.session() as session:
        session.execute(delete(ResolvedFindingRow).where(ResolvedFindingRow.run_id == run_id,
                                                         ResolvedFindingRow.site_id == site_id))
        session.execute(delete(FindingRow).where(FindingRow.run_id == run_id, FindingRow.site_id == site_id))
        removed = session.execute(
            delete(ReportRow).where(ReportRow.run_id == run_id, ReportRow.site_id == site_id))
        return int(removed.rowcount or 0)  # type: ignore[attr-defined]


def close_run_if_complete(store: Store, run_id: int) -> bool:
    """Close the run when none of its sites is still running (done when all are); True if it closed."""
    with store.reader() as session:
        run = session.get(RunRow, run_id)
        parts = list(session.scalars(select(RunSiteRow).where(RunSiteRow.run_id == run_id)))
    if run is None or run.status != "running" or any(p.status == "running" for p in parts):
        return False
    status = "done" if all(p.status == "done" for p in parts) else "failed"
    failed = [p.site_id for p in parts if p.status != "done"]
    store_runs.finish_run(store, run_id, status, {"sites": {p.site_id: p.counts for p in parts}},
                          error=f"sites failed: {', '.join(failed)}" if failed else None)
    log.info("run finished", extra={"event": "run_finished", "run": run_id, "status": status})
    return True


def run_site(run_id: int, site_config: dict[str, Any], settings_data: dict[str, Any]) -> None:
    """The actor: crawl and audit one site in a run (safe to deliver twice, to retry, to redo)."""
    endpoints, store, client = _context()
    site = parse_site(site_config, 0)
    settings = CrawlSettings.from_mapping(settings_data)
    lease = Lease(client, f"{NAMESPACE}:lease:{run_id}:{site.id}", endpoints.lease)
    if not lease.take():
        if site_status(store, run_id, site.id) != "running":
            return  # a duplicate of a delivery that has finished the site
        # Another delivery is at work on the site (or died holding it: then its lease runs out). This one
        # comes back once the lease could have expired, instead of holding a worker thread meanwhile.
        ttl = int(client.pttl(lease.key))
        raise dramatiq.Retry("the site is in progress on another worker", delay=max(ttl, 500) + 100)
    try:
        if site_status(store, run_id, site.id) != "running":
            return
        try:
            _do_site(store, client, run_id, site, settings)
        except CrawlStopped:
            # back to the broker, quietly: not a failure, the worker is stopping
            raise dramatiq.Retry("the worker is stopping", delay=1000) from None
        except Exception as exc:
            if _last_attempt():
                store_runs.finish_site(store, run_id, site.id, "failed",
                                       {"error": f"{type(exc).__name__}: {exc}"})
                close_run_if_complete(store, run_id)
            raise
    finally:
        lease.free()
    close_run_if_complete(store, run_id)


def _last_attempt() -> bool:
    current = CurrentMessage.get_current_message()
    return current is None or int(current.options.get("retries", 0)) >= MAX_RETRIES


def _do_site(store: Store, client: redis.Redis, run_id: int, site: Site, settings: CrawlSettings) -> None:
    removed = clear_partial(store, run_id, site.id)
    if removed:
        log.info("redoing an interrupted site", extra={"event": "site_redo", "run": run_id, "site": site.id,
                                                       "removed_reports": removed})
    Snapshotter(store, None).save_site(site)
    throttle = RedisHostThrottle(client, delay=settings.delay, jitter=settings.jitter,
                                 per_host=settings.per_host_concurrency, total=settings.total_concurrency,
                                 lease=settings.timeout + 10)
    options = service.Options(stop=STOP, throttle=throttle)  # type: ignore[arg-type]
    crawl = asyncio.run(service.crawl_sites([site], settings, store, run_id, options))[0]
    outcome = service.SiteOutcome(site.id, crawl)
    service.audit_site(store, run_id, crawl, outcome, options)
    store_runs.finish_site(store, run_id, site.id, "done", outcome.counts())
    log.info("site done", extra={"event": "site_done", "run": run_id, "site": site.id, **outcome.counts()})
