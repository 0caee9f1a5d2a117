"""Stored rows back into the pipeline's objects, so the project's own writers can produce downloads.

A report row keeps ``Document.to_dict()`` as its model; :func:`document_from_model` is its inverse
(the body text itself is not stored, only its length).  Findings come back from their rows as they
were written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import fields
from datetime import date
from decimal import Decimal
from typing import Any

from auditor.findings.model import Finding, Location, ReportResult
from auditor.model import Cell, Document, ExtractionIssue, Section, Table, TemplateVersion
from auditor.store.schema import FindingRow, ReportRow


def _known(cls: type, data: Mapping[str, Any]) -> dict[str, Any]:
    """The keys of ``data`` that are fields of ``cls`` (a newer model may carry more)."""
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in data.items() if k in names}


def _date(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else None


def _cell(data: Mapping[str, Any]) -> Cell:
    value = data.get("value")
    return Cell(
        raw=str(data.get("raw", "")),
        kind=data.get("kind", "text"),
        value=Decimal(str(value)) if value is not None else None,
        unit=data.get("unit"),
        recovered=data.get("recovered"),
    )


def _table(data: Mapping[str, Any]) -> Table:
    return Table(
        kind=data["kind"],
        template=data.get("template", "unknown"),
        section=data.get("section"),
        cells={(row, col): _cell(cell) for row, cols in (data.get("cells") or {}).items() for col, cell in cols.items()},
        row_labels=dict(data.get("row_labels") or {}),
        col_labels=dict(data.get("col_labels") or {}),
        readable=bool(data.get("readable", True)),
        problems=list(data.get("problems") or []),
        image_only=bool(data.get("image_only", False)),
        extra_rows=list(data.get("extra_rows") or []),
        extra_columns=list(data.get("extra_columns") or []),
        notes=list(data.get("notes") or []),
    )


def document_from_model(model: Mapping[str, Any]) -> Document:
    """The :class:`Document` a stored model was made from (without its body text)."""
    period = model.get("stats_period")
    start, end = (_date(p) for p in period) if period else (None, None)
    return Document(
        source=model.get("source", ""),
        sha256=model.get("sha256", ""),
        format=model.get("format", ""),
        encoding=model.get("encoding"),
        title=model.get("title"),
        agency=model.get("agency"),
        year=model.get("year"),
        published=_date(model.get("published")),
        published_source=model.get("published_source"),
        sections=[Section(**_known(Section, s)) for s in model.get("sections") or []],
        extra_headings=list(model.get("extra_headings") or []),
        tables=[_table(t) for t in model.get("tables") or []],
        stats_period=(start, end) if start and end else None,
        stats_period_text=model.get("stats_period_text"),
        level=model.get("level"),
        issues=[ExtractionIssue(**_known(ExtractionIssue, i)) for i in model.get("issues") or []],
    )


def _stand_ins(template: str) -> list[Table]:
    """Cell-less tables whose versions make :attr:`Document.template` give the stored ``template``
    (for writers that report the template but draw no tables)."""
    versions: dict[str, tuple[TemplateVersion, ...]] = {"2021": ("2021",), "2019": ("2019",), "mixed": ("2021", "2019")}
    return [Table(kind="T3", template=v) for v in versions.get(template, ())]


def _document(row: ReportRow, model: Mapping[str, Any] | None) -> Document | None:
    if model:
        doc = document_from_model(model)
        # What the run learnt beside the text (the listing's date) is on the row.
        doc.published, doc.published_source = row.published, row.published_source
        return doc
    if row.error and not row.title:
        return None
    return Document(
        source=row.source, sha256=row.sha256, format=row.format or "", title=row.title, agency=row.agency,
        year=row.year, published=row.published, published_source=row.published_source, level=row.level,
        tables=_stand_ins(row.template),
    )


def finding_from_row(row: FindingRow) -> Finding:
    """A stored finding as the pipeline made it."""
    return Finding(
        rule_id=row.rule_id,
        severity=row.severity,
        title=row.title,
        message=row.message,
        location=Location(**{k: (row.location or {}).get(k) for k in ("section", "table", "row", "column")}),
        evidence=row.evidence,
        basis=row.basis,
        fix=row.fix,
        cells=[(str(a), str(b), str(c)) for a, b, c in row.cells or []],
        fingerprint=row.fingerprint,
        waived=row.waived,
        status=row.status,
    )


def result_from_rows(
    report: ReportRow, findings: Iterable[FindingRow], model: Mapping[str, Any] | None
) -> ReportResult:
    """A stored report and its findings as a :class:`ReportResult`: the document rebuilt from its
    ``model`` when given, else only from what the report row holds (no sections, no cells)."""
    return ReportResult(
        source=report.source,
        sha256=report.sha256,
        document=_document(report, model),
        findings=[finding_from_row(f) for f in findings],
        error=report.error,
    )
