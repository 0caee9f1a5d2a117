"""The PDF reader's faster geometry gives exactly what pdfplumber's own functions give.

:mod:`auditor.extract.readers._words` stands in for pdfplumber's word grouping (``extract_text`` of
table cells, the words of the text strategy, the words of the page's text lines), and
:mod:`auditor.extract.readers.pdfium_pages` redoes pdfplumber's ``edges_to_intersections`` and
``intersections_to_cells``; the reader's table extraction in page order is pdfplumber's
``Table.extract``.  Each is compared with pdfplumber on random inputs (including the awkward ones: ties,
overlapping characters, gaps at the tolerance, broken ruling) and on the pages of generated reports.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from pdfplumber import table as plumber_table
from pdfplumber.utils.text import WordExtractor, chars_to_textmap, extract_text

from auditor.extract.readers import pdfium_pages
from auditor.extract.readers._words import plain_text, word_tuples
from auditor.extract.readers.pdf import _LINES
from auditor.samples import make_report, render_pdf

TEXTS = list("0123456789中文年报告公开申请（）-./") + ["ﬁ", "ﬂ", " ", "\u3000", ""]


def _char(rng: random.Random, x0: float, top: float) -> dict[str, Any]:
    width = rng.choice([0.0, 2.5, 5.0, 10.0, rng.uniform(0, 12)])
    height = rng.choice([10.0, 12.0, rng.uniform(5, 14)])
    return {
        "object_type": "char",
        "text": rng.choice(TEXTS),
        "x0": x0,
        "x1": x0 + width,
        "top": top,
        "bottom": top + height,
        "doctop": top,
        "upright": rng.random() > 0.02,
        "size": height,
    }


def _random_cell(rng: random.Random) -> list[dict[str, Any]]:
    base = rng.uniform(0, 500)
    spread = rng.choice([0.0, 0.5, 2.9, 3.0, 3.1, 6.0, 14.0, 30.0])
    x = rng.uniform(0, 300)
    chars = []
    for _ in range(rng.randint(1, 12)):
        top = base + rng.choice([0.0, 1.5, 3.0, 12.0, 24.0, rng.uniform(0, spread)])
        chars.append(_char(rng, x, top))
        x += rng.choice([0.0, 5.0, 8.0, 10.0, 13.0, 13.0001, 20.0, -4.0])
    if rng.random() < 0.3:
        rng.shuffle(chars)  # pdfplumber keeps the given order among equal x0s: so must we
    return chars


@pytest.mark.parametrize("seed", range(20))
def testplain_text_is_pdfplumbers(seed: int) -> None:
    rng = random.Random(seed)
    fast = lines = 0
    for _ in range(500):
        chars = _random_cell(rng)
        got = plain_text(chars)
        if got is not None:
            fast += 1
            lines += "\n" in got
            assert got == extract_text(chars), chars
    assert fast > 50 and lines > 10  # the fast path is taken, on several lines too, not only the fallback


def _random_edges(rng: random.Random) -> list[dict[str, Any]]:
    xs = sorted(rng.sample(range(0, 600, 20), rng.randint(2, 8)))
    ys = sorted(rng.sample(range(0, 800, 15), rng.randint(2, 10)))
    edges = []
    for x in xs:
        top, bottom = ys[0] + rng.choice([0, 0, 0.5, 30]), ys[-1] - rng.choice([0, 0, 0.5, 30])
        if rng.random() < 0.9:
            edges.append({"orientation": "v", "x0": x, "x1": x, "top": top, "bottom": bottom})
    for y in ys:
        x0, x1 = xs[0] + rng.choice([0, 0, 0.8, 40]), xs[-1] - rng.choice([0, 0, 0.8, 40])
        if rng.random() < 0.9:
            edges.append({"orientation": "h", "x0": x0, "x1": x1, "top": y, "bottom": y})
    if rng.random() < 0.5:  # a short rule splitting a cell, as merged cells leave them
        x = rng.choice(xs)
        edges.append({"orientation": "v", "x0": x + 10, "x1": x + 10, "top": ys[0], "bottom": ys[1]})
    rng.shuffle(edges)
    return edges


@pytest.mark.parametrize("seed", range(40))
def test_table_cells_are_pdfplumbers(seed: int) -> None:
    edges = _random_edges(random.Random(seed))
    theirs = plumber_table.edges_to_intersections(edges, 3, 3)
    ours = pdfium_pages.edges_to_intersections(edges, 3, 3)
    assert list(ours) == list(theirs) and ours == theirs
    assert pdfium_pages.intersections_to_cells(ours) == plumber_table.intersections_to_cells(theirs)


def test_generated_pages_give_pdfplumbers_tables() -> None:
    data = render_pdf(make_report(5, year=2022, level="government"))
    doc = pdfium_pages.open_document(data)
    try:
        for page in doc.pages():
            ours = pdfium_pages._TableFinder(page, _LINES)
            theirs = plumber_table.TableFinder(page, _LINES)  # type: ignore[arg-type]
            assert ours.cells and ours.cells == theirs.cells
            assert [t.cells for t in ours.tables] == [t.cells for t in theirs.tables]
            for table in theirs.tables:
                for row in table.rows:
                    for cell in row.cells:
                        if cell is None:
                            continue
                        inside = [
                            c
                            for c in page.chars
                            if cell[0] <= (c["x0"] + c["x1"]) / 2 < cell[2]
                            and cell[1] <= (c["top"] + c["bottom"]) / 2 < cell[3]
                        ]
                        fast = plain_text(inside) if inside else None
                        assert fast is None or fast == extract_text(inside)
    finally:
        doc.close()


def test_table_texts_are_pdfplumbers_table_extract() -> None:
    """The reader's table extraction in page order is pdfplumber's Table.extract, on the ruled tables
    and on the text-aligned ones a page without ruling gives (the test of "a table of figures")."""
    from dataclasses import replace

    from auditor.extract.readers.pdf import _TEXT, _extract

    report = make_report(8, year=2023, level="government")
    sections = dict(report.sections)
    heading, paragraphs = sections["一"]
    sections["一"] = (heading, paragraphs * 4)  # pages of text without ruling
    doc = pdfium_pages.open_document(render_pdf(replace(report, sections=sections)))
    seen = {"lines": 0, "text": 0}
    try:
        for page in doc.pages():
            for strategy, settings in (("lines", _LINES), ("text", _TEXT)):
                for table in page.find_tables(settings):
                    seen[strategy] += 1
                    assert _extract(table, table.rows, table.bbox, page_order=True) == table.extract()
    finally:
        doc.close()
    assert seen["lines"] and seen["text"]


@pytest.mark.parametrize("seed", range(20))
def test_words_are_pdfplumbers(seed: int) -> None:
    rng = random.Random(1000 + seed)
    for _ in range(300):
        chars = _random_cell(rng) + _random_cell(rng)
        ours = word_tuples(chars)
        if ours is None:
            continue
        theirs = list(WordExtractor().iter_extract_tuples(chars))
        assert [w for w, _ in ours] == [w for w, _ in theirs]
        assert [[id(c) for c in cs] for _, cs in ours] == [[id(c) for c in cs] for _, cs in theirs]


def test_page_words_and_text_lines_are_pdfplumbers() -> None:
    doc = pdfium_pages.open_document(render_pdf(make_report(9, year=2020, level="department")))
    try:
        for page in doc.pages():
            assert word_tuples(page.chars) is not None
            assert page.extract_words() == WordExtractor().extract_words(page.chars)
            theirs = chars_to_textmap(
                page.chars, layout_bbox=page.bbox, layout_width=page.width, layout_height=page.height
            ).extract_text_lines(strip=True, return_chars=False)
            assert page.extract_text_lines(strip=True, return_chars=False) == theirs
    finally:
        doc.close()
