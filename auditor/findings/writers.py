"""Output writers by format name.  Each writer takes (out_dir, results, rules) and writes atomically."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from auditor.findings.jsonout import write_findings_json
from auditor.findings.model import ReportResult

Writer = Callable[[Path, Sequence[ReportResult], Sequence[dict[str, Any]]], Path]


def _json(out_dir: Path, results: Sequence[ReportResult], rules: Sequence[dict[str, Any]]) -> Path:
    path = out_dir / "findings.json"
    write_findings_json(path, results, rules)
    return path


def _html(out_dir: Path, results: Sequence[ReportResult], rules: Sequence[dict[str, Any]]) -> Path:
    from auditor.findings.htmlreport import write_html

    return write_html(out_dir, results, rules)


def _xlsx(out_dir: Path, results: Sequence[ReportResult], rules: Sequence[dict[str, Any]]) -> Path:
    from auditor.findings.tabular import write_xlsx

    return write_xlsx(out_dir, results, rules)


def _csv(out_dir: Path, results: Sequence[ReportResult], rules: Sequence[dict[str, Any]]) -> Path:
    from auditor.findings.tabular import write_csv

    return write_csv(out_dir, results, rules)


def _sarif(out_dir: Path, results: Sequence[ReportResult], rules: Sequence[dict[str, Any]]) -> Path:
    from auditor.findings.sarif import write_sarif

    return write_sarif(out_dir, results, rules)


WRITERS: dict[str, Writer] = {"json": _json, "html": _html, "xlsx": _xlsx, "csv": _csv, "sarif": _sarif}
"""Format name -> writer.  findings.json is always written; the others on request (--format)."""
