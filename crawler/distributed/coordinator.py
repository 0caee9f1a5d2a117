"""Starting distributed runs and collecting what the workers stored.

``nianbao run --distributed`` opens a run in the store, enqueues one site task per site, waits until the
workers have closed every site, then reads the run back from the store and writes the same findings.json
and run.json as the single-process run.  ``nianbao schedule --distributed`` keeps the single-process
service's schedule but a due site only opens its run and enqueues its task.

A distributed run has no pid in the store: it belongs to no process but to its tasks, and the last site
task closes it; the coordinator may be stopped and the run still completes.
"""

from __future__ import annotations

import logging
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import update

from auditor.findings.model import ReportResult
from auditor.model import Document, document_from_dict
from auditor.store import Store, queries
from auditor.store import runs as store_runs
from auditor.store.queries import FindingView, JsonObject, ReportView
from auditor.store.rehydrate import finding_from_view
from auditor.store.schema import RunRow
from crawler import service
from crawler.distributed import tasks
from crawler.distributed.config import Endpoints
from crawler.sites import Site, SitesFile, load_sites
from crawler.snapshot import Snapshotter

log = logging.getLogger("nianbao.distributed")


class RunTimeout(RuntimeError):
    """The workers did not finish the run in the time given (it goes on; its results stay in the store)."""


@dataclass(slots=True)
class StoredSite:
    """A site's part of a finished run as the store has it (what run.json and the summary show)."""

    site_id: str
    status: str
    stored: dict[str, Any]
    resolved: list[dict[str, Any]] = field(default_factory=list)

    def counts(self) -> dict[str, Any]:
        """The counts the worker stored for the site."""
        return dict(self.stored)


def open_run(store: Store, sites: Sequence[Site]) -> int:
    """Open a `run` over the sites that belongs to its tasks (no pid); returns its id."""
    for site in sites:
        Snapshotter(store, None).save_site(site)
    run_id = store_runs.start_run(store, "run", [s.id for s in sites])
    with store.session() as session:
        session.execute(update(RunRow).where(RunRow.id == run_id).values(pid=None))
    return run_id


def enqueue_run(store: Store, endpoints: Endpoints, sites_file: SitesFile,
                site_ids: Sequence[str] | None = None) -> int:
    """Open a run and enqueue one task per site; returns the run id."""
    sites = [sites_file.site(i) for i in site_ids] if site_ids else list(sites_file.sites)
    broker = tasks.make_broker(endpoints)
    try:
        broker.client.ping()  # before the run is opened: an unreachable broker leaves no run behind
        run_id = open_run(store, sites)
        for site in sites:
            broker.enqueue(tasks.message(run_id, site, sites_file.settings))
    finally:
        broker.close()
    log.info("run enqueued", extra={"event": "run_enqueued", "run": run_id, "sites": [s.id for s in sites]})
    return run_id


def wait_for(store: Store, run_id: int, *, timeout: float | None = None, poll: float = 0.5) -> str:
    """Wait until the run is closed; returns its status (raises :class:`RunTimeout` past ``timeout``)."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        status = queries.run_status(store, run_id)
        if status != "running":
            return str(status)
        if deadline is not None and time.monotonic() > deadline:
            raise RunTimeout(f"run {run_id} not finished after {timeout:g} s")
        time.sleep(poll)


def run(sites_file: SitesFile, store: Store, out: Path | None, endpoints: Endpoints, *,
        site_ids: Sequence[str] | None = None, timeout: float | None = None) -> service.RunOutcome:
    """`nianbao run --distributed`: one pass across the workers; waits, then writes the outputs."""
    run_id = enqueue_run(store, endpoints, sites_file, site_ids)
    status = wait_for(store, run_id, timeout=timeout)
    outcome = collect(store, run_id, status)
    if out is not None:
        outcome.written = service.write_outputs(out, outcome)
    return outcome


def collect(store: Store, run_id: int, status: str = "done") -> service.RunOutcome:
    """The run as the single process would have returned it: each site's counts and what it showed."""
    with store.reader() as session:
        run_view = queries.get_run(session, run_id)
        parts = run_view.sites if run_view is not None else {}
        order = {site_id: i for i, site_id in enumerate(parts)}
        reports = sorted(queries.run_reports(session, run_id),
                         key=lambda r: (order.get(r.site_id or "", len(order)), r.id))
        findings: dict[int, list[FindingView]] = defaultdict(list)
        for f in queries.run_findings(session, run_id):
            findings[f.report_id].append(f)
        models = queries.models_of(session, [r.id for r in reports if r.audited_run_id == run_id])
        resolved: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for last in queries.resolved_findings(session, run_id):
            resolved[last.site_id or ""].append(
                {"fingerprint": last.fingerprint, "rule_id": last.rule_id, "title": last.title,
                 "message": last.message, "last_run": last.run_id})
    results: list[ReportResult] = []
    for report in reports:
        own = report.audited_run_id == run_id
        shown = [f for f in findings[report.id] if own or f.origin == "portal"]
        if own or shown:
            results.append(_result(report, models.get(report.id), shown))
    sites = [StoredSite(site_id, p.status, dict(p.counts), resolved.get(site_id, []))
             for site_id, p in parts.items()]
    return service.RunOutcome(run_id, status, sites, results)  # type: ignore[arg-type]


def _result(report: ReportView, model: JsonObject | None, shown: list[FindingView]) -> ReportResult:
    """A stored report as the audit's result: its model when it was audited in the run, else a stub."""
    if model is not None:
        doc = document_from_dict(model)
    else:
        doc = Document(source=report.source, sha256=report.sha256,
                       format=report.format or "html", title=report.title,
                       agency=report.agency, year=report.year, published=report.published,
                       published_source=report.published_source, level=report.level)
    return ReportResult(source=report.source, sha256=report.sha256, document=doc,
                        findings=[finding_from_view(f) for f in shown], error=report.error)


def severities(outcome: service.RunOutcome) -> Counter[str]:
    """Findings of the run by severity (waived ones not counted), from the sites' stored counts."""
    total: Counter[str] = Counter()
    for s in outcome.sites:
        total.update(s.counts().get("by_severity", {}))
    return total


def enqueue_site_job(sites_path: str, site_id: str, store_dir: str, db_url: str | None,
                     out_dir: str | None) -> int | None:
    """The scheduled job of ``schedule --distributed``: open the site's run and enqueue its task.

    Same arguments as :func:`crawler.schedule.run_site_job` (``out_dir`` is not used: the workers store
    the results, the web view shows them).  Returns the run id.
    """
    sites_file = load_sites(Path(sites_path))
    endpoints = Endpoints.resolve(sites_file.settings, db_url=db_url, store=Path(store_dir))
    store = Store.open(Path(store_dir), endpoints.database_url)
    try:
        return enqueue_run(store, endpoints, sites_file, [site_id])
    finally:
        store.close()
