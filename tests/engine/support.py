"""Documents for engine tests: a clean generated report, extracted, which a test then changes."""

from __future__ import annotations

from typing import Any

from auditor.engine import default_rulebase
from auditor.engine.rulebase import RuleBase
from auditor.engine.samples import render_sample
from auditor.extract import extract
from auditor.findings.model import Finding, ReportResult
from auditor.model import Document


def clean_document(**spec: Any) -> Document:
    """A clean generated report (seed 7, 2022, a department unless ``spec`` says otherwise)."""
    spec = {"seed": 7, "year": 2022, **spec}
    return extract(render_sample(spec, "txt"), f"sample-{spec['seed']}-{spec['year']}.txt")


def audit_documents(docs: list[Document], rulebase: RuleBase | None = None) -> list[ReportResult]:
    results = [ReportResult(source=d.source, sha256=d.sha256, document=d) for d in docs]
    (rulebase or default_rulebase()).audit(results)
    return results


def audit_document(doc: Document, rulebase: RuleBase | None = None) -> list[Finding]:
    return audit_documents([doc], rulebase)[0].findings


def by_rule(findings: list[Finding], rule_id: str) -> list[Finding]:
    return [f for f in findings if f.rule_id == rule_id]


def make_unreadable(doc: Document, kind: str, problem: str = "列标签丢失") -> Document:
    """``doc`` with its table ``kind`` marked unreadable, as extraction leaves a table whose structure
    it could not read (the reason written is "表…结构无法读取")."""
    table = doc.table(kind)
    assert table is not None
    table.readable, table.problems = False, [problem]
    return doc
