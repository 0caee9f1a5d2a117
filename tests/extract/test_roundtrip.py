"""Generate → render in every format → extract: the document model must give back what was generated."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest

from auditor.extract import extract
from auditor.model import Document
from auditor.samples import (
    make_report,
    real_layouts,
    render_docx,
    render_html,
    render_markdown,
    render_pdf,
    render_text,
)
from auditor.samples.generate import SampleReport

REPORTS = [
    (61, 2019, "department"),
    (62, 2020, "government"),
    (63, 2021, "township"),
    (64, 2022, "department"),
    (65, 2023, "government"),
    (66, 2024, "department"),
    (67, 2025, "township"),
]
FORMATS: dict[str, tuple[str, Callable[[SampleReport], bytes]]] = {
    "txt": ("report.txt", lambda r: render_text(r).encode("utf-8")),
    "md": ("report.md", lambda r: render_markdown(r).encode("utf-8")),
    "html": ("report.html", render_html),
    "html-gbk": ("report.html", lambda r: render_html(r, encoding="gbk")),
    "html-bare": ("report.html", lambda r: render_html(r, chrome=False)),
    "docx": ("report.docx", render_docx),
    "pdf": ("report.pdf", render_pdf),
}
CASES = [(case, fmt) for case in REPORTS for fmt in FORMATS]


@pytest.fixture(scope="module", params=CASES, ids=[f"{s}-{y}-{lv}-{fmt}" for (s, y, lv), fmt in CASES])
def trip(request: pytest.FixtureRequest) -> tuple[SampleReport, Document, str]:
    (seed, year, level), fmt = request.param
    report = make_report(seed, year=year, level=level)
    name, render = FORMATS[fmt]
    return report, extract(render(report), name), fmt


def test_identity_of_the_report(trip: tuple[SampleReport, Document, str]) -> None:
    report, doc, _ = trip
    assert (doc.title, doc.year, doc.agency) == (report.title, report.year, report.agency)
    assert doc.stats_period == (date(report.year, 1, 1), date(report.year, 12, 31))
    assert doc.issues == []


def test_sections_in_order_with_their_headings(trip: tuple[SampleReport, Document, str]) -> None:
    report, doc, _ = trip
    assert [(s.key, s.heading) for s in doc.sections] == [(k, h) for k, (h, _) in report.sections.items()]
    assert doc.extra_headings == []


@pytest.mark.parametrize("kind", ["T2", "T3", "T4"])
def test_every_cell_comes_back(trip: tuple[SampleReport, Document, str], kind: str) -> None:
    report, doc, _ = trip
    grid = {"T2": report.t2, "T3": report.t3, "T4": report.t4}[kind]
    assert len(doc.tables_of(kind)) == 1
    table = doc.table(kind)
    assert table.readable and not table.image_only and table.problems == []
    if kind != "T4":
        assert table.template == (report.t2_version if kind == "T2" else report.t3_version)
    got = {key: (table.cells[key].raw, table.cells[key].value) for key in grid if key in table.cells}
    assert got == {key: (raw, Decimal(raw)) for key, raw in grid.items()}


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
@pytest.mark.parametrize("seed,year,level", REPORTS)
def test_html_publication_date(seed: int, year: int, level: str, encoding: str) -> None:
    report = make_report(seed, year=year, level=level)
    doc = extract(render_html(report, encoding=encoding), "report.html")
    assert doc.published == report.published


# ------------------------------------------------------------------------------ layouts of real files
# Each layout imitates one file of ../shared/real (see auditor.samples.real_layouts); every template
# cell must come back as written — a blank as a blank, never a missing cell or a zero.

REAL_LAYOUTS: dict[str, tuple[str, Callable[[SampleReport], SampleReport],
                              Callable[[SampleReport], bytes]]] = {
    "hebei-jyt": ("report.txt", lambda r: r, lambda r: real_layouts.render_crawler_text(r).encode("utf-8")),
    "shanghai-office-2019": ("report.html", real_layouts.blank_for_zero, real_layouts.render_html_nbsp),
    "format-2021-template": ("report.docx", real_layouts.empty_template, render_docx),
    "shanghai-office-2025": (
        "report.md",
        lambda r: r,
        lambda r: real_layouts.render_pdf_markdown(r, seed=r.year).encode("utf-8"),
    ),
}
REAL_CASES = [(case, layout) for case in REPORTS for layout in REAL_LAYOUTS]


@pytest.mark.parametrize(
    "case,layout", REAL_CASES, ids=[f"{s}-{y}-{lv}-{layout}" for (s, y, lv), layout in REAL_CASES]
)
def test_real_layouts_come_back_cell_by_cell(case: tuple[int, int, str], layout: str) -> None:
    seed, year, level = case
    name, shape, render = REAL_LAYOUTS[layout]
    report = shape(make_report(seed, year=year, level=level))
    doc = extract(render(report), name)
    assert [i.code for i in doc.issues] == []
    for kind, grid in (("T2", report.t2), ("T3", report.t3), ("T4", report.t4)):
        assert len(doc.tables_of(kind)) == 1, kind
        table = doc.table(kind)
        assert table.readable and table.problems == [], (kind, table.problems)
        got = {key: (table.cells[key].raw.strip(), table.cells[key].kind)
               for key in grid if key in table.cells}
        want = {key: (raw, "blank" if raw == "" else "number") for key, raw in grid.items()}
        assert got == want, kind


def test_blank_rows_stay_rows_of_blanks() -> None:
    """shanghai-office-2019: a row blank from end to end keeps its row and its seven cells (VAL-003)."""
    report = real_layouts.blank_for_zero(make_report(63, year=2021, level="township"))
    blank_rows = {r for (r, _), raw in report.t3.items()} - {r for (r, _), raw in report.t3.items() if raw}
    assert blank_rows, "the sample must have a row without any case"
    table = extract(real_layouts.render_html_nbsp(report), "report.html").table("T3")
    for row in blank_rows:
        cells = [table.cells[(row, c)] for c in ("natural", "commercial", "research", "total")]
        assert all(c.kind == "blank" for c in cells)


def test_crawler_export_places_empty_cells_by_blank_lines() -> None:
    """hebei-jyt: an empty cell is only a longer run of blank lines; it keeps its column."""
    report = make_report(64, year=2022)
    row, col = next(k for k, raw in report.t3.items() if k[1] == "commercial")
    report.t3[(row, col)] = ""
    table = extract(real_layouts.render_crawler_text(report).encode("utf-8"), "report.txt").table("T3")
    assert table.cells[(row, col)].kind == "blank"
    assert {k: c.raw for k, c in table.cells.items()} == report.t3


@pytest.mark.parametrize("cell_gap,row_gap", [(0, 1), (1, 2), (1, 3), (3, 6)])
def test_crawler_export_with_other_separator_runs(cell_gap: int, row_gap: int) -> None:
    """The same export with other blank-line runs (and zeros left blank): no new reader, same cells."""
    report = real_layouts.blank_for_zero(make_report(65, year=2023, level="government"))
    text = real_layouts.render_crawler_text(report, cell_gap=cell_gap, row_gap=row_gap)
    doc = extract(text.encode("utf-8"), "report.txt")
    for kind, grid in (("T2", report.t2), ("T3", report.t3), ("T4", report.t4)):
        table = doc.table(kind)
        assert table is not None and table.readable, (kind, table.problems if table else None)
        assert {k: table.cells[k].raw for k in grid if k in table.cells} == grid, kind
