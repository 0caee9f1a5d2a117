"""Reading the store: the small API the web view (and the CLI) use.

Every function takes the :class:`~auditor.store.Store` and returns plain frozen dataclasses (with
``to_dict()`` for JSON), never ORM objects, so callers need no session.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import InstrumentedAttribute

from auditor.store.db import Store
from auditor.store.schema import (
    CaptureRow,
    DocumentRow,
    DocumentVersionRow,
    FindingRow,
    ModelRow,
    ReportRow,
    ResolvedFindingRow,
    RunRow,
    RunSiteRow,
    SiteRow,
)


def _plain(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


class _Dict:
    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: dates as ISO strings."""
        return _plain(asdict(self))  # type: ignore[call-overload, no-any-return]


@dataclass(frozen=True, slots=True)
class SiteView(_Dict):
    """A site as configured when last crawled."""

    id: str
    name: str
    level: str | None
    deadline: str | None
    start_urls: list[str]


@dataclass(frozen=True, slots=True)
class RunView(_Dict):
    """A run and its state per site."""

    id: int
    kind: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    sites: dict[str, dict[str, Any]]
    """site id -> {status, previous_run_id, counts (documents, audited, new, persisting, resolved, by_severity…)}"""


@dataclass(frozen=True, slots=True)
class ReportView(_Dict):
    """A report of a run (``portal`` is the site-level entry of portal findings), with finding counts."""

    id: int
    run_id: int
    site_id: str | None
    document_id: int | None
    source: str
    sha256: str
    title: str | None
    agency: str | None
    year: int | None
    published: date | None
    published_source: str | None
    template: str
    format: str | None
    error: str | None
    portal: bool
    audited_run_id: int
    counts: dict[str, int]
    """Findings by severity (waived ones left out), e.g. {"error": 2, "warning": 1, "info": 0}."""


@dataclass(frozen=True, slots=True)
class FindingView(_Dict):
    """A finding of a report in a run, with where it came from (``origin``: audit or portal)."""

    id: int
    run_id: int
    report_id: int
    site_id: str | None
    source: str
    year: int | None
    fingerprint: str
    rule_id: str
    severity: str
    title: str
    message: str
    location: dict[str, Any]
    evidence: str
    basis: str
    fix: str
    cells: list[Any]
    waived: str | None
    status: str
    """new | persisting | resolved (resolved only in :func:`run_diff`)"""
    origin: str
    first_run_id: int


@dataclass(frozen=True, slots=True)
class VersionView(_Dict):
    """One stored version of a document."""

    id: int
    document_id: int
    url: str
    sha256: str
    format: str | None
    encoding: str | None
    published: date | None
    published_source: str | None
    first_seen: datetime
    last_seen: datetime
    current: bool


@dataclass(frozen=True, slots=True)
class CaptureView(_Dict):
    """One HTTP exchange kept as evidence (the body is the blob ``sha256``)."""

    id: int
    run_id: int | None
    url: str
    final_url: str
    purpose: str
    fetched_at: datetime
    status: int | None
    sha256: str | None
    size: int | None
    content_type: str | None
    sniffed: str | None
    not_modified: bool
    error: str | None
    headers: list[Any]


@dataclass(frozen=True, slots=True)
class RunDiff(_Dict):
    """A run compared with each site's previous completed run."""

    run_id: int
    previous_run_ids: dict[str, int | None]
    """site id -> the run it was compared with"""
    new: list[FindingView]
    persisting: list[FindingView]
    resolved: list[FindingView]


SEVERITIES = ("error", "warning", "info")


def _equal(*filters: tuple[InstrumentedAttribute[Any], object]) -> list[ColumnElement[bool]]:
    """``column == value`` for each (column, value) whose value is set: the optional filters of a query."""
    return [column == value for column, value in filters if value is not None]


def sites(store: Store) -> list[SiteView]:
    """All sites ever crawled, by id."""
    with store.reader() as s:
        return [SiteView(r.id, r.name, r.level, r.deadline, list(r.start_urls))
                for r in s.scalars(select(SiteRow).order_by(SiteRow.id))]


def _run_view(row: RunRow, parts: list[RunSiteRow]) -> RunView:
    return RunView(row.id, row.kind, row.status, row.started_at, row.finished_at,
                   {p.site_id: {"status": p.status, "previous_run_id": p.previous_run_id, "counts": p.counts}
                    for p in parts})


def runs(store: Store, *, site_id: str | None = None, kind: str | None = None, status: str | None = None,
         limit: int = 50) -> list[RunView]:
    """Runs, newest first, optionally of one site, kind (crawl/run) or status (done, interrupted…)."""
    query = (select(RunRow).where(*_equal((RunRow.kind, kind), (RunRow.status, status)))
             .order_by(RunRow.id.desc()).limit(limit))
    if site_id is not None:
        query = query.where(RunRow.id.in_(select(RunSiteRow.run_id).where(RunSiteRow.site_id == site_id)))
    with store.reader() as s:
        rows = s.scalars(query).all()
        parts: dict[int, list[RunSiteRow]] = {}
        for p in s.scalars(select(RunSiteRow).where(RunSiteRow.run_id.in_([r.id for r in rows]))):
            parts.setdefault(p.run_id, []).append(p)
        return [_run_view(r, parts.get(r.id, [])) for r in rows]


def get_run(store: Store, run_id: int) -> RunView | None:
    """One run, or None if there is no such run."""
    with store.reader() as s:
        row = s.get(RunRow, run_id)
        if row is None:
            return None
        return _run_view(row, list(s.scalars(select(RunSiteRow).where(RunSiteRow.run_id == run_id))))


def latest_run(store: Store, *, site_id: str | None = None) -> RunView | None:
    """The newest completed `run` (with findings), optionally of one site."""
    found = runs(store, site_id=site_id, kind="run", status="done", limit=1)
    return found[0] if found else None


def run_reports(store: Store, run_id: int, *, site_id: str | None = None) -> list[ReportView]:
    """The reports of a run with their finding counts by severity (waived findings not counted)."""
    with store.reader() as s:
        query = select(ReportRow).where(ReportRow.run_id == run_id).order_by(ReportRow.site_id, ReportRow.year.desc(),
                                                                             ReportRow.id)
        if site_id is not None:
            query = query.where(ReportRow.site_id == site_id)
        rows = s.scalars(query).all()
        counts: dict[int, Counter[str]] = {}
        for report_id, severity, n in s.execute(
            select(FindingRow.report_id, FindingRow.severity, func.count())
            .where(FindingRow.run_id == run_id, FindingRow.waived.is_(None))
            .group_by(FindingRow.report_id, FindingRow.severity)
        ):
            counts.setdefault(report_id, Counter())[severity] = n
        return [_report_view(r, counts.get(r.id, Counter())) for r in rows]


def _report_view(r: ReportRow, counts: Counter[str]) -> ReportView:
    return ReportView(r.id, r.run_id, r.site_id, r.document_id, r.source, r.sha256, r.title, r.agency, r.year,
                      r.published, r.published_source, r.template, r.format, r.error, r.portal, r.audited_run_id,
                      {sev: counts.get(sev, 0) for sev in SEVERITIES})


def report_model(store: Store, report_id: int) -> dict[str, Any] | None:
    """The stored ``Document.to_dict()`` of a report (sections, tables as grids) for rendering; None when
    there is no such report or it has no model (portal entries, unreadable files)."""
    with store.reader() as s:
        return s.scalar(
            select(ModelRow.model).join(ReportRow, ReportRow.model_id == ModelRow.id).where(ReportRow.id == report_id)
        )


def _finding_view(f: FindingRow, r: ReportRow, status: str | None = None) -> FindingView:
    return FindingView(f.id, f.run_id, f.report_id, f.site_id, r.source, r.year, f.fingerprint, f.rule_id, f.severity,
                       f.title, f.message, dict(f.location), f.evidence, f.basis, f.fix, list(f.cells), f.waived,
                       status or f.status, f.origin, f.first_run_id)


def findings(
    store: Store,
    *,
    run_id: int | None = None,
    report_id: int | None = None,
    site_id: str | None = None,
    year: int | None = None,
    severity: str | None = None,
    rule_id: str | None = None,
    status: str | None = None,
    include_waived: bool = True,
) -> list[FindingView]:
    """Findings of a run (default: the latest completed run), filtered; errors first, then by source."""
    if run_id is None and report_id is None:
        latest = latest_run(store, site_id=site_id)
        if latest is None:
            return []
        run_id = latest.id
    query = select(FindingRow, ReportRow).join(ReportRow, ReportRow.id == FindingRow.report_id).where(*_equal(
        (FindingRow.run_id, run_id), (FindingRow.report_id, report_id), (FindingRow.site_id, site_id),
        (ReportRow.year, year), (FindingRow.severity, severity), (FindingRow.rule_id, rule_id),
        (FindingRow.status, status),
    ))
    if not include_waived:
        query = query.where(FindingRow.waived.is_(None))
    with store.reader() as s:
        found = [_finding_view(f, r) for f, r in s.execute(query)]
    rank = {sev: i for i, sev in enumerate(SEVERITIES)}
    return sorted(found, key=lambda v: (rank.get(v.severity, 9), v.source, v.rule_id, v.id))


def run_diff(store: Store, run_id: int, *, site_id: str | None = None) -> RunDiff:
    """The run compared with each site's previous completed run: new, persisting and resolved findings."""
    current = findings(store, run_id=run_id, site_id=site_id)
    with store.reader() as s:
        previous = {p.site_id: p.previous_run_id for p in s.scalars(
            select(RunSiteRow).where(RunSiteRow.run_id == run_id)) if site_id is None or p.site_id == site_id}
        query = (select(FindingRow, ReportRow)
                 .join(ResolvedFindingRow, ResolvedFindingRow.finding_id == FindingRow.id)
                 .join(ReportRow, ReportRow.id == FindingRow.report_id)
                 .where(ResolvedFindingRow.run_id == run_id))
        if site_id is not None:
            query = query.where(ResolvedFindingRow.site_id == site_id)
        resolved = [_finding_view(f, r, "resolved") for f, r in s.execute(query)]
    return RunDiff(run_id, previous, [f for f in current if f.status == "new"],
                   [f for f in current if f.status == "persisting"], resolved)


def document_versions(store: Store, document_id: int) -> list[VersionView]:
    """All stored versions of a document, oldest first (the evidence behind PUB-003)."""
    with store.reader() as s:
        doc = s.get(DocumentRow, document_id)
        if doc is None:
            return []
        rows = s.scalars(select(DocumentVersionRow).where(DocumentVersionRow.document_id == document_id)
                         .order_by(DocumentVersionRow.first_seen, DocumentVersionRow.id))
        return [VersionView(v.id, v.document_id, doc.url, v.sha256, v.format, v.encoding, v.published,
                            v.published_source, v.first_seen, v.last_seen, v.id == doc.current_version_id)
                for v in rows]


def captures(store: Store, *, run_id: int | None = None, url: str | None = None, limit: int = 1000) -> list[CaptureView]:
    """Fetches kept as evidence, by run or URL, in order."""
    query = (select(CaptureRow).where(*_equal((CaptureRow.run_id, run_id), (CaptureRow.url, url)))
             .order_by(CaptureRow.id).limit(limit))
    with store.reader() as s:
        return [CaptureView(c.id, c.run_id, c.url, c.final_url, c.purpose, c.fetched_at, c.status, c.sha256, c.size,
                            c.content_type, c.sniffed, c.not_modified, c.error, list(c.headers))
                for c in s.scalars(query)]


def blob(store: Store, sha256: str) -> bytes | None:
    """The stored bytes of a capture or document version (None if absent)."""
    return store.blobs.get(sha256) if store.blobs.has(sha256) else None
