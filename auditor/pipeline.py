"""The audit pipeline: bytes -> document model -> findings, one document or a batch.

Pure with respect to its inputs: reading files and writing outputs belong to the CLI, the crawler and
the store.  A document that cannot be read gives a ReportResult with ``error`` set and one finding
saying so; it never stops the batch.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from auditor.extract import NotAReport, ReadError, extract
from auditor.findings.model import ReportResult

if TYPE_CHECKING:
    from auditor.engine.rulebase import RuleBase


@dataclass(slots=True)
class AuditInput:
    """One document to audit: its bytes and what the caller knows beside them."""

    data: bytes
    source: str
    level: str | None = None
    published: date | None = None
    """Publication date known from outside the document (the portal's listing), if any."""
    published_source: str | None = None
    declared_encoding: str | None = None


def unreadable_result(source: str, sha256: str, reason: str) -> ReportResult:
    """The result for a document that cannot be read at all: no document, ``error`` saying why.

    The rule base makes its one finding (READ-001, rules/READ-001.yaml) from that reason when it
    audits the result.
    """
    return ReportResult(source=source, sha256=sha256, document=None, error=reason)


def extract_one(item: AuditInput, *, budgeted: bool = False) -> ReportResult:
    """Extract one document; findings are filled in by :func:`audit_batch`.

    ``budgeted`` (inside a worker under a budget): MemoryError and :class:`NotAReport` are raised for
    the caller to handle, instead of becoming READ-001 here.
    """
    sha = hashlib.sha256(item.data).hexdigest()
    try:
        doc = extract(
            item.data,
            item.source,
            level=item.level,
            declared_encoding=item.declared_encoding,
            sha256=sha,
            published=item.published,
            published_source=item.published_source,
        )
    except NotAReport:
        if budgeted:
            raise
        return unreadable_result(item.source, sha, str(sys.exc_info()[1]))
    except ReadError as exc:
        return unreadable_result(item.source, sha, str(exc))
    except MemoryError:
        if budgeted:
            raise
        return unreadable_result(item.source, sha, "解析失败（内存不足）")
    except RecursionError:
        return unreadable_result(item.source, sha, "解析失败（文档结构嵌套过深）")
    except Exception as exc:  # noqa: BLE001 - a reader bug must not stop the batch; say what happened
        return unreadable_result(item.source, sha, f"解析失败（{type(exc).__name__}: {_one_line(exc)}）")
    return ReportResult(source=item.source, sha256=sha, document=doc)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200]


def audit_batch(items: Iterable[AuditInput], *, rulebase: RuleBase | None = None) -> list[ReportResult]:
    """Extract and audit a batch; across-report checks (same body, several years) see the whole batch."""
    from auditor.engine import default_rulebase

    results = [extract_one(item) for item in items]
    (rulebase or default_rulebase()).audit(results)
    return results


def audit_bytes(data: bytes, source: str) -> ReportResult:
    """Audit one document given as bytes (the extraction tests' way to audit one text)."""
    return audit_batch([AuditInput(data=data, source=source)])[0]


def severity_counts(results: Sequence[ReportResult]) -> dict[str, int]:
    counts = {"error": 0, "warning": 0, "info": 0}
    for r in results:
        for f in r.findings:
            if f.waived is None:
                counts[f.severity] = counts.get(f.severity, 0) + 1
    return counts
