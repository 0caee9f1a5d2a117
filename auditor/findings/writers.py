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


WRITERS: dict[str, Writer] = {"json": _json}
"""Format name -> writer.  findings.json is always written; the others on request (--format)."""
