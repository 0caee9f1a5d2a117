"""Renderings that imitate how real reports are published, each named after the shared file it imitates.

The project's own renderers (:mod:`auditor.samples.render`) write tidy documents; real portals and
converters do not.  Each layout here reproduces one practice seen in ``../shared/real`` so the round
trip can measure extraction on it, cell by cell, on any generated report:

* :func:`render_crawler_text` — ``hebei-jyt-20xx.txt``: a crawler's text export of the web page, every
  table cell on its own line, cells and rows separated only by runs of blank lines, merged cells written
  once, an empty cell an empty line;
* :func:`blank_for_zero` + :func:`render_html_nbsp` — ``shanghai-office-2019.html``: portal HTML where
  zeros are left blank (``&nbsp;``), so some rows are blank from end to end;
* :func:`empty_template` (rendered as .docx) — ``format-2021-template.docx``: the format with every value
  cell empty;
* :func:`render_pdf_markdown` — ``shanghai-office-2025.md``: markdown converted from a PDF, where some row
  labels fall out of their row onto a line of their own, a label breaks over two cells, and page footers
  and separator lines stand between the rows.

Each returns bytes (or a modified report) and never changes the report it is given.
"""

from __future__ import annotations

import copy
import random

from auditor.samples.generate import SampleReport
from auditor.samples.layout import Layout, expand
from auditor.samples.render import _flow, render_html, table_layouts

CELL_GAP = 2
"""Blank lines between the cells of a row in the crawler export (hebei-jyt)."""
ROW_GAP = 4
"""Blank lines after the last cell of a row."""


# ------------------------------------------------------------------------------ hebei-jyt: one cell a line


def render_crawler_text(r: SampleReport, cell_gap: int = CELL_GAP, row_gap: int = ROW_GAP) -> str:
    """The report as a crawler's text export of its web page: paragraphs one per line, every table cell
    on its own line (a wrapped label keeps its line break), cells and rows separated by runs of
    ``cell_gap`` and ``row_gap`` blank lines, merged cells written once, empty cells as empty lines."""
    tables = table_layouts(r)
    out: list[str] = []
    for kind, payload in _flow(r):
        if kind != "table":
            out.append(payload)
            continue
        out.extend([""] * 5)
        out.extend(_cells_per_line(tables[payload], cell_gap, row_gap))
        out.extend([""] * 5)
    return "\n".join(out) + "\n"


def _cells_per_line(layout: Layout, cell_gap: int, row_gap: int) -> list[str]:
    lines: list[str] = []
    for r, row in enumerate(layout):
        if r:
            lines.extend([""] * row_gap)
        for c, span in enumerate(row):
            if c:
                lines.extend([""] * cell_gap)
            lines.append(span.text)
    return lines


# ------------------------------------------------------------------------ shanghai-office-2019: blanks


def blank_for_zero(r: SampleReport) -> SampleReport:
    """The report with every zero of T3 and T4 left blank, as some portals publish: rows without any
    case become rows of blank cells."""
    out = copy.deepcopy(r)
    for grid in (out.t3, out.t4):
        for key, raw in grid.items():
            if raw == "0":
                grid[key] = ""
    return out


def render_html_nbsp(r: SampleReport) -> bytes:
    """Portal HTML whose empty cells hold a non-breaking space, as editors leave them."""
    return render_html(r).replace(b"<td><p></p></td>", b"<td><p>&nbsp;</p></td>")


# ------------------------------------------------------------------------ format-2021-template: empty


def empty_template(r: SampleReport) -> SampleReport:
    """The report with every value cell of T2, T3 and T4 empty, as in the official Word template."""
    out = copy.deepcopy(r)
    for grid in (out.t2, out.t3, out.t4):
        for key in grid:
            grid[key] = ""
    return out


# ------------------------------------------------------------------------ shanghai-office-2025: PDF → md


def render_pdf_markdown(r: SampleReport, seed: int = 0) -> str:
    """Markdown as a PDF converter writes it: pipe rows without the merged label columns, a separator
    line after rows at random, page footers between rows, some row labels on a line of their own before
    their unlabelled row, and one label broken over two cells."""
    rng = random.Random(seed)
    tables = table_layouts(r)
    out: list[str] = []
    page = 3
    for kind, payload in _flow(r):
        if kind == "title":
            out.append(f"# {payload}")
        elif kind == "heading" or kind == "para":
            out.append(payload)
        else:
            lines, page = _broken_rows(tables[payload], rng, page)
            out.extend(lines)
    return "\n\n".join(out) + "\n"


def _broken_rows(layout: Layout, rng: random.Random, page: int) -> tuple[list[str], int]:
    grid = expand(layout)
    lines: list[str] = []
    broken_label = False
    for row in grid:
        texts = [text.replace("\n", "") for text, cont in row if not cont]
        label_cells = [t for t in texts if t and not _numeric(t)]
        values = texts[len(texts) - _value_count(texts) :] if any(_numeric(t) for t in texts) else []
        label = label_cells[-1] if label_cells else ""
        if not values:
            lines.append(" ".join(t for t in texts if t))  # a header row comes out as running text
            continue
        if not label:
            lines.append(_pipe(values))
            continue
        roll = rng.random()
        if roll < 0.15:
            lines.append(label)  # the label fell out of its row
            lines.append(_pipe(values))
        elif roll < 0.25 and not broken_label and _breakable(label):
            cut = len(label) // 2 + 2
            lines.append(_pipe([label[:cut], label[cut:], *values]))
            broken_label = True
        else:
            lines.append(_pipe([label, *values]))
        if rng.random() < 0.2:
            lines.append(f"— {page} —")
            page += 1
    return lines, page


def _breakable(label: str) -> bool:
    """Whether the first half of a broken label still names its row (the converter keeps the words
    that matter in real files; a break that loses them is another defect, not this layout)."""
    from auditor.extract.tables import t2_row_id, t3_label_id

    if len(label) <= 8:
        return False
    cut = len(label) // 2 + 2
    head = label[:cut]
    return (t3_label_id(head) or t2_row_id(head)) == (t3_label_id(label) or t2_row_id(label)) is not None


def _numeric(text: str) -> bool:
    return text.replace(".", "", 1).lstrip("-").isdigit()


def _value_count(texts: list[str]) -> int:
    n = 0
    for t in reversed(texts):
        if t and not _numeric(t):
            break
        n += 1
    return n


def _pipe(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |\n|" + "---|" * len(cells)


__all__ = [
    "blank_for_zero",
    "empty_template",
    "render_crawler_text",
    "render_html_nbsp",
    "render_pdf_markdown",
]
