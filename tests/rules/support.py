"""Shared helpers of the rule tests: where the shared reports are, and auditing them."""

from __future__ import annotations

from pathlib import Path

from auditor.findings.model import ReportResult
from auditor.pipeline import AuditInput, audit_batch

SHARED = Path(__file__).resolve().parents[3] / "shared"
SEEDS = SHARED / "seeds"
DOMAIN = SHARED / "spec" / "DOMAIN.md"


def audit_files(paths: list[Path]) -> list[ReportResult]:
    """Audit files as one batch, as `nianbao audit` does."""
    return audit_batch([AuditInput(data=p.read_bytes(), source=str(p)) for p in paths])


def rule_ids(result: ReportResult, severity: str) -> set[str]:
    return {f.rule_id for f in result.findings if f.severity == severity}
