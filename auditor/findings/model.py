"""What an audit produces: findings per report, with stable fingerprints."""

from __future__ import annotations

import hashlib
import operator
from dataclasses import dataclass, field, fields
from typing import Any, Literal, TypedDict, get_args

from auditor.model import Document

Severity = Literal["error", "warning", "info"]
"""How grave a finding is (DOMAIN.md section 6): a rule's, and so its findings'."""
SEVERITIES: tuple[Severity, ...] = get_args(Severity)
SEVERITY_RANK: dict[str, int] = {"info": 0, "warning": 1, "error": 2}
SEVERITY_NAMES: dict[str, str] = {"error": "错误", "warning": "警告", "info": "提示"}
"""Severities as the outputs and pages name them."""


class RuleMeta(TypedDict):
    """One rule as findings.json's "rules" list gives it (one title and basis per id everywhere)."""

    id: str
    title: str
    severity: Severity
    basis: str


@dataclass(slots=True, frozen=True)
class Location:
    section: str | None = None
    table: str | None = None
    row: str | None = None
    """The row label as people read it (template wording), not the internal id."""
    column: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        return {"section": self.section, "table": self.table, "row": self.row, "column": self.column}

    def __reduce__(self) -> tuple[Any, ...]:
        return Location, _LOCATION_VALUES(self)


@dataclass(slots=True)
class Finding:
    rule_id: str
    severity: str
    title: str
    message: str
    location: Location = field(default_factory=Location)
    evidence: str = ""
    basis: str = ""
    fix: str = ""
    """How to fix it, in Chinese."""
    cells: list[tuple[str, str, str]] = field(default_factory=list)
    """(table, row id, column id) of the offending cells, for highlighting."""
    fingerprint: str = ""
    waived: str | None = None
    """The waiver's reason when a waiver covers this finding."""
    status: str | None = None
    """new / persisting, when compared with a previous run."""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "rule_id": self.rule_id,
            "severity": self.severity,
            "title": self.title,
            "message": self.message,
            "location": self.location.to_dict(),
            "evidence": self.evidence,
            "basis": self.basis,
            "fix": self.fix,
            "fingerprint": self.fingerprint,
        }
        if self.cells:
            out["cells"] = [list(c) for c in self.cells]
        if self.waived is not None:
            out["waived"] = self.waived
        if self.status is not None:
            out["status"] = self.status
        return out

    def __reduce__(self) -> tuple[Any, ...]:
        # the class and its field values: pickle's default for a slotted dataclass goes through
        # __getstate__/__setstate__, a field at a time (each chunk's findings travel from an audit
        # worker to the parent)
        return Finding, _FINDING_VALUES(self)


def document_identity(doc: Document | None, source: str, sha256: str) -> str:
    """What a finding is about, stable across runs: the body and year when known, else the source.

    Using body + year (not the bytes' hash) lets a corrected re-publication of the same report resolve
    the findings of the earlier version instead of producing unrelated new ones.
    """
    if doc is not None and doc.agency and doc.year:
        return f"{doc.agency}|{doc.year}"
    return source or sha256


def fingerprint(rule_id: str, identity: str, location: Location, extra: str = "") -> str:
    """Stable id of a finding: rule id + document identity + location (+ a discriminator)."""
    key = "\x1f".join(
        [rule_id, identity, location.section or "", location.table or "", location.row or "",
         location.column or "", extra]
    )
    # surrogatepass: a lone surrogate decoded from a broken report must not stop the audit (the
    # digest of every other text is the same as with plain UTF-8)
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]


@dataclass(slots=True)
class ReportResult:
    """The audit of one document."""

    source: str
    sha256: str
    document: Document | None
    findings: list[Finding] = field(default_factory=list)
    error: str | None = None
    """One-line reason when the document could not be read at all."""

    def __reduce__(self) -> tuple[Any, ...]:
        return ReportResult, _RESULT_VALUES(self)

    def to_dict(self) -> dict[str, Any]:
        doc = self.document
        return {
            "source": self.source,
            "sha256": self.sha256,
            "title": doc.title if doc else None,
            "agency": doc.agency if doc else None,
            "year": doc.year if doc else None,
            "published": doc.published.isoformat() if doc and doc.published else None,
            "published_source": doc.published_source if doc else None,
            "template": doc.template if doc else "unknown",
            "level": doc.level if doc else None,
            "format": doc.format if doc else None,
            "error": self.error,
            "findings": [f.to_dict() for f in self.findings],
        }


_LOCATION_VALUES = operator.attrgetter(*(f.name for f in fields(Location)))
_FINDING_VALUES = operator.attrgetter(*(f.name for f in fields(Finding)))
_RESULT_VALUES = operator.attrgetter(*(f.name for f in fields(ReportResult)))
"""Each class's field values in order, as its ``__reduce__`` hands them to pickle."""
