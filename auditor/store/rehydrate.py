"""Stored reports and findings back into the pipeline's objects, so the project's own writers can write
them again (the web view's downloads, a distributed run's outputs).

A report's model is the ``Document.to_dict()`` stored for it (once per distinct model, in ``models``);
:func:`auditor.model.document_from_dict` is its inverse (the body text itself is not stored, only its
length).  Findings come back from their rows as they were written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from auditor.findings.model import Finding, Location, ReportResult
from auditor.model import Document, Table, TemplateVersion, document_from_dict
from auditor.store.queries import FindingView, ReportView


def _stand_ins(template: str) -> list[Table]:
    """Cell-less tables whose versions make :attr:`Document.template` give the stored ``template``
    (for writers that report the template but draw no tables)."""
    versions: dict[str, tuple[TemplateVersion, ...]] = {"2021": ("2021",), "2019": ("2019",),
                                                        "mixed": ("2021", "2019")}
    return [Table(kind="T3", template=v) for v in versions.get(template, ())]


def _document(row: ReportView, model: Mapping[str, Any] | None) -> Document | None:
    if model:
        doc = document_from_dict(model)
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


def finding_from_view(row: FindingView) -> Finding:
    """A stored finding as the pipeline made it."""
    return Finding(
        rule_id=row.rule_id,
        severity=row.severity,
        title=row.title,
        message=row.message,
        location=Location(**{k: row.location.get(k) for k in ("section", "table", "row", "column")}),
        evidence=row.evidence,
        basis=row.basis,
        fix=row.fix,
        cells=list(row.cells),
        fingerprint=row.fingerprint,
        waived=row.waived,
        status=row.status,
    )


def result_from_rows(
    report: ReportView, findings: Iterable[FindingView], model: Mapping[str, Any] | None
) -> ReportResult:
    """A stored report and its findings as a :class:`ReportResult`: the document rebuilt from its
    ``model`` when given, else only from what the report row holds (no sections, no cells)."""
    return ReportResult(
        source=report.source,
        sha256=report.sha256,
        document=_document(report, model),
        findings=[finding_from_view(f) for f in findings],
        error=report.error,
    )
