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
    """A downloadable file: the writer's format name and the response's media type."""

    writer: str
    media_type: str


DOWNLOADS: dict[str, Download] = {
    "findings.xlsx": Download("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "findings.csv": Download("csv", "text/csv; charset=utf-8"),
    "findings.json": Download("json", "application/json"),
    "report.html": Download("html", "text/html; charset=utf-8"),
}
"""File name -> how to make it."""


class FormatUnavailable(LookupError):
    """The writer of a download is not installed in this version."""


def write_download(
    name: str, results: Sequence[ReportResult], rules: Sequence[dict[str, Any]]
) -> tuple[bytes, str]:
    """The bytes and media type of download ``name`` for ``results``."""
    spec = DOWNLOADS[name]
    writer = WRITERS.get(spec.writer)
    if writer is None:
        raise FormatUnavailable(spec.writer)
    with tempfile.TemporaryDirectory(prefix="nianbao-download-") as folder:
        path = writer(Path(folder), results, rules)
        return path.read_bytes(), spec.media_type
