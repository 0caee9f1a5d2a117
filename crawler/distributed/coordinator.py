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
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from auditor.findings.model import Finding, Location, ReportResult
from auditor.model import Document, document_from_dict
from auditor.store import Store
from auditor.store import runs as store_runs
from auditor.store.schema import FindingRow, ReportRow, ResolvedFindingRow, RunRow, RunSiteRow
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
        with store.reader() as session:
            status = session.scalar(select(RunRow.status).where(RunRow.id == run_id))
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
        parts = list(session.scalars(select(RunSiteRow).where(RunSiteRow.run_id == run_id)
                                     .order_by(RunSiteRow.id)))
        order = {p.site_id: i for i, p in enumerate(parts)}
        rows = sorted(session.scalars(select(ReportRow).where(ReportRow.run_id == run_id)),
                      key=lambda r: (order.get(r.site_id or "", len(order)), r.id))
        findings: dict[int, list[FindingRow]] = {}
        for f in session.scalars(select(FindingRow).where(FindingRow.run_id == run_id).order_by(FindingRow.id)):
            findings.setdefault(f.report_id, []).append(f)
        models = {r.id: r.model for r in rows if r.model_id is not None}
        resolved: dict[str, list[dict[str, Any]]] = {}
        for gone, last in session.execute(
            select(ResolvedFindingRow, FindingRow).join(FindingRow, FindingRow.id == ResolvedFindingRow.finding_id)
            .where(ResolvedFindingRow.run_id == run_id).order_by(ResolvedFindingRow.id)
        ).all():
            resolved.setdefault(gone.site_id or "", []).append(
                {"fingerprint": last.fingerprint, "rule_id": last.rule_id, "title": last.title,
                 "message": last.message, "last_run": last.run_id})
    results: list[ReportResult] = []
    for row in rows:
        own = row.audited_run_id == run_id
        shown = [f for f in findings.get(row.id, []) if own or f.origin == "portal"]
        if own or shown:
            results.append(_result(row, models.get(row.id) if own else None, shown))
    sites = [StoredSite(p.site_id, p.status, p.counts, resolved.get(p.site_id, [])) for p in parts]
    outcome = service.RunOutcome(run_id, status, sites, results)  # type: ignore[arg-type]
    return outcome


def _result(row: ReportRow, model: dict[str, Any] | None, rows: list[FindingRow]) -> ReportResult:
    """A stored report as the audit's result: its model when it was audited in the run, else a stub."""
    if model is not None:
        doc = document_from_dict(model)
    else:
        doc = Document(source=row.source, sha256=row.sha256, format=row.format or "html", title=row.title,
                       agency=row.agency, year=row.year, published=row.published,
                       published_source=row.published_source, level=row.level)
    return ReportResult(source=row.source, sha256=row.sha256, document=doc, findings=[_finding(f) for f in rows],
                        error=row.error)


def _finding(row: FindingRow) -> Finding:
    return Finding(
        rule_id=row.rule_id, severity=row.severity, title=row.title, message=row.message,
        location=Location(**{k: row.location.get(k) for k in ("section", "table", "row", "column")}),
        evidence=row.evidence, basis=row.basis, fix=row.fix, cells=[tuple(c) for c in row.cells],  # type: ignore[misc]
        fingerprint=row.fingerprint, waived=row.waived, status=row.status,
    )


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
