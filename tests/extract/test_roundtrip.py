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
