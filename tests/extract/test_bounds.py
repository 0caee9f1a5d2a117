"""Issue 14: numbers, spans and runs of digits that would stall or abort a run are bounded.

Each case must finish well under a second and end as a readable model or an FMT-005 problem, never as an
exception."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from io import BytesIO

import docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from auditor.engine.api import cell_text, format_number
from auditor.extract import extract
from auditor.extract.cells import SplitTooHard, parse_cell, split_candidates, unique_split
from auditor.extract.readers._grid import MAX_COLUMNS, span_int
from auditor.extract.readers.docx import read_docx
from auditor.extract.readers.html import read_html
from auditor.model import Cell, Document, Table, document_from_dict


@contextmanager
def quick(limit: float = 1.0) -> Iterator[None]:
    started = time.monotonic()
    yield
    assert time.monotonic() - started < limit


# ---------------------------------------------------------------------------- numbers beyond 4,300 digits


def test_document_with_a_huge_number_serialises() -> None:
    huge = Decimal("9" * 5000)
    table = Table(kind="T4", template="unknown",
                  cells={("review", "total"): Cell(raw="9" * 5000, kind="number", value=huge)})
    doc = Document(source="x", sha256="0", format="txt", tables=[table])
    data = doc.to_dict()
    text = json.dumps(data)
    assert "9E+4999" in text or "9.99" in text
    back = document_from_dict(json.loads(text))
    assert back.tables[0].cells[("review", "total")].value == Decimal("1E+5000") or back.tables[0].cells[
        ("review", "total")
    ].value.adjusted() == 4999


def test_evidence_writes_huge_numbers_without_int_to_str() -> None:
    assert format_number(Decimal("1" + "0" * 5000)) == "1E+5000"
    assert format_number(Decimal(12)) == "12" and format_number(Decimal("104.1330")) == "104.133"
    assert format_number(Decimal(-3)) == "-3" and format_number(2.0) == "2"
    assert cell_text(Cell(raw="x", kind="number", value=Decimal("9" * 4400))) == "9.99999…E+4399"


def test_a_cell_of_thousands_of_digits_is_text_not_a_number() -> None:
    cell = parse_cell("7" * 5000)
    assert cell.kind == "text" and cell.value is None


def test_huge_number_in_a_report_never_raises() -> None:
    text = (
        "某局2022年政府信息公开工作年度报告\n\n四、政府信息公开行政复议、行政诉讼情况\n\n"
        + "\t".join(["行政复议"] + ["9" * 5000] * 15)
        + "\n"
    )
    with quick(2.0):
        doc = extract(text.encode(), "r.txt")
        json.dumps(doc.to_dict())


# ---------------------------------------------------------------------------- spans clamped to the grid


@pytest.mark.parametrize("span", ["1000000000", "9" * 20, "9" * 5000, "+3", "x", ""])
def test_span_values_are_capped_before_int(span: str) -> None:
    with quick(0.1):
        value = span_int(span, 1)
    assert 1 <= value <= 10_000 or (span in ("x", "") and value == 1)


@pytest.mark.parametrize("span", ["1000000000", "9" * 20, "9" * 5000])
def test_html_spans_of_any_length_are_clamped(span: str) -> None:
    page = (
        "<html><body><div class='content'><table>"
        f"<tr><td colspan='{span}' rowspan='{span}'>x</td><td>1</td></tr><tr><td>y</td></tr>"
        "</table></div></body></html>"
    ).encode()
    with quick():
        raw = read_html(page)
    rows = [b for b in raw.blocks if b.kind == "row"]
    assert rows and all(len(b.cells) <= MAX_COLUMNS for b in rows)


@pytest.mark.parametrize("span", ["1000000000", "9" * 20, "9" * 5000])
def test_docx_grid_spans_of_any_length_are_clamped(span: str) -> None:
    document = docx.Document()
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "x"
    table.cell(1, 1).text = "1"
    tc_pr = table.cell(0, 0)._tc.get_or_add_tcPr()
    tc_pr.append(parse_xml(f'<w:gridSpan {nsdecls("w")} w:val="{span}"/>'))
    tr_pr = table.rows[1]._tr.get_or_add_trPr()
    tr_pr.append(parse_xml(f'<w:gridBefore {nsdecls("w")} w:val="{span}"/>'))
    buf = BytesIO()
    document.save(buf)
    with quick():
        raw = read_docx(buf.getvalue())
    rows = [b for b in raw.blocks if b.kind == "row"]
    assert rows and all(len(b.cells) <= MAX_COLUMNS for b in rows)


# ---------------------------------------------------------------------------- the digit splitter


@pytest.mark.parametrize("digits", [32, 40, 60, 200])
def test_splitter_is_bounded_when_no_split_fits(digits: int) -> None:
    with quick(0.6):
        try:
            found = split_candidates(["9" * digits], 7, group=7)
        except SplitTooHard:
            found = None
    assert not found
    with quick(0.6):
        assert unique_split(["9" * digits], 15, group=5)[0] is None


def test_splitter_still_finds_the_unique_split() -> None:
    assert split_candidates(["713000074"], 7, group=7) == [["71", "3", "0", "0", "0", "0", "74"]]
    assert unique_split(["713000074" * 3], 21, group=7)[0] == ["71", "3", "0", "0", "0", "0", "74"] * 3


def test_a_run_too_hard_to_split_is_fmt005_not_a_stall() -> None:
    text = (
        "某局2022年政府信息公开工作年度报告\n\n三、收到和处理政府信息公开申请情况\n\n"
        "一、本年新收政府信息公开申请数量 " + "9" * 60 + "\n二、上年结转政府信息公开申请数量 0000000\n"
    )
    with quick(2.0):
        doc = extract(text.encode(), "r.txt")
    t3 = doc.table("T3")
    assert t3 is not None and not t3.readable
    assert any("一、本年新收" in p for p in t3.problems)
    assert any(i.code == "FMT-005" and i.table == "T3" for i in doc.issues)
