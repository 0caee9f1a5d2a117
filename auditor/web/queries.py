"""The web view's reads from the store: aggregate queries over the stored runs, reports and findings.

"Current" means, per site, its latest run of kind ``run`` that finished for that site; every report of
a site is stored again in each run (unchanged ones carried over), so a site's current reports are the
reports of that run.  Counts leave waived findings out.  Each page issues a handful of grouped queries
whatever the store's size; nothing here loops over rows issuing queries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import Select, and_, func, select, tuple_
from sqlalchemy.orm import Session, aliased, raiseload
from sqlalchemy.sql import Subquery

from auditor.store.schema import (
    CaptureRow,
    DocumentVersionRow,
    FindingRow,
    ModelRow,
    ReportRow,
    ResolvedFindingRow,
    RunRow,
    RunSiteRow,
    SiteRow,
)
from auditor.web.counts import Counts
from auditor.web.filters import Filters

DONE = ("done",)
"""run_sites statuses whose reports are complete enough to be the site's current state."""

LATE_RULE = "PUB-001"


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


def _in_current(cur: Subquery, run_col: Any, site_col: Any) -> Any:
    return and_(run_col == cur.c.run_id, site_col == cur.c.site_id)


SelectT = TypeVar("SelectT", bound=Select)  # type: ignore[type-arg]


def _narrow(
    stmt: SelectT,
    finding: Any,
    report: Any,
    f: Filters,
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


def all_sites(session: Session) -> list[tuple[str, str, str | None]]:
    """(id, name, level) of every stored site (a few thousand at most), by name."""
    rows = session.execute(select(SiteRow.id, SiteRow.name, SiteRow.level).order_by(SiteRow.name))
    return [(site_id, name, level) for site_id, name, level in rows]


def site_counts(session: Session, f: Filters, site_ids: Collection[str] | None) -> dict[str, Counts]:
    """Per site, its current findings matching the filter, and those resolved in its current run."""
    cur = current_runs(site_ids)
    out: dict[str, Counts] = defaultdict(Counts)
    stmt = (
        select(cur.c.site_id, FindingRow.severity, FindingRow.status, func.count())
        .join(cur, _in_current(cur, FindingRow.run_id, FindingRow.site_id))
        .group_by(cur.c.site_id, FindingRow.severity, FindingRow.status)
    )
    for site_id, severity, status, n in session.execute(_narrow(stmt, FindingRow, ReportRow, f, None)):
        out[site_id].add(severity, status, n)
    for site_id, n in session.execute(_resolved(cur, f, by_year=False)):
        out[site_id].resolved += n
    return dict(out)


def _resolved(cur: Subquery, f: Filters, *, by_year: bool) -> Select[Any]:
    """Resolved findings in the sites' current runs, grouped by site (and the old report's year)."""
    old = aliased(FindingRow)
    old_report = aliased(ReportRow)
    keys: list[Any] = [ResolvedFindingRow.site_id, *([old_report.year] if by_year else [])]
    # Membership rather than a join: resolved_findings is indexed by run only, so probing it per site
    # would scan a run's rows once per site; this scans them once.
    current = tuple_(ResolvedFindingRow.run_id, ResolvedFindingRow.site_id).in_(select(cur.c.run_id, cur.c.site_id))
    stmt = select(*keys, func.count()).where(current).join(old, old.id == ResolvedFindingRow.finding_id)
    if by_year:
        stmt = stmt.join(old_report, old_report.id == old.report_id)
    return _narrow(stmt.group_by(*keys), old, old_report, f, None, joined=by_year)


def site_years(session: Session, site_ids: Collection[str] | None) -> dict[str, set[int]]:
    """Per site, the report years among its current reports."""
    cur = current_runs(site_ids)
    stmt = (
        select(cur.c.site_id, ReportRow.year)
        .join(cur, _in_current(cur, ReportRow.run_id, ReportRow.site_id))
        .where(ReportRow.year.is_not(None))
        .distinct()
    )
    out: dict[str, set[int]] = defaultdict(set)
    for site_id, year in session.execute(stmt):
        if year is not None:
            out[site_id].add(year)
    return dict(out)


def current_sites(session: Session, site_ids: Collection[str] | None) -> set[str]:
    """The sites (of those given, or all) that have a finished audit run."""
    return set(session.scalars(select(current_runs(site_ids).c.site_id)))


def current_run_of(session: Session, site_ids: Collection[str]) -> dict[str, tuple[int, datetime]]:
    """Per site, its current run's id and start time."""
    cur = current_runs(site_ids)
    stmt = select(cur.c.site_id, RunRow.id, RunRow.started_at).join(RunRow, RunRow.id == cur.c.run_id)
    return {site_id: (run_id, started) for site_id, run_id, started in session.execute(stmt)}


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


def reports_of_sites(session: Session, f: Filters, site_ids: Collection[str]) -> list[ReportBrief]:
    """The current reports of some sites (one overview page), with their matching finding counts."""
    if not site_ids:
        return []
    cur = current_runs(site_ids)
    stmt = (
        select(
            ReportRow.id, cur.c.site_id, ReportRow.year, ReportRow.title, ReportRow.source, ReportRow.published
        )
        .join(cur, _in_current(cur, ReportRow.run_id, ReportRow.site_id))
        .order_by(cur.c.site_id, ReportRow.year, ReportRow.id)
    )
    if f.year is not None:
        stmt = stmt.where(ReportRow.year == f.year)
    briefs = {
        row.id: ReportBrief(
            id=row.id, site_id=row.site_id, year=row.year, title=row.title, source=row.source,
            published=row.published, counts=Counts(),
        )
        for row in session.execute(stmt)
    }
    if not briefs:
        return []
    counted = _narrow(_counts_by(FindingRow.report_id, briefs), FindingRow, ReportRow, f, None)
    for report_id, severity, status, n in session.execute(counted):
        briefs[report_id].counts.add(severity, status, n)
    late = select(FindingRow.report_id).where(
        FindingRow.report_id.in_(briefs), FindingRow.rule_id == LATE_RULE, FindingRow.waived.is_(None)
    )
    for report_id in session.scalars(late.distinct()):
        briefs[report_id].late = True
    return list(briefs.values())


def resolved_by_site_year(
    session: Session, f: Filters, site_ids: Collection[str]
) -> dict[tuple[str, int | None], int]:
    """Resolved findings in the current runs of some sites, by (site, year of the report they were on)."""
    if not site_ids:
        return {}
    stmt = _resolved(current_runs(site_ids), f, by_year=True)
    return {(site_id, year): n for site_id, year, n in session.execute(stmt)}


def late_count(session: Session, f: Filters, site_ids: Collection[str] | None) -> int:
    """How many current reports (of the filter's year) were published late: carry an open PUB-001."""
    cur = current_runs(site_ids)
    stmt = select(func.count(func.distinct(FindingRow.report_id))).join(
        cur, _in_current(cur, FindingRow.run_id, FindingRow.site_id)
    )
    return session.scalar(_narrow(stmt, FindingRow, ReportRow, Filters(year=f.year, rule=LATE_RULE), None)) or 0


def counts_by_rule(
    session: Session, f: Filters, site_ids: Collection[str] | None
) -> list[tuple[str, str, str, int]]:
    """(rule id, title, severity, count) of the current findings matching the filter, most frequent first."""
    cur = current_runs(site_ids)
    stmt = (
        select(FindingRow.rule_id, func.min(FindingRow.title), FindingRow.severity, func.count().label("n"))
        .join(cur, _in_current(cur, FindingRow.run_id, FindingRow.site_id))
        .group_by(FindingRow.rule_id, FindingRow.severity)
        .order_by(func.count().desc(), FindingRow.rule_id)
    )
    return [(r, t, s, n) for r, t, s, n in session.execute(_narrow(stmt, FindingRow, ReportRow, f, None))]


@dataclass(slots=True)
class RunPoint:
    """One audit run on the trend chart."""

    id: int
    started_at: datetime
    sites: int
    counts: Counts


def trend(session: Session, f: Filters, site_ids: Collection[str] | None, limit: int = 12) -> list[RunPoint]:
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
    points = {rid: RunPoint(rid, started, n, Counts()) for rid, started, n in session.execute(recent)}
    if not points:
        return []
    counted = _narrow(_counts_by(FindingRow.run_id, points), FindingRow, ReportRow, f, site_ids)
    for run_id, severity, status, n in session.execute(counted):
        points[run_id].counts.add(severity, status, n)
    old = aliased(FindingRow)
    old_report = aliased(ReportRow)
    resolved = (
        select(ResolvedFindingRow.run_id, func.count())
        .join(old, old.id == ResolvedFindingRow.finding_id)
        .where(ResolvedFindingRow.run_id.in_(points))
        .group_by(ResolvedFindingRow.run_id)
    )
    for run_id, n in session.execute(_narrow(resolved, old, old_report, f, site_ids)):
        points[run_id].counts.resolved += n
    return sorted(points.values(), key=lambda p: p.id)


def current_years(session: Session) -> list[int]:
    """Report years present among the current reports, newest first."""
    cur = current_runs()
    stmt = (
        select(ReportRow.year)
        .join(cur, _in_current(cur, ReportRow.run_id, ReportRow.site_id))
        .where(ReportRow.year.is_not(None))
        .distinct()
        .order_by(ReportRow.year.desc())
    )
    return list(session.scalars(stmt))


def current_rule_ids(session: Session) -> list[str]:
    """Rule ids that occur among the current findings."""
    cur = current_runs()
    stmt = (
        select(FindingRow.rule_id)
        .join(cur, _in_current(cur, FindingRow.run_id, FindingRow.site_id))
        .distinct()
        .order_by(FindingRow.rule_id)
    )
    return list(session.scalars(stmt))


# ------------------------------------------------------------------------------------------ one report


@dataclass(slots=True)
class Snapshot:
    """Where a report's bytes came from: the version stored and the capture that fetched it."""

    fetched_at: datetime | None
    first_seen: datetime | None
    final_url: str | None


def snapshot_of(session: Session, report: ReportRow) -> Snapshot:
    """The stored version and capture behind a report (all empty when it was not crawled)."""
    if report.version_id is None:
        return Snapshot(None, None, None)
    row = session.execute(
        select(DocumentVersionRow.first_seen, CaptureRow.fetched_at, CaptureRow.final_url)
        .outerjoin(CaptureRow, CaptureRow.id == DocumentVersionRow.capture_id)
        .where(DocumentVersionRow.id == report.version_id)
    ).one_or_none()
    if row is None:
        return Snapshot(None, None, None)
    first_seen, fetched_at, final_url = row
    return Snapshot(fetched_at=fetched_at, first_seen=first_seen, final_url=final_url)


def versions_of(session: Session, document_id: int | None) -> list[DocumentVersionRow]:
    """Every stored content of a document, oldest first."""
    if document_id is None:
        return []
    stmt = (
        select(DocumentVersionRow)
        .where(DocumentVersionRow.document_id == document_id)
        .order_by(DocumentVersionRow.first_seen, DocumentVersionRow.id)
    )
    return list(session.scalars(stmt))


def findings_of(session: Session, report_id: int) -> list[FindingRow]:
    """A report's findings, waived ones included."""
    return list(session.scalars(select(FindingRow).where(FindingRow.report_id == report_id)))


def resolved_of(session: Session, report: ReportRow) -> list[FindingRow]:
    """Findings of the previous run on the same source that the report's run no longer has."""
    old_report = aliased(ReportRow)
    stmt = (
        select(FindingRow)
        .join(ResolvedFindingRow, ResolvedFindingRow.finding_id == FindingRow.id)
        .join(old_report, old_report.id == FindingRow.report_id)
        .where(
            ResolvedFindingRow.run_id == report.run_id,
            ResolvedFindingRow.site_id == report.site_id,
            old_report.source == report.source,
        )
    )
    return list(session.scalars(stmt))


def siblings_of(session: Session, report: ReportRow) -> list[ReportRow]:
    """The other reports of the same site and year in the same run (a page and its attachments)."""
    if report.site_id is None or report.year is None:
        return []
    stmt = (
        select(ReportRow)
        .where(
            ReportRow.run_id == report.run_id,
            ReportRow.site_id == report.site_id,
            ReportRow.year == report.year,
            ReportRow.id != report.id,
        )
        .order_by(ReportRow.id)
    )
    return list(session.scalars(stmt))


def newer_report_of(session: Session, report: ReportRow) -> int | None:
    """The id of the same source's report in the site's current run, when this one is from an older run."""
    if report.site_id is None:
        return None
    cur = current_runs([report.site_id])
    stmt = (
        select(ReportRow.id)
        .join(cur, _in_current(cur, ReportRow.run_id, ReportRow.site_id))
        .where(ReportRow.site_id == report.site_id, ReportRow.source == report.source, ReportRow.id != report.id)
    )
    return session.scalar(stmt)


# ------------------------------------------------------------------------------------------ one rule


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


def rule_hits(
    session: Session, rule_id: str, f: Filters, site_ids: Collection[str] | None, offset: int, limit: int
) -> tuple[int, list[RuleHit]]:
    """The current reports with open findings of ``rule_id`` (a page of them) and how many there are."""
    cur = current_runs(site_ids)
    base = (
        select(FindingRow.report_id, func.count().label("n"), func.min(FindingRow.message).label("first"))
        .join(cur, _in_current(cur, FindingRow.run_id, FindingRow.site_id))
        .where(FindingRow.rule_id == rule_id)
        .group_by(FindingRow.report_id)
    )
    base = _narrow(base, FindingRow, ReportRow, f, None)
    grouped = base.subquery("hits")
    total = session.scalar(select(func.count()).select_from(grouped)) or 0
    stmt = (
        select(
            grouped.c.report_id, ReportRow.site_id, SiteRow.name, ReportRow.title, ReportRow.year,
            grouped.c.n, grouped.c.first,
        )
        .join(ReportRow, ReportRow.id == grouped.c.report_id)
        .outerjoin(SiteRow, SiteRow.id == ReportRow.site_id)
        .order_by(grouped.c.n.desc(), SiteRow.name, ReportRow.year.desc())
        .offset(offset)
        .limit(limit)
    )
    hits = [RuleHit(*row) for row in session.execute(stmt)]
    return total, hits


# ------------------------------------------------------------------------------------------ downloads


def findings_for_download(
    session: Session, f: Filters, site_ids: Collection[str] | None
) -> Sequence[tuple[ReportRow, list[FindingRow]]]:
    """The current reports with their findings matching the filter, waived ones included (every report
    when no severity or rule is chosen; only those with a matching finding otherwise), for downloads.
    The reports' models are not read (see :func:`models_of`)."""
    cur = current_runs(site_ids)
    reports = (
        select(ReportRow)
        .options(raiseload(ReportRow.stored_model))
        .join(cur, _in_current(cur, ReportRow.run_id, ReportRow.site_id))
        .order_by(ReportRow.site_id, ReportRow.year, ReportRow.id)
    )
    if f.year is not None:
        reports = reports.where(ReportRow.year == f.year)
    by_report: dict[int, tuple[ReportRow, list[FindingRow]]] = {
        r.id: (r, []) for r in session.scalars(reports)
    }
    findings = (
        select(FindingRow)
        .join(cur, _in_current(cur, FindingRow.run_id, FindingRow.site_id))
        .order_by(FindingRow.report_id, FindingRow.id)
    )
    for finding in session.scalars(_narrow(findings, FindingRow, ReportRow, f, None, waived=True)):
        entry = by_report.get(finding.report_id)
        if entry is not None:
            entry[1].append(finding)
    pairs = list(by_report.values())
    if f.narrows_findings:
        pairs = [p for p in pairs if p[1]]
    return pairs


# ------------------------------------------------------------------------------------------ rules


def recorded_rules(session: Session, known: Collection[str]) -> list[tuple[str, str, str, str]]:
    """(id, title, severity, basis) of rule ids in stored findings that ``known`` lacks (READ-001 …),
    from each one's latest finding: one small query per such rule, and there are a handful."""
    ids = [r for r in session.scalars(select(FindingRow.rule_id).distinct()) if r not in known]
    out = []
    for rule_id in ids:
        row = session.execute(
            select(FindingRow.title, FindingRow.severity, FindingRow.basis)
            .where(FindingRow.rule_id == rule_id)
            .order_by(FindingRow.id.desc())
            .limit(1)
        ).one()
        out.append((rule_id, row.title, row.severity, row.basis))
    return out


def models_of(session: Session, report_ids: Collection[int]) -> dict[int, dict[str, Any]]:
    """The stored models (``Document.to_dict()``) of some reports, by report id."""
    rows = session.execute(
        select(ReportRow.id, ModelRow.model)
        .join(ModelRow, ModelRow.id == ReportRow.model_id)
        .where(ReportRow.id.in_(report_ids))
    )
    return {report_id: model for report_id, model in rows if model}
