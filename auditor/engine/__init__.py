"""The rule engine: rule files under rules/ compiled into one experta KnowledgeEngine.

Until the rule base lands, :func:`default_rulebase` reports only what extraction itself knows
(FMT-005 unreadable table, FMT-007 image-only table).
"""

from __future__ import annotations

from auditor.findings.model import Finding, Location, ReportResult, document_identity, fingerprint

_EXTRACTION_TITLES = {
    "FMT-005": ("表格结构无法读取", "error"),
    "FMT-007": ("表格仅为图片，无法机读", "warning"),
}


class ExtractionOnlyRuleBase:
    """Turns extraction issues into findings; the experta rule base replaces it."""

    def audit(self, results: list[ReportResult]) -> None:
        for result in results:
            doc = result.document
            if doc is None:
                continue
            identity = document_identity(doc, result.source, result.sha256)
            for issue in doc.issues:
                title, severity = _EXTRACTION_TITLES.get(issue.code, ("文档读取问题", "error"))
                loc = Location(section=issue.section, table=issue.table)
                result.findings.append(
                    Finding(
                        rule_id=issue.code,
                        severity=severity,
                        title=title,
                        message=issue.message,
                        location=loc,
                        evidence=issue.evidence,
                        fingerprint=fingerprint(issue.code, identity, loc),
                    )
                )


def default_rulebase() -> ExtractionOnlyRuleBase:
    return ExtractionOnlyRuleBase()
