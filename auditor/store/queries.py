"""Reading the store: the one read API of the web view and of every command that reads it.

Every function takes a :data:`Source` — the :class:`~auditor.store.Store` (a command: each call opens
and closes its own session) or an open :class:`~sqlalchemy.orm.Session` (the web view: one session per
page, so a page reads one consistent state) — and returns typed values: frozen dataclasses (with
``to_dict()`` for JSON) or small named tuples, never ORM rows, so callers need no session afterwards.

"Current" means, per site, its latest run of kind ``run`` that finished for that site; every report of
a site is stored again in each run (unchanged ones carried over), so a site's current reports are the
reports of that run.  Counts leave waived findings out.  The aggregate functions issue a handful of
grouped queries whatever the store's size; nothing here loops over rows issuing queries.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any, NamedTuple, Protocol, TypeAlias, TypeVar

from sqlalchemy import ColumnElement, Select, and_, func, select, tuple_
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased, raiseload
from sqlalchemy.sql import Subquery

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

JsonValue: TypeAlias = "str | int | float | bool | None | list[JsonValue] | dict[str, JsonValue]"
JsonObject: TypeAlias = "dict[str, JsonValue]"
"""A JSON object as stored (a report's model, a site's counts in a run)."""

Source: TypeAlias = "Store | Session"
"""What the functions read from: the store (one session per call) or a session the caller holds."""

SEVERITIES = ("error", "warning", "info")
DONE = ("done",)
"""run_sites statuses whose reports are complete enough to be the site's current state."""
LATE_RULE = "PUB-001"
"""The rule whose open finding marks a report as published late."""


@contextmanager
def _reading(source: Source) -> Iterator[Session]:
    """A session on ``source``: the caller's own, or a new one closed when the block ends."""
    if isinstance(source, Session):
        yield source
        return
    with source.reader() as session:
        yield session


# ------------------------------------------------------------------------------------------ the types


def _plain(value: object) -> JsonValue:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


class _Dict:
    def to_dict(self) -> JsonObject:
        """JSON-ready: dates as ISO strings."""
        plain = _plain(asdict(self))  # type: ignore[call-overload]  # every subclass is a dataclass
        assert isinstance(plain, dict)
        return plain


@dataclass(slots=True)
class Counts:
    """Open (not waived) findings by severity, how many of them are new, and how many were resolved."""

    error: int = 0
    warning: int = 0
    info: int = 0
    new: int = 0
    resolved: int = 0

    def add(self, severity: str, status: str | None, n: int) -> None:
        """Count ``n`` findings of ``severity`` whose run-to-run status is ``status``."""
        if severity == "error":
            self.error += n
        elif severity == "warning":
            self.warning += n
        else:
            self.info += n
        if status == "new":
            self.new += n

    def merge(self, other: Counts) -> None:
        """Add another set of counts to this one."""
        self.error += other.error
        self.warning += other.warning
        self.info += other.info
        self.new += other.new
        self.resolved += other.resolved

    @property
    def total(self) -> int:
        """All open findings."""
        return self.error + self.warning + self.info


class Narrowing(Protocol):
    """What narrows the findings counted or listed: a report year, a severity, a rule (None: all).

    The web view's filters have these attributes; :class:`FindingFilter` is the plain one."""

    @property
    def year(self) -> int | None: ...

    @property
    def severity(self) -> str | None: ...

    @property
    def rule(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class FindingFilter:
    """A :class:`Narrowing` of its own (for commands and tests)."""

    year: int | None = None
    severity: str | None = None
    rule: str | None = None


ALL = FindingFilter()


@dataclass(frozen=True, slots=True)
class SiteView(_Dict):
    """A site as configured when last crawled."""

    id: str
    name: str
    level: str | None
    deadline: str | None
    start_urls: list[str]


class SiteName(NamedTuple):
    """A site's id, name and level (what the overview lists and filters by)."""

    id: str
    name: str
    level: str | None


@dataclass(frozen=True, slots=True)
class RunSiteView(_Dict):
    """One site's part of a run."""

    status: str
    previous_run_id: int | None
    """The site's previous completed run this one was compared with."""
    counts: JsonObject
    """documents, audited, new, persisting, resolved, by_severity…, as the run wrote them."""


@dataclass(frozen=True, slots=True)
class RunInfo(_Dict):
    """A run: its kind (crawl or run), status and times."""

    id: int
    kind: str
    status: str
    started_at: datetime
    finished_at: datetime | None


@dataclass(frozen=True, slots=True)
class RunView(RunInfo):
    """A run and its state per site."""

    sites: dict[str, RunSiteView]
    """site id -> its part of the run, in the order the run listed its sites"""


@dataclass(frozen=True, slots=True)
class ReportView(_Dict):
    """A stored report of a run (``portal``: the site-level entry of portal findings)."""

    id: int
    run_id: int
    site_id: str | None
    document_id: int | None
    version_id: int | None
    source: str
    sha256: str
    title: str | None
    agency: str | None
    year: int | None
    published: date | None
    published_source: str | None
    template: str
    level: str | None
    format: str | None
    error: str | None
    portal: bool
    audited_run_id: int


@dataclass(frozen=True, slots=True)
class CountedReport(ReportView):
    """A report with its findings counted by severity (waived ones left out)."""

    counts: dict[str, int]
    """e.g. {"error": 2, "warning": 1, "info": 0}"""


Cell: TypeAlias = tuple[str, str, str]
"""(table, row id, column id) of a cell a finding names."""


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
    location: dict[str, str | None]
    """section, table, row, column"""
    evidence: str
    basis: str
    fix: str
    cells: list[Cell]
    waived: str | None
    status: str
    """new | persisting | resolved (resolved only for findings a later run no longer has)"""
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
    headers: list[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class RunDiff(_Dict):
    """A run compared with each site's previous completed run."""

    run_id: int
    previous_run_ids: dict[str, int | None]
    """site id -> the run it was compared with"""
    new: list[FindingView]
    persisting: list[FindingView]
    resolved: list[FindingView]


@dataclass(slots=True)
class ReportBrief:
    """One current report as the overview's cell lists it (no year: the site-level portal entry)."""

    id: int
    site_id: str
    year: int | None
    title: str | None
    source: str
    published: date | None
    counts: Counts
    late: bool = False


@dataclass(slots=True)
class RunPoint:
    """One audit run on the trend chart."""

    id: int
    started_at: datetime
    sites: int
    counts: Counts


class RuleCount(NamedTuple):
    """How many current findings of one rule and severity there are."""

    rule_id: str
    title: str
    severity: str
    n: int


class RecordedRule(NamedTuple):
    """A rule as its latest stored finding describes it."""

    rule_id: str
    title: str
    severity: str
    basis: str


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Where a report's bytes came from: the version stored and the capture that fetched it."""

    fetched_at: datetime | None
    first_seen: datetime | None
    final_url: str | None


@dataclass(slots=True)
class RuleHit:
    """A current report with findings of one rule."""

    report_id: int
    site_id: str | None
    site_name: str | None
    title: str | None
    year: int | None
    count: int
    first: str
    """The message of one of the findings, to show what was found."""


# ------------------------------------------------------------------------------------------ rows to views


def _site_view(r: SiteRow) -> SiteView:
    return SiteView(r.id, r.name, r.level, r.deadline, [str(u) for u in r.start_urls])


def _run_view(row: RunRow, parts: Iterable[RunSiteRow]) -> RunView:
    return RunView(row.id, row.kind, row.status, row.started_at, row.finished_at,
                   {p.site_id: RunSiteView(p.status, p.previous_run_id, dict(p.counts)) for p in parts})


def _report_fields(r: ReportRow) -> dict[str, Any]:
    return {name: getattr(r, name) for name in ReportView.__dataclass_fields__}


def _report_view(r: ReportRow) -> ReportView:
    return ReportView(**_report_fields(r))


def _cells(stored: Iterable[Any] | None) -> list[Cell]:
    """The stored cells as (table, row, column); anything else in the list is not a cell and left out."""
    return [(str(c[0]), str(c[1]), str(c[2]))
            for c in stored or [] if isinstance(c, (list, tuple)) and len(c) == 3]


def _finding_view(f: FindingRow, r: ReportRow, status: str | None = None) -> FindingView:
    location = {str(k): (None if v is None else str(v)) for k, v in (f.location or {}).items()}
    return FindingView(f.id, f.run_id, f.report_id, f.site_id, r.source, r.year, f.fingerprint, f.rule_id,
                       f.severity, f.title, f.message, location, f.evidence, f.basis, f.fix, _cells(f.cells),
                       f.waived, status or f.status, f.origin, f.first_run_id)


def _capture_view(c: CaptureRow) -> CaptureView:
    headers = [(str(h[0]), str(h[1]))
               for h in c.headers or [] if isinstance(h, (list, tuple)) and len(h) == 2]
    return CaptureView(c.id, c.run_id, c.url, c.final_url, c.purpose, c.fetched_at, c.status, c.sha256,
                       c.size, c.content_type, c.sniffed, c.not_modified, c.error, headers)


def _equal(*filters: tuple[InstrumentedAttribute[Any], object]) -> list[ColumnElement[bool]]:
    """``column == value`` for each (column, value) whose value is set: the optional filters of a query."""
    return [column == value for column, value in filters if value is not None]


def _by_severity(found: Iterable[FindingView]) -> list[FindingView]:
    rank = {sev: i for i, sev in enumerate(SEVERITIES)}
    return sorted(found, key=lambda v: (rank.get(v.severity, 9), v.source, v.rule_id, v.id))


# ------------------------------------------------------------------------------------------ sites and runs


def sites(source: Source) -> list[SiteView]:
    """All sites ever crawled, by id."""
    with _reading(source) as s:
        return [_site_view(r) for r in s.scalars(select(SiteRow).order_by(SiteRow.id))]


def get_site(source: Source, site_id: str) -> SiteView | None:
    """One site, or None if it was never crawled."""
    with _reading(source) as s:
        row = s.get(SiteRow, site_id)
        return _site_view(row) if row is not None else None


def site_names(source: Source) -> list[SiteName]:
    """(id, name, level) of every stored site (a few thousand at most), by name."""
    with _reading(source) as s:
        rows = s.execute(select(SiteRow.id, SiteRow.name, SiteRow.level).order_by(SiteRow.name))
        return [SiteName(site_id, name, level) for site_id, name, level in rows]


def runs(source: Source, *, site_id: str | None = None, kind: str | None = None, status: str | None = None,
         limit: int = 50) -> list[RunView]:
    """Runs, newest first, optionally of one site, kind (crawl/run) or status (done, interrupted…)."""
    query = (select(RunRow).where(*_equal((RunRow.kind, kind), (RunRow.status, status)))
             .order_by(RunRow.id.desc()).limit(limit))
    if site_id is not None:
        query = query.where(RunRow.id.in_(select(RunSiteRow.run_id).where(RunSiteRow.site_id == site_id)))
    with _reading(source) as s:
        rows = s.scalars(query).all()
        parts: dict[int, list[RunSiteRow]] = defaultdict(list)
        for p in s.scalars(select(RunSiteRow).where(RunSiteRow.run_id.in_([r.id for r in rows]))
                           .order_by(RunSiteRow.id)):
            parts[p.run_id].append(p)
        return [_run_view(r, parts[r.id]) for r in rows]


def get_run(source: Source, run_id: int) -> RunView | None:
    """One run, or None if there is no such run."""
    with _reading(source) as s:
        row = s.get(RunRow, run_id)
        if row is None:
            return None
        return _run_view(row, s.scalars(select(RunSiteRow).where(RunSiteRow.run_id == run_id)
                                        .order_by(RunSiteRow.id)))


def run_info(source: Source, run_id: int) -> RunInfo | None:
    """One run without its sites (a run over thousands of sites has as many parts), or None."""
    with _reading(source) as s:
        row = s.get(RunRow, run_id)
        if row is None:
            return None
        return RunInfo(row.id, row.kind, row.status, row.started_at, row.finished_at)


def run_status(source: Source, run_id: int) -> str | None:
    """A run's status (running, done, failed, interrupted), or None if there is no such run."""
    with _reading(source) as s:
        return s.scalar(select(RunRow.status).where(RunRow.id == run_id))


def latest_run(source: Source, *, site_id: str | None = None) -> RunView | None:
    """The newest completed `run` (with findings), optionally of one site."""
    found = runs(source, site_id=site_id, kind="run", status="done", limit=1)
    return found[0] if found else None


# ------------------------------------------------------------------------------------------ reports


def get_report(source: Source, report_id: int) -> ReportView | None:
    """One report, or None if there is no such report."""
    with _reading(source) as s:
        row = s.get(ReportRow, report_id, options=[raiseload(ReportRow.stored_model)])
        return _report_view(row) if row is not None else None


def run_reports(source: Source, run_id: int, *, site_id: str | None = None) -> list[CountedReport]:
    """The reports of a run with their finding counts by severity (waived findings not counted)."""
    query = (select(ReportRow).options(raiseload(ReportRow.stored_model)).where(ReportRow.run_id == run_id)
             .order_by(ReportRow.site_id, ReportRow.year.desc(), ReportRow.id))
    if site_id is not None:
        query = query.where(ReportRow.site_id == site_id)
    counting = (select(FindingRow.report_id, FindingRow.severity, func.count())
                .where(FindingRow.run_id == run_id, FindingRow.waived.is_(None))
                .group_by(FindingRow.report_id, FindingRow.severity))
    with _reading(source) as s:
        rows = s.scalars(query).all()
        counts: dict[int, Counter[str]] = defaultdict(Counter)
        for report_id, severity, n in s.execute(counting):
            counts[report_id][severity] = n
        return [CountedReport(**_report_fields(r), counts={sev: counts[r.id][sev] for sev in SEVERITIES})
                for r in rows]


def models_of(source: Source, report_ids: Collection[int]) -> dict[int, JsonObject]:
    """The stored models (``Document.to_dict()``) of some reports, by report id (those that have one)."""
    with _reading(source) as s:
        rows = s.execute(
            select(ReportRow.id, ModelRow.model)
            .join(ModelRow, ModelRow.id == ReportRow.model_id)
            .where(ReportRow.id.in_(report_ids))
        )
        return {report_id: model for report_id, model in rows if model}


def report_model(source: Source, report_id: int) -> JsonObject | None:
    """The stored ``Document.to_dict()`` of a report (sections, tables as grids) for rendering; None when
    there is no such report or it has no model (portal entries, unreadable files)."""
    return models_of(source, [report_id]).get(report_id)


def snapshot_of(source: Source, report: ReportView) -> Snapshot:
    """The stored version and capture behind a report (all empty when it was not crawled)."""
    if report.version_id is None:
        return Snapshot(None, None, None)
    with _reading(source) as s:
        row = s.execute(
            select(DocumentVersionRow.first_seen, CaptureRow.fetched_at, CaptureRow.final_url)
            .outerjoin(CaptureRow, CaptureRow.id == DocumentVersionRow.capture_id)
            .where(DocumentVersionRow.id == report.version_id)
        ).one_or_none()
    if row is None:
        return Snapshot(None, None, None)
    first_seen, fetched_at, final_url = row
    return Snapshot(fetched_at=fetched_at, first_seen=first_seen, final_url=final_url)


def siblings_of(source: Source, report: ReportView) -> list[ReportView]:
    """The other reports of the same site and year in the same run (a page and its attachments)."""
    if report.site_id is None or report.year is None:
        return []
    stmt = (
        select(ReportRow)
        .options(raiseload(ReportRow.stored_model))
        .where(
            ReportRow.run_id == report.run_id,
            ReportRow.site_id == report.site_id,
            ReportRow.year == report.year,
            ReportRow.id != report.id,
        )
        .order_by(ReportRow.id)
    )
    with _reading(source) as s:
        return [_report_view(r) for r in s.scalars(stmt)]


def newer_report_of(source: Source, report: ReportView) -> int | None:
    """The id of the same source's report in the site's current run, when this one is from an older run."""
    if report.site_id is None:
        return None
    cur = current_runs([report.site_id])
    stmt = (
        select(ReportRow.id)
        .join(cur, _in_current(cur, ReportRow.run_id, ReportRow.site_id))
        .where(ReportRow.site_id == report.site_id, ReportRow.source == report.source,
               ReportRow.id != report.id)
    )
    with _reading(source) as s:
        return s.scalar(stmt)


# ------------------------------------------------------------------------------------------ findings


def findings(
    source: Source,
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
        latest = latest_run(source, site_id=site_id)
        if latest is None:
            return []
        run_id = latest.id
    query = select(FindingRow, ReportRow).join(ReportRow, ReportRow.id == FindingRow.report_id).where(*_equal(
        (FindingRow.run_id, run_id), (FindingRow.report_id, report_id), (FindingRow.site_id, site_id),
        (ReportRow.year, year), (FindingRow.severity, severity), (FindingRow.rule_id, rule_id),
        (FindingRow.status, status),
    )).options(raiseload(ReportRow.stored_model))
    if not include_waived:
        query = query.where(FindingRow.waived.is_(None))
    with _reading(source) as s:
        return _by_severity(_finding_view(f, r) for f, r in s.execute(query))


def _stored_findings(source: Source, where: ColumnElement[bool]) -> list[FindingView]:
    query = (select(FindingRow, ReportRow).join(ReportRow, ReportRow.id == FindingRow.report_id)
             .options(raiseload(ReportRow.stored_model))
             .where(where).order_by(FindingRow.id))
    with _reading(source) as s:
        return [_finding_view(f, r) for f, r in s.execute(query)]


def findings_of(source: Source, report_id: int) -> list[FindingView]:
    """A report's findings, waived ones included, in the order they were stored (the writers' order)."""
    return _stored_findings(source, FindingRow.report_id == report_id)


def run_findings(source: Source, run_id: int) -> list[FindingView]:
    """Every finding of a run, waived ones included, in the order they were stored."""
    return _stored_findings(source, FindingRow.run_id == run_id)


def _resolved_findings(session: Session, run_id: int, site_id: str | None, source_url: str | None = None
                       ) -> list[FindingView]:
    """The earlier findings that run ``run_id`` recorded as resolved (of one site, one report's source),
    in the order they were recorded."""
    query = (select(FindingRow, ReportRow)
             .join(ResolvedFindingRow, ResolvedFindingRow.finding_id == FindingRow.id)
             .join(ReportRow, ReportRow.id == FindingRow.report_id)
             .options(raiseload(ReportRow.stored_model))
             .where(ResolvedFindingRow.run_id == run_id)
             .order_by(ResolvedFindingRow.id))
    if site_id is not None:
        query = query.where(ResolvedFindingRow.site_id == site_id)
    if source_url is not None:
        query = query.where(ReportRow.source == source_url)
    return [_finding_view(f, r, "resolved") for f, r in session.execute(query)]


def resolved_findings(source: Source, run_id: int, *, site_id: str | None = None) -> list[FindingView]:
    """The earlier findings that run ``run_id`` no longer has (of one site), as they were last stored."""
    with _reading(source) as s:
        return _resolved_findings(s, run_id, site_id)


def resolved_of(source: Source, report: ReportView) -> list[FindingView]:
    """Findings of the previous run on the same source that the report's run no longer has."""
    if report.site_id is None:
        return []
    with _reading(source) as s:
        return _resolved_findings(s, report.run_id, report.site_id, report.source)


def run_diff(source: Source, run_id: int, *, site_id: str | None = None) -> RunDiff:
    """The run compared with each site's previous completed run: new, persisting and resolved findings."""
    current = findings(source, run_id=run_id, site_id=site_id)
    with _reading(source) as s:
        previous = {p.site_id: p.previous_run_id for p in s.scalars(
            select(RunSiteRow).where(RunSiteRow.run_id == run_id)) if site_id is None or p.site_id == site_id}
    resolved = resolved_findings(source, run_id, site_id=site_id)
    return RunDiff(run_id, previous, [f for f in current if f.status == "new"],
                   [f for f in current if f.status == "persisting"], resolved)


# ---------------------------------------------------------------------------------- documents, captures


def document_versions(source: Source, document_id: int | None) -> list[VersionView]:
    """All stored versions of a document, oldest first (the evidence behind PUB-003)."""
    if document_id is None:
        return []
    with _reading(source) as s:
        doc = s.get(DocumentRow, document_id)
        if doc is None:
            return []
        rows = s.scalars(select(DocumentVersionRow).where(DocumentVersionRow.document_id == document_id)
                         .order_by(DocumentVersionRow.first_seen, DocumentVersionRow.id))
        return [VersionView(v.id, v.document_id, doc.url, v.sha256, v.format, v.encoding, v.published,
                            v.published_source, v.first_seen, v.last_seen, v.id == doc.current_version_id)
                for v in rows]


def captures(source: Source, *, run_id: int | None = None, url: str | None = None, answered: bool = False,
             limit: int | None = 1000) -> list[CaptureView]:
    """Fetches kept as evidence, by run or URL, in order (``answered``: only those with a response)."""
    query = select(CaptureRow).where(*_equal((CaptureRow.run_id, run_id), (CaptureRow.url, url)))
    if answered:
        query = query.where(CaptureRow.status.is_not(None))
    query = query.order_by(CaptureRow.id).limit(limit)
    with _reading(source) as s:
        return [_capture_view(c) for c in s.scalars(query)]


def first_captures(source: Source, sha256s: Collection[str]) -> dict[str, CaptureView]:
    """Per body digest, the first capture that stored the body itself (not a 304 revisit of it)."""
    query = (select(CaptureRow).where(CaptureRow.sha256.in_(sha256s), CaptureRow.not_modified.is_(False))
             .order_by(CaptureRow.id))
    out: dict[str, CaptureView] = {}
    with _reading(source) as s:
        for c in s.scalars(query):
            if c.sha256 is not None:
                out.setdefault(c.sha256, _capture_view(c))
    return out


def blob(store: Store, sha256: str) -> bytes | None:
    """The stored bytes of a capture or document version (None if absent)."""
    return store.blobs.get(sha256) if store.blobs.has(sha256) else None


# ------------------------------------------------------------------------------------------ current state


def state_token(source: Source) -> tuple[object, ...]:
    """What changes whenever a run stores something the current state is counted from (a cache key)."""
    stmt = select(
        select(func.max(FindingRow.id)).scalar_subquery(),
        select(func.max(ResolvedFindingRow.id)).scalar_subquery(),
        select(func.max(ReportRow.id)).scalar_subquery(),
        select(func.max(SiteRow.updated_at)).scalar_subquery(),
        select(func.count()).select_from(RunSiteRow).where(RunSiteRow.status == "done").scalar_subquery(),
    )
    with _reading(source) as s:
        return tuple(s.execute(stmt).one())


def current_runs(site_ids: Collection[str] | None = None) -> Subquery:
    """(site_id, run_id): each site's latest finished audit run (of the given sites only, if any)."""
    stmt = (
        select(RunSiteRow.site_id.label("site_id"), func.max(RunSiteRow.run_id).label("run_id"))
        .join(RunRow, RunRow.id == RunSiteRow.run_id)
        .where(RunRow.kind == "run", RunSiteRow.status.in_(DONE))
        .group_by(RunSiteRow.site_id)
    )
    if site_ids is not None:
        stmt = stmt.where(RunSiteRow.site_id.in_(site_ids))
    return stmt.subquery("cur")


def _in_current(cur: Subquery, run_col: Any, site_col: Any) -> ColumnElement[bool]:
    return and_(run_col == cur.c.run_id, site_col == cur.c.site_id)


SelectT = TypeVar("SelectT", bound="Select[*tuple[Any, ...]]")


def _narrow(
    stmt: SelectT,
    finding: Any,
    report: Any,
    f: Narrowing,
    site_ids: Collection[str] | None,
    *,
    waived: bool = False,
    joined: bool = False,
) -> SelectT:
    """Apply the filter to a statement over ``finding``; waived findings are left out unless ``waived``.

    The report (``report``, an alias of the reports table) is joined only when the year is filtered
    on (unless the statement has ``joined`` it already), so counting findings never touches the
    reports' rows otherwise.
    """
    if not waived:
        stmt = stmt.where(finding.waived.is_(None))
    if f.severity is not None:
        stmt = stmt.where(finding.severity == f.severity)
    if f.rule is not None:
        stmt = stmt.where(finding.rule_id == f.rule)
    if f.year is not None:
        if not joined:
            stmt = stmt.join(report, report.id == finding.report_id)
        stmt = stmt.where(report.year == f.year)
    if site_ids is not None:
        stmt = stmt.where(finding.site_id.in_(site_ids))
    return stmt


def _counts_by(key: Any, keys: Collection[Any]) -> Select[Any]:
    """Findings whose ``key`` column is one of ``keys``, counted by (key, severity, status)."""
    return (
        select(key, FindingRow.severity, FindingRow.status, func.count())
        .where(key.in_(keys))
        .group_by(key, FindingRow.severity, FindingRow.status)
    )


def site_counts(source: Source, f: Narrowing, site_ids: Collection[str] | None) -> dict[str, Counts]:
    """Per site, its current findings matching the filter, and those resolved in its current run."""
    cur = current_runs(site_ids)
    out: dict[str, Counts] = defaultdict(Counts)
    stmt = (
        select(cur.c.site_id, FindingRow.severity, FindingRow.status, func.count())
        .join(cur, _in_current(cur, FindingRow.run_id, FindingRow.site_id))
        .group_by(cur.c.site_id, FindingRow.severity, FindingRow.status)
    )
    with _reading(source) as s:
        for site_id, severity, status, n in s.execute(_narrow(stmt, FindingRow, ReportRow, f, None)):
            out[site_id].add(severity, status, n)
        for site_id, n in s.execute(_resolved(cur, f, by_year=False)):
            out[site_id].resolved += n
    return dict(out)


def _resolved(cur: Subquery, f: Narrowing, *, by_year: bool) -> Select[Any]:
    """Resolved findings in the sites' current runs, grouped by site (and the old report's year)."""
    old = aliased(FindingRow)
    old_report = aliased(ReportRow)
    keys: list[Any] = [ResolvedFindingRow.site_id, *([old_report.year] if by_year else [])]
    # Membership rather than a join: resolved_findings is indexed by run only, so probing it per site
    # would scan a run's rows once per site; this scans them once.
    resolved_in = tuple_(ResolvedFindingRow.run_id, ResolvedFindingRow.site_id)
    current = resolved_in.in_(select(cur.c.run_id, cur.c.site_id))
    stmt = select(*keys, func.count()).where(current).join(old, old.id == ResolvedFindingRow.finding_id)
    if by_year:
        stmt = stmt.join(old_report, old_report.id == old.report_id)
    return _narrow(stmt.group_by(*keys), old, old_report, f, None, joined=by_year)


def site_years(source: Source, site_ids: Collection[str] | None) -> dict[str, set[int]]:
    """Per site, the report years among its current reports."""
    cur = current_runs(site_ids)
    stmt = (
        select(cur.c.site_id, ReportRow.year)
        .join(cur, _in_current(cur, ReportRow.run_id, ReportRow.site_id))
        .where(ReportRow.year.is_not(None))
        .distinct()
    )
    out: dict[str, set[int]] = defaultdict(set)
    with _reading(source) as s:
        for site_id, year in s.execute(stmt):
            if year is not None:
                out[site_id].add(year)
    return dict(out)


def current_sites(source: Source, site_ids: Collection[str] | None) -> set[str]:
    """The sites (of those given, or all) that have a finished audit run."""
    with _reading(source) as s:
        return set(s.scalars(select(current_runs(site_ids).c.site_id)))


def current_run_of(source: Source, site_ids: Collection[str]) -> dict[str, tuple[int, datetime]]:
    """Per site, its current run's id and start time."""
    cur = current_runs(site_ids)
    stmt = select(cur.c.site_id, RunRow.id, RunRow.started_at).join(RunRow, RunRow.id == cur.c.run_id)
    with _reading(source) as s:
        return {site_id: (run_id, started) for site_id, run_id, started in s.execute(stmt)}


def reports_of_sites(source: Source, f: Narrowing, site_ids: Collection[str]) -> list[ReportBrief]:
    """The current reports of some sites (one overview page), with their matching finding counts."""
    if not site_ids:
        return []
    cur = current_runs(site_ids)
    stmt = (
        select(ReportRow.id, cur.c.site_id, ReportRow.year, ReportRow.title,
               ReportRow.source, ReportRow.published)
        .join(cur, _in_current(cur, ReportRow.run_id, ReportRow.site_id))
        .order_by(cur.c.site_id, ReportRow.year, ReportRow.id)
    )
    if f.year is not None:
        stmt = stmt.where(ReportRow.year == f.year)
    with _reading(source) as s:
        briefs = {
            row.id: ReportBrief(id=row.id, site_id=row.site_id, year=row.year, title=row.title,
                                source=row.source, published=row.published, counts=Counts())
            for row in s.execute(stmt)
        }
        if not briefs:
            return []
        counted = _narrow(_counts_by(FindingRow.report_id, briefs), FindingRow, ReportRow, f, None)
        for report_id, severity, status, n in s.execute(counted):
            briefs[report_id].counts.add(severity, status, n)
        late = select(FindingRow.report_id).where(
            FindingRow.report_id.in_(briefs), FindingRow.rule_id == LATE_RULE, FindingRow.waived.is_(None)
        )
        for report_id in s.scalars(late.distinct()):
            briefs[report_id].late = True
    return list(briefs.values())


def resolved_by_site_year(
    source: Source, f: Narrowing, site_ids: Collection[str]
) -> dict[tuple[str, int | None], int]:
    """Resolved findings in the current runs of some sites, by (site, year of the report they were on)."""
    if not site_ids:
        return {}
    stmt = _resolved(current_runs(site_ids), f, by_year=True)
    with _reading(source) as s:
        return {(site_id, year): n for site_id, year, n in s.execute(stmt)}


def late_count(source: Source, f: Narrowing, site_ids: Collection[str] | None) -> int:
    """How many current reports (of the filter's year) were published late: carry an open PUB-001."""
    cur = current_runs(site_ids)
    stmt = select(func.count(func.distinct(FindingRow.report_id))).join(
        cur, _in_current(cur, FindingRow.run_id, FindingRow.site_id)
    )
    late = FindingFilter(year=f.year, rule=LATE_RULE)
    with _reading(source) as s:
        return s.scalar(_narrow(stmt, FindingRow, ReportRow, late, None)) or 0


def counts_by_rule(source: Source, f: Narrowing, site_ids: Collection[str] | None) -> list[RuleCount]:
    """The current findings matching the filter by rule and severity, most frequent first."""
    cur = current_runs(site_ids)
    stmt = (
        select(FindingRow.rule_id, func.min(FindingRow.title), FindingRow.severity, func.count().label("n"))
        .join(cur, _in_current(cur, FindingRow.run_id, FindingRow.site_id))
        .group_by(FindingRow.rule_id, FindingRow.severity)
        .order_by(func.count().desc(), FindingRow.rule_id)
    )
    with _reading(source) as s:
        rows = s.execute(_narrow(stmt, FindingRow, ReportRow, f, None))
        return [RuleCount(r, t, sev, n) for r, t, sev, n in rows]


def trend(source: Source, f: Narrowing, site_ids: Collection[str] | None, limit: int = 12) -> list[RunPoint]:
    """The last ``limit`` finished audit runs, oldest first, with their findings matching the filter."""
    recent = (
        select(RunRow.id, RunRow.started_at, func.count(RunSiteRow.id))
        .join(RunSiteRow, RunSiteRow.run_id == RunRow.id)
        .where(RunRow.kind == "run", RunSiteRow.status.in_(DONE))
        .group_by(RunRow.id)
        .order_by(RunRow.id.desc())
        .limit(limit)
    )
    if site_ids is not None:
        recent = recent.where(RunSiteRow.site_id.in_(site_ids))
    with _reading(source) as s:
        points = {rid: RunPoint(rid, started, n, Counts()) for rid, started, n in s.execute(recent)}
        if not points:
            return []
        counted = _narrow(_counts_by(FindingRow.run_id, points), FindingRow, ReportRow, f, site_ids)
        for run_id, severity, status, n in s.execute(counted):
            points[run_id].counts.add(severity, status, n)
        old = aliased(FindingRow)
        old_report = aliased(ReportRow)
        resolved = (
            select(ResolvedFindingRow.run_id, func.count())
            .join(old, old.id == ResolvedFindingRow.finding_id)
            .where(ResolvedFindingRow.run_id.in_(points))
            .group_by(ResolvedFindingRow.run_id)
        )
        for run_id, n in s.execute(_narrow(resolved, old, old_report, f, site_ids)):
            points[run_id].counts.resolved += n
    return sorted(points.values(), key=lambda p: p.id)


def current_years(source: Source) -> list[int]:
    """Report years present among the current reports, newest first."""
    cur = current_runs()
    stmt = (
        select(ReportRow.year)
        .join(cur, _in_current(cur, ReportRow.run_id, ReportRow.site_id))
        .where(ReportRow.year.is_not(None))
        .distinct()
        .order_by(ReportRow.year.desc())
    )
    with _reading(source) as s:
        return [y for y in s.scalars(stmt) if y is not None]


def current_rule_ids(source: Source) -> list[str]:
    """Rule ids that occur among the current findings."""
    cur = current_runs()
    stmt = (
        select(FindingRow.rule_id)
        .join(cur, _in_current(cur, FindingRow.run_id, FindingRow.site_id))
        .distinct()
        .order_by(FindingRow.rule_id)
    )
    with _reading(source) as s:
        return list(s.scalars(stmt))


def rule_hits(
    source: Source, rule_id: str, f: Narrowing, site_ids: Collection[str] | None, offset: int, limit: int
) -> tuple[int, list[RuleHit]]:
    """The current reports with open findings of ``rule_id`` (a page of them) and how many there are."""
    cur = current_runs(site_ids)
    base = (
        select(FindingRow.report_id, func.count().label("n"), func.min(FindingRow.message).label("first"))
        .join(cur, _in_current(cur, FindingRow.run_id, FindingRow.site_id))
        .where(FindingRow.rule_id == rule_id)
        .group_by(FindingRow.report_id)
    )
    grouped = _narrow(base, FindingRow, ReportRow, f, None).subquery("hits")
    stmt = (
        select(grouped.c.report_id, ReportRow.site_id, SiteRow.name, ReportRow.title, ReportRow.year,
               grouped.c.n, grouped.c.first)
        .join(ReportRow, ReportRow.id == grouped.c.report_id)
        .outerjoin(SiteRow, SiteRow.id == ReportRow.site_id)
        .order_by(grouped.c.n.desc(), SiteRow.name, ReportRow.year.desc())
        .offset(offset)
        .limit(limit)
    )
    with _reading(source) as s:
        total = s.scalar(select(func.count()).select_from(grouped)) or 0
        return total, [RuleHit(*row) for row in s.execute(stmt)]


def current_findings(
    source: Source, f: Narrowing, site_ids: Collection[str] | None
) -> list[tuple[ReportView, list[FindingView]]]:
    """The current reports with their findings matching the filter, waived ones included, in stored order
    (every report when no severity or rule is chosen; only those with a matching finding otherwise), as
    the downloads write them.  The reports' models are not read (see :func:`models_of`)."""
    cur = current_runs(site_ids)
    reports = (
        select(ReportRow)
        .options(raiseload(ReportRow.stored_model))
        .join(cur, _in_current(cur, ReportRow.run_id, ReportRow.site_id))
        .order_by(ReportRow.site_id, ReportRow.year, ReportRow.id)
    )
    if f.year is not None:
        reports = reports.where(ReportRow.year == f.year)
    found = (
        select(FindingRow)
        .join(cur, _in_current(cur, FindingRow.run_id, FindingRow.site_id))
        .order_by(FindingRow.report_id, FindingRow.id)
    )
    with _reading(source) as s:
        rows = {r.id: r for r in s.scalars(reports)}
        by_report: dict[int, list[FindingView]] = {report_id: [] for report_id in rows}
        for finding in s.scalars(_narrow(found, FindingRow, ReportRow, f, None, waived=True)):
            report = rows.get(finding.report_id)
            if report is not None:
                by_report[report.id].append(_finding_view(finding, report))
    pairs = [(_report_view(rows[report_id]), listed) for report_id, listed in by_report.items()]
    if f.severity is not None or f.rule is not None:
        pairs = [p for p in pairs if p[1]]
    return pairs


def recorded_rules(source: Source, known: Collection[str]) -> list[RecordedRule]:
    """Rules in stored findings that ``known`` lacks (READ-001 …), as each one's latest finding describes
    it: one small query per such rule, and there are a handful."""
    latest = (select(FindingRow.title, FindingRow.severity, FindingRow.basis)
              .order_by(FindingRow.id.desc()).limit(1))
    out = []
    with _reading(source) as s:
        for rule_id in [r for r in s.scalars(select(FindingRow.rule_id).distinct()) if r not in known]:
            title, severity, basis = s.execute(latest.where(FindingRow.rule_id == rule_id)).one()
            out.append(RecordedRule(rule_id, title, severity, basis))
    return out
