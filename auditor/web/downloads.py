"""Downloads of what the person is looking at, written by the project's own writers
(:data:`auditor.findings.writers.WRITERS`), so a download is the same file `nianbao audit` writes."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditor.findings.model import ReportResult
from auditor.findings.writers import WRITERS


@dataclass(frozen=True, slots=True)
class Download:
    """A downloadable file: the writer's format name, the response's media type, and whether the writer
    reads the documents' sections and tables (the stored model) or only the findings and report data."""

    writer: str
    media_type: str
    needs_model: bool


DOWNLOADS: dict[str, Download] = {
    "findings.xlsx": Download("xlsx",
                              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", False),
    "findings.csv": Download("csv", "text/csv; charset=utf-8", False),
    "findings.json": Download("json", "application/json", False),
    "report.html": Download("html", "text/html; charset=utf-8", True),
}
"""File name -> how to make it."""

MODEL_LIMIT = 500
"""Most reports a download that draws their tables (the HTML report) may hold at once."""


def write_download(
    name: str, results: Sequence[ReportResult], rules: Sequence[dict[str, Any]]
) -> tuple[bytes, str]:
    """The bytes and media type of download ``name`` for ``results``."""
    spec = DOWNLOADS[name]
    with tempfile.TemporaryDirectory(prefix="nianbao-download-") as folder:
        path = WRITERS[spec.writer](Path(folder), results, rules)
        return path.read_bytes(), spec.media_type
