"""Output writers by format name.

Two ways to write the same files:

- :data:`STREAMS` — ``STREAMS[name](out_dir, rules)`` opens a stream; ``add(result)`` appends one
  report as it is audited; ``close()`` moves the finished file into place and returns its path;
  ``abort()`` drops it; ``replaced`` counts the characters the format could not hold (sanitize.py).
  `nianbao audit` uses these so that memory stays flat whatever the number of reports.
- :data:`WRITERS` — ``WRITERS[name](out_dir, results, rules)`` for results already in hand (the web
  view's downloads, `nianbao run`); the same streams underneath.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

from auditor.findings.jsonout import FindingsJsonStream, ReportStream, drain
from auditor.findings.model import ReportResult

Writer = Callable[[Path, Sequence[ReportResult], Sequence[dict[str, Any]]], Path]


class Stream(ReportStream, Protocol):
    """An output file written one report at a time, named, counting what it had to replace."""

    name: str

    @property
    def replaced(self) -> int: ...


class HtmlStream:
    """findings.html through the HTML writer's own stream
    (:class:`~auditor.findings.htmlreport.HtmlWriter`)."""

    name = "findings.html"

    def __init__(self, out_dir: Path, rules: Sequence[dict[str, Any]], page: Any = None) -> None:
        """``page``: renders the page's frame (:class:`~auditor.findings.htmlreport.HtmlWriter`)."""
        from auditor.findings.htmlreport import HtmlWriter

        self.writer = HtmlWriter(out_dir, rules, page)

    @property
    def replaced(self) -> int:
        return self.writer.sanitizer.replaced

    def add(self, result: ReportResult) -> None:
        self.writer.add(result)

    def add_part(self, part: Any) -> None:
        """The next report, rendered already (htmlreport.render_part) where its document was."""
        self.writer.add_part(part)

    def close(self) -> Path:
        return self.writer.close()

    def abort(self) -> None:
        self.writer.discard()


def _open(name: str) -> Callable[[Path, Sequence[dict[str, Any]]], Stream]:
    def opener(out_dir: Path, rules: Sequence[dict[str, Any]]) -> Stream:
        if name == "json":
            return FindingsJsonStream(out_dir, rules)
        if name == "html":
            return HtmlStream(out_dir, rules)
        if name == "sarif":
            from auditor.findings.sarif import SarifStream

            return SarifStream(out_dir, rules)
        from auditor.findings.tabular import CsvStream, XlsxStream

        return CsvStream(out_dir, rules) if name == "csv" else XlsxStream(out_dir, rules)

    return opener


STREAMS: dict[str, Callable[[Path, Sequence[dict[str, Any]]], Stream]] = {
    name: _open(name) for name in ("json", "html", "xlsx", "csv", "sarif")
}
"""Format name -> stream opener.  findings.json is always written; the others on request (--format)."""


_LIBRARIES: dict[str, tuple[str, ...]] = {
    "html": ("auditor.findings.htmlreport",),
    "sarif": ("auditor.findings.sarif",),
    "csv": ("auditor.findings.tabular",),
    "xlsx": ("auditor.findings.tabular", "openpyxl", "openpyxl.cell", "openpyxl.styles", "openpyxl.utils"),
}
"""What each format's stream imports when it opens (openpyxl: 0.1 s)."""


def preload(names: Iterable[str]) -> None:
    """Import what the streams of ``names`` will need, ahead of opening them (the audit command does
    it in a thread while the inputs are read)."""
    import importlib

    for name in names:
        for module in _LIBRARIES.get(name, ()):
            importlib.import_module(module)


def _batch(name: str) -> Writer:
    def write(out_dir: Path, results: Iterable[ReportResult], rules: Sequence[dict[str, Any]]) -> Path:
        return drain(STREAMS[name](out_dir, rules), results)

    return write


WRITERS: dict[str, Writer] = {name: _batch(name) for name in STREAMS}
"""Format name -> writer of results in hand (same files as the streams)."""
