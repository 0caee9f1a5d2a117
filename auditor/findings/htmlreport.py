"""findings.html: a self-contained report in Chinese for the officers who fix the reports.

Per report: a summary with counts by severity; each finding with its message, location, evidence,
basis and fix; T2/T3/T4 drawn from the document model with the offending cells highlighted; the
waived findings with their reasons.  One file: inline CSS, no scripts, no external resources.
Everything taken from a report is untrusted and goes through Jinja2's autoescaping.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader

from auditor import __version__
from auditor.engine.api import TABLE_NAMES, table_spec
from auditor.findings.jsonout import AtomicFile
from auditor.findings.model import SEVERITY_NAMES, SEVERITY_RANK, Finding, ReportResult
from auditor.findings.sanitize import XML_UNSAFE, Sanitizer
from auditor.model import Table

_ENV = Environment(loader=PackageLoader("auditor.findings", "templates"), autoescape=True, trim_blocks=True)
_ENV.filters["severity_name"] = lambda s: SEVERITY_NAMES.get(s, s)
_VERSIONS = {"2021": "2021年版", "2019": "2019年版", "unknown": "版本不明"}


@dataclass(slots=True)
class CellView:
    text: str
    css: str = ""
    rules: str = ""


@dataclass(slots=True)
class TableView:
    caption: str
    columns: list[str]
    rows: list[tuple[str, list[CellView]]]
    note: str = ""


@dataclass(slots=True)
class ReportView:
    result: ReportResult
    counts: dict[str, int]
    findings: list[Finding]
    waived: list[Finding]
    tables: list[TableView] = field(default_factory=list)


def _marks(findings: Sequence[Finding]) -> dict[tuple[str, str, str], list[Finding]]:
    marks: dict[tuple[str, str, str], list[Finding]] = {}
    for finding in findings:
        for cell in finding.cells:
            marks.setdefault(tuple(cell), []).append(finding)  # type: ignore[arg-type]
    return marks


def _table_view(table: Table, marks: dict[tuple[str, str, str], list[Finding]]) -> TableView:
    spec = table_spec(table)
    version = "" if table.kind == "T4" else f"（{_VERSIONS.get(table.template, table.template)}）"
    caption = TABLE_NAMES[table.kind] + version
    if table.image_only:
        return TableView(caption, [], [], "该表格仅为图片，无法读取。")
    rows = []
    for row in spec.rows:
        cells = []
        for col in spec.columns:
            if col.id not in spec.columns_of(row.id):
                cells.append(CellView("", "na"))
                continue
            cell = table.cell(row.id, col.id)
            found = marks.get((table.kind, row.id, col.id), [])
            worst = max((f.severity for f in found), key=SEVERITY_RANK.__getitem__, default="")
            text = cell.raw if cell is not None and cell.raw.strip() else "（空）"
            cells.append(
                CellView(
                    text, f"hl-{worst}" if worst else "", "、".join(dict.fromkeys(f.rule_id for f in found))
                )
            )
        rows.append((row.display, cells))
    note = "" if table.readable else "表格结构未能完整读取：" + "；".join(table.problems)
    return TableView(caption, [c.label for c in spec.columns], rows, note)


def _report_view(result: ReportResult) -> ReportView:
    active = sorted(
        (f for f in result.findings if f.waived is None),
        key=lambda f: (-SEVERITY_RANK[f.severity], f.rule_id),
    )
    counts = Counter(f.severity for f in active)
    view = ReportView(
        result,
        {s: counts.get(s, 0) for s in ("error", "warning", "info")},
        active,
        [f for f in result.findings if f.waived is not None],
    )
    if result.document is not None:
        marks = _marks(active)
        view.tables = [_table_view(t, marks) for t in result.document.tables]
    return view


class _Views:
    """The report views, made one at a time each time the template walks them (results may be a
    spool on disk: memory stays flat)."""

    def __init__(self, results: Iterable[ReportResult], count: int) -> None:
        self.results = results
        self.count = count

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[ReportView]:
        return (_report_view(r) for r in self.results)


def _chunks(results: Iterable[ReportResult], rules: Sequence[dict[str, Any]]) -> Iterator[str]:
    """The page in pieces: one pass over the results for the totals, one to render them."""
    totals = {s: 0 for s in ("error", "warning", "info")}
    used: set[str] = set()
    waived = count = 0
    for r in results:
        count += 1
        for f in r.findings:
            used.add(f.rule_id)
            if f.waived is None:
                totals[f.severity] = totals.get(f.severity, 0) + 1
            else:
                waived += 1
    return _ENV.get_template("report.html.j2").generate(
        reports=_Views(results, count),
        totals=totals,
        waived=waived,
        rules=[r for r in rules if r.get("id") in used],
        version=__version__,
    )


def render_html(results: Sequence[ReportResult], rules: Sequence[dict[str, Any]]) -> str:
    """The whole report as one HTML page."""
    return "".join(_chunks(results, rules))


def write_html(
    out_dir: Path,
    results: Iterable[ReportResult],
    rules: Sequence[dict[str, Any]],
    sanitizer: Sanitizer | None = None,
) -> Path:
    """findings.html, streamed to a temporary file and moved into place; what HTML cannot hold
    (control characters, U+FFFF, lone surrogates) is replaced and counted in ``sanitizer``."""
    clean = sanitizer if sanitizer is not None else Sanitizer(XML_UNSAFE)
    with AtomicFile(out_dir / "findings.html") as page:
        for chunk in _chunks(results, rules):
            page.write(clean.text(chunk))
    return page.path
