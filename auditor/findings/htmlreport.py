"""findings.html: a self-contained report in Chinese for the officers who fix the reports.

Made to scale to a district (hundreds or thousands of reports) and to be written from a stream:

- a summary table of every report (body, year, version, errors, warnings, notes) whose rows link to
  the report's own section (``#r-N``), each section linking back to the summary;
- per report, each finding with its location as an officer says it (第三部分，表三，“（七）总计”行…),
  evidence, basis and fix; the tables a finding points into are shown with the offending cells
  highlighted, the report's other tables are folded (``<details>``); a clean report is three lines;
- one file: inline CSS, no scripts, no external resources.  Everything taken from a report is
  untrusted and goes through Jinja2's autoescaping.

:class:`HtmlWriter` takes the results one at a time (``add``): each report's section and summary row
are rendered at once into two anonymous temporary files beside the output, so memory does not grow
with the number of reports; ``close`` assembles the page (head with totals, summary, sections, rule
legend) and replaces findings.html atomically.
"""

from __future__ import annotations

import shutil
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self

from markupsafe import Markup, escape

from auditor import __version__
from auditor.findings.jsonout import AtomicFile
from auditor.findings.model import SEVERITIES, SEVERITY_RANK, Finding, ReportResult
from auditor.findings.sanitize import XML_UNSAFE, Sanitizer
from auditor.findings.wording import location_text, severity_name, table_name, template_name
from auditor.model import Table
from auditor.templates import TableSpec, spec_for


@cache
def _env() -> Any:
    """The template environment, made on first use: jinja2's import and the page's compilation (65 ms)
    are left to the process that renders (`nianbao audit`'s parent assembles the page from parts
    rendered elsewhere and has the page's frame rendered there too: :func:`page_macro`)."""
    from jinja2 import Environment, PackageLoader

    env = Environment(
        loader=PackageLoader("auditor.findings", "templates"), autoescape=True, trim_blocks=True,
        lstrip_blocks=True,
    )  # fmt: skip
    env.filters["severity_name"] = severity_name
    env.filters["location"] = location_text
    env.filters["template_name"] = template_name
    env.filters["grid"] = grid_html
    return env


def grid_html(table: TableView) -> Markup:
    """A table's grid as findings.html shows it (the template's ``grid`` filter): written here, each
    text escaped as the template escapes it, because the template language's loop took a third of a
    report's rendering for the few tables shown."""
    out = ['<table class="grid">\n<tr><th></th>']
    out.extend(f"<th>{_escaped(label)}</th>" for label in table.columns)
    out.append("</tr>\n")
    for label, cells in table.rows:
        out.append(f'<tr><th class="row">{_escaped(label)}</th>')
        for cell in cells:
            css = f' class="{_escaped(cell.css)}"' if cell.css else ""
            title = f' title="{_escaped(cell.rules)}"' if cell.rules else ""
            out.append(f"<td{css}{title}>{_escaped(cell.text)}</td>")
        out.append("</tr>\n")
    out.append("</table>\n")
    return Markup("".join(out))


def _escaped(text: str) -> str:
    """``text`` escaped for HTML as the template escapes it; a plain string's escaping is looked up
    (the texts of cells and labels repeat from report to report)."""
    return _escaped_str(text) if type(text) is str else str(escape(text))


@lru_cache(maxsize=4096)
def _escaped_str(text: str) -> str:
    return str(escape(text))


_TEMPLATE = "findings.html.j2"
FILENAME = "findings.html"


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
    flagged: bool = False
    """A finding points into this table: it is shown open, the others are folded."""


@dataclass(slots=True)
class ReportView:
    """One report as the page shows it; ``anchor`` is the id its summary row links to."""

    result: ReportResult
    anchor: str
    counts: dict[str, int]
    findings: list[Finding]
    waived: list[Finding]
    tables: list[TableView] = field(default_factory=list)

    @property
    def body(self) -> str:
        """What the summary calls the report: the body, else the title, else the source."""
        doc = self.result.document
        return (doc.agency or doc.title or self.result.source) if doc else self.result.source


def _table_spec(table: Table) -> TableSpec:
    """The template spec of a table (T4 is one in both versions; an unknown T2/T3 is read as 2021)."""
    spec = spec_for(table.kind, table.template) or spec_for(table.kind, "2021")
    assert spec is not None, table.kind
    return spec


def _marks(findings: Sequence[Finding]) -> dict[tuple[str, str, str], list[Finding]]:
    marks: dict[tuple[str, str, str], list[Finding]] = {}
    for finding in findings:
        for table, row, column in finding.cells:
            marks.setdefault((table, row, column), []).append(finding)
    return marks


def _flagged_tables(findings: Sequence[Finding]) -> set[str]:
    """The tables a finding points into: by its location or by one of its cells."""
    tables = {f.location.table for f in findings if f.location.table}
    return tables | {c[0] for f in findings for c in f.cells}


def _table_view(table: Table, marks: dict[tuple[str, str, str], list[Finding]], flagged: bool) -> TableView:
    version = "" if table.kind == "T4" else f"（{template_name(table.template)}）"
    caption = table_name(table.kind) + version
    if table.image_only:
        return TableView(caption, [], [], "该表格仅为图片，无法读取。", flagged)
    spec = _table_spec(table)
    rows = []
    for row in spec.rows:
        cells = []
        allowed = spec.columns_of(row.id)
        for col in spec.columns:
            if col.id not in allowed:
                cells.append(CellView("", "na"))
                continue
            cell = table.cells.get((row.id, col.id))
            text = cell.raw if cell is not None and cell.raw.strip() else "（空）"
            found = marks.get((table.kind, row.id, col.id))
            if not found:  # most cells: no finding points at them
                cells.append(CellView(text))
                continue
            worst = max((f.severity for f in found), key=SEVERITY_RANK.__getitem__)
            rules = "、".join(dict.fromkeys(f.rule_id for f in found))
            cells.append(CellView(text, f"hl-{worst}", rules))
        rows.append((row.display, cells))
    note = "" if table.readable else "表格结构未能完整读取：" + "；".join(table.problems)
    return TableView(caption, [c.label for c in spec.columns], rows, note, flagged)


def report_view(result: ReportResult, anchor: str) -> ReportView:
    """The page's view of one result: active findings worst first, waived ones apart.  Tables appear
    only in a report where a finding points into one: that table shown, the others folded beside it
    for context; a report whose findings are about its text or dates gets none (it stays short)."""
    active = sorted(
        (f for f in result.findings if f.waived is None),
        key=lambda f: (-SEVERITY_RANK.get(f.severity, 0), f.rule_id),
    )
    counts = Counter(f.severity for f in active)
    view = ReportView(
        result, anchor, {s: counts.get(s, 0) for s in SEVERITIES}, active,
        [f for f in result.findings if f.waived is not None],
    )
    flagged = _flagged_tables(active)
    if result.document is not None and flagged:
        marks = _marks(active)
        view.tables = [_table_view(t, marks, t.kind in flagged) for t in result.document.tables]
    return view


@dataclass(frozen=True, slots=True)
class HtmlPart:
    """One report rendered for findings.html: made where the result is (a worker process), added to
    the page in order by :meth:`HtmlWriter.add_part`.  Its row and section are the page's bytes, what
    HTML cannot hold replaced already (``replaced`` counts it): the process that writes the page only
    copies them (no pattern search, and bytes cross a pipe or a spool without being transcoded)."""

    row: bytes
    section: bytes
    counts: dict[str, int]
    waived: int
    unreadable: bool
    rules: frozenset[str]
    replaced: int = 0


@cache
def _page_module() -> Any:
    return _env().get_template(_TEMPLATE).module


def page_macro(name: str, *args: Any) -> str:
    """The page template's macro ``name`` rendered with ``args`` (page_head, summary_end, page_tail:
    what :class:`HtmlWriter` writes around the reports' parts)."""
    return str(getattr(_page_module(), name)(*args))


def render_part(result: ReportResult, number: int) -> HtmlPart:
    """The summary row and section of the ``number``-th report of the page."""
    view = report_view(result, f"r-{number}")
    module = _page_module()
    clean = Sanitizer(XML_UNSAFE)  # what HTML cannot hold (controls, U+FFFF, lone surrogates) is replaced
    row = clean.text(module.summary_row(view, number)).encode("utf-8")
    section = clean.text(module.report_section(view)).encode("utf-8")
    return HtmlPart(
        row, section, dict(view.counts), len(view.waived), result.error is not None,
        frozenset(f.rule_id for f in result.findings), clean.replaced,
    )  # fmt: skip


def _as_read_back(data: bytes, after_cr: bool) -> bytes:
    """``data`` with its line breaks as the page's text files gave them back when the parts were kept
    as text (universal newlines: CR LF and a lone CR read as LF; ``after_cr``: the bytes before ended
    with a CR), so that the page stays byte for byte what it was."""
    if after_cr and data.startswith(b"\n"):
        data = data[1:]
    return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


class HtmlWriter:
    """Writes findings.html from results given one at a time, in flat memory.

    ``with HtmlWriter(out_dir, rules) as w: w.add(result)…`` — the page is written when the block ends
    without an exception (``close``); on an exception nothing is written and an existing page stays.
    """

    def __init__(self, out_dir: Path, rules: Sequence[dict[str, Any]], page: Any = None) -> None:
        """``page``: what renders the page's frame (its ``page_head``, ``summary_end`` and
        ``page_tail``), the page template's own macros unless given."""
        self.path = out_dir / FILENAME
        self._rules = list(rules)
        out_dir.mkdir(parents=True, exist_ok=True)
        # Anonymous files beside the output (unlinked at once: nothing is left behind, even on a crash),
        # not in /tmp, which may be memory.
        # Both stay open across add() calls and are closed by close() or discard().
        self._rows: IO[bytes] = tempfile.TemporaryFile("w+b", dir=out_dir)  # noqa: SIM115
        self._sections: IO[bytes] = tempfile.TemporaryFile("w+b", dir=out_dir)  # noqa: SIM115
        self._after_cr = [False, False]
        """Whether the rows, the sections written so far end with a CR (:func:`_as_read_back`)."""
        self._module = _page_module() if page is None else page
        self.sanitizer = Sanitizer(XML_UNSAFE)
        """Counts the characters replaced (the run says so)."""
        self._count = 0
        self._totals: Counter[str] = Counter()
        self._waived = 0
        self._unreadable = 0
        self._used: set[str] = set()

    def add(self, result: ReportResult) -> None:
        """Render one report's summary row and section now; keep only its counts."""
        self.add_part(render_part(result, self._count + 1))

    def add_part(self, part: HtmlPart) -> None:
        """Add the next report, rendered already (:func:`render_part` with this page's next number)."""
        self._count += 1
        self.sanitizer.replaced += part.replaced
        for i, (data, into) in enumerate(((part.row, self._rows), (part.section, self._sections))):
            if b"\r" in data or (self._after_cr[i] and data):  # seldom: a CR from a report's text
                after_cr, self._after_cr[i] = self._after_cr[i], data.endswith(b"\r")
                data = _as_read_back(data, after_cr)
            into.write(data)
        self._totals.update(part.counts)
        self._waived += part.waived
        self._unreadable += part.unreadable
        self._used.update(part.rules)

    def close(self) -> Path:
        """Assemble the page and replace findings.html; returns its path."""
        module: Any = self._module
        try:
            with AtomicFile(self.path, text=False) as out:
                out.write(module.page_head(
                    self._count, {s: self._totals.get(s, 0) for s in SEVERITIES}, self._waived,
                    self._unreadable, __version__,
                ).encode("utf-8"))
                for part in (self._rows, self._sections):
                    part.seek(0)
                    if part is self._sections:
                        out.write(module.summary_end().encode("utf-8"))
                    shutil.copyfileobj(part, out.fh)
                used = [r for r in self._rules if r.get("id") in self._used]
                out.write(module.page_tail(used, __version__).encode("utf-8"))
        finally:
            self.discard()
        return self.path

    def discard(self) -> None:
        """Drop the parts written so far (findings.html is left as it was)."""
        self._rows.close()
        self._sections.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if kind is None:
            self.close()
        else:
            self.discard()


def write_html(out_dir: Path, results: Iterable[ReportResult], rules: Sequence[dict[str, Any]]) -> Path:
    """findings.html in ``out_dir`` for ``results`` (any iterable: a list or a stream)."""
    with HtmlWriter(out_dir, rules) as writer:
        for result in results:
            writer.add(result)
    return writer.path
