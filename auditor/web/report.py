"""One report's page: where it came from, its sections and tables as extracted, and its findings."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from auditor.findings.model import SEVERITY_RANK
from auditor.model import SECTION_KEYS
from auditor.store import queries
from auditor.store.queries import FindingView, JsonObject, ReportView, RunInfo, Snapshot, VersionView
from auditor.templates import SECTION_HEADINGS, SECTION_HEADINGS_2019
from auditor.web.arithmetic import Arithmetic, table_arithmetic
from auditor.web.grids import FindingRef, GridView, build_grid
from auditor.web.sites import SiteInfo, site_info


@dataclass(slots=True)
class SectionView:
    """A template section as found (or not) in the report, with the findings located in it."""

    key: str
    template_heading: str
    heading: str | None
    text: str
    similarity: float | None
    findings: list[FindingView] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return self.heading is not None


@dataclass(slots=True)
class TableView:
    """A table's grid and its arithmetic."""

    grid: GridView
    arithmetic: Arithmetic


@dataclass(slots=True)
class ReportPage:
    """Everything the report page shows."""

    report: ReportView
    site: SiteInfo | None
    run: RunInfo | None
    snapshot: Snapshot
    versions: list[VersionView]
    sections: list[SectionView]
    tables: list[TableView]
    findings: list[FindingView]
    """Open findings, most severe first."""
    waived: list[FindingView]
    resolved: list[FindingView]
    siblings: list[ReportView]
    newer: int | None
    """The same source's report in the current run, when this page shows an older run."""

    @property
    def counts(self) -> dict[str, int]:
        out = {"error": 0, "warning": 0, "info": 0}
        for f in self.findings:
            out[f.severity] = out.get(f.severity, 0) + 1
        return out


def _order(findings: Sequence[FindingView]) -> list[FindingView]:
    return sorted(findings, key=lambda f: (-SEVERITY_RANK.get(f.severity, 0), f.rule_id, f.id))


def _marks(findings: Sequence[FindingView]) -> dict[str, dict[tuple[str, str], list[FindingRef]]]:
    """Per table kind, the cells the findings name."""
    marks: dict[str, dict[tuple[str, str], list[FindingRef]]] = defaultdict(lambda: defaultdict(list))
    for f in findings:
        for table, row, col in f.cells:
            marks[table][(row, col)].append(FindingRef(f.id, f.rule_id, f.severity))
    return marks


def _sections(model: Mapping[str, Any] | None, year: int | None,
              findings: Sequence[FindingView]) -> list[SectionView]:
    headings = SECTION_HEADINGS_2019 if year is not None and year < 2021 else SECTION_HEADINGS
    found = {s.get("key"): s for s in (model or {}).get("sections") or []}
    views = []
    for key in SECTION_KEYS:
        s = found.get(key)
        views.append(SectionView(
            key=key,
            template_heading=f"{key}、{headings[key]}",
            heading=str(s.get("heading")) if s else None,
            text=str(s.get("text") or "") if s else "",
            similarity=s.get("similarity") if s else None,
            findings=[f for f in findings if f.location.get("section") == key],
        ))
    return views


def _tables(model: JsonObject | None) -> list[JsonObject]:
    """The tables of a stored model (each a JSON object)."""
    tables = (model or {}).get("tables")
    return [t for t in tables if isinstance(t, dict)] if isinstance(tables, list) else []


def build_report_page(session: Session, report_id: int) -> ReportPage | None:
    """The report page of a stored report, or None when there is no such report."""
    report = queries.get_report(session, report_id)
    if report is None:
        return None
    site = queries.get_site(session, report.site_id) if report.site_id else None
    rows = queries.findings_of(session, report.id)
    open_findings = _order([f for f in rows if f.waived is None])
    marks = _marks(open_findings)
    model = queries.report_model(session, report.id)
    tables = [
        TableView(grid=build_grid(t, marks.get(str(t.get("kind")), {})), arithmetic=table_arithmetic(t))
        for t in _tables(model)
    ]
    return ReportPage(
        report=report,
        site=site_info(site.id, site.name, site.level) if site else None,
        run=queries.run_info(session, report.run_id),
        snapshot=queries.snapshot_of(session, report),
        versions=queries.document_versions(session, report.document_id),
        sections=_sections(model, report.year, open_findings) if model else [],
        tables=tables,
        findings=open_findings,
        waived=_order([f for f in rows if f.waived is not None]),
        resolved=_order(queries.resolved_of(session, report)),
        siblings=queries.siblings_of(session, report),
        newer=queries.newer_report_of(session, report),
    )
