"""The .docx reader's one-pass reading of plain tables gives exactly what the element walk gives.

:func:`auditor.extract.readers.docx._plain_rows` reads a table whose text is all in runs of cell
paragraphs in one tag-filtered pass; for every table of generated reports, of the official template
and of hand-made awkward tables, the spanning cells it gives must equal those of the general walk
(:func:`_row_cells` + :func:`_cell_parts`), and the tables it cannot read exactly must be left to it.
"""

from __future__ import annotations

import zipfile
from io import BytesIO

import docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from lxml import etree

from auditor.extract.readers import docx as reader
from auditor.samples import make_report, render_docx
from tests.extract.expected_model import SHARED
from tests.extract.reader_support import docx_bytes


def _tables(data: bytes) -> list[etree._Element]:
    xml = zipfile.ZipFile(BytesIO(data)).read("word/document.xml")
    root = etree.fromstring(xml, parser=reader._xml_parser())
    return [t for t in root.iter(reader.W_TBL) if not any(a.tag == reader.W_TBL for a in t.iterancestors())]


def _walked(tbl: etree._Element) -> list[list[tuple[str, int, int]]]:
    plain = bool(reader._PLAIN_TABLE(tbl))
    rows = [[reader._described(b, tc, plain) for b, tc in reader._row_cells(tr)] for tr in reader._rows(tbl)]
    return [[(c.text, c.rowspan, c.colspan) for c in row] for row in reader._span_rows(rows)]


def _streamed(tbl: etree._Element) -> list[list[tuple[str, int, int]]] | None:
    rows = reader._plain_rows(tbl) if reader._PLAIN_TABLE(tbl) else None
    if rows is None:
        return None
    return [[(c.text, c.rowspan, c.colspan) for c in row] for row in reader._span_rows(rows)]


def _awkward() -> bytes:
    document = docx.Document()
    table = document.add_table(rows=4, cols=3)
    table.cell(0, 0).merge(table.cell(1, 0)).text = "三、本年度办理结果"
    table.cell(0, 1).merge(table.cell(0, 2)).text = "（一）予以公开"
    table.cell(1, 1).text, table.cell(1, 2).text = "（二）部分公开", ""
    merged = table.cell(2, 0).merge(table.cell(2, 2))
    merged.paragraphs[0].text = "四、结转下年度"
    merged.add_paragraph("继续办理")
    merged.add_paragraph("")
    table.cell(3, 1).text, table.cell(3, 2).text = "  7 ", "一"
    table.cell(3, 2).add_paragraph("二")
    tr = table.rows[3]._tr
    tr.remove(tr.tc_lst[0])
    tr.insert(0, parse_xml(f'<w:trPr {nsdecls("w")}><w:gridBefore w:val="1"/></w:trPr>'))
    return docx_bytes(document)


def _bailing() -> list[bytes]:
    """Tables the one pass must leave to the walk."""
    out = []
    for xml in (
        f'<w:trPr {nsdecls("w")}><w:gridBefore w:val="1"/><w:gridBefore w:val="2"/></w:trPr>',
        (
            f'<w:tcPr {nsdecls("w")}><w:gridSpan w:val="2"/><w:tcPrChange w:id="1" w:author="x">'
            '<w:tcPr><w:gridSpan w:val="3"/></w:tcPr></w:tcPrChange></w:tcPr>'
        ),
    ):
        document = docx.Document()
        table = document.add_table(rows=2, cols=3)
        table.cell(0, 0).text = "a"
        element = parse_xml(xml)
        if element.tag.endswith("trPr"):
            table.rows[1]._tr.insert(0, element)
        else:
            table.cell(1, 0)._tc.insert(0, element)
        out.append(docx_bytes(document))
    document = docx.Document()
    document.add_table(rows=1, cols=1).cell(0, 0).text = "框内文字"  # a frame
    out.append(docx_bytes(document))
    return out


DOCUMENTS = [render_docx(make_report(seed, year=2019 + seed % 7, level="government")) for seed in range(7)]


@pytest.mark.parametrize(
    "data", [*DOCUMENTS, _awkward()], ids=[*(f"generated-{i}" for i in range(7)), "awkward"]
)
def test_plain_tables_read_in_one_pass_as_the_walk_reads_them(data: bytes) -> None:
    tables = _tables(data)
    assert tables
    for tbl in tables:
        assert _streamed(tbl) is not None
        assert _streamed(tbl) == _walked(tbl)


def test_the_official_template_reads_the_same() -> None:
    for tbl in _tables((SHARED / "real" / "format-2021-template.docx").read_bytes()):
        streamed = _streamed(tbl)
        assert streamed is None or streamed == _walked(tbl)


@pytest.mark.parametrize("data", _bailing(), ids=["two-grid-before", "tracked-span-change", "frame"])
def test_tables_the_pass_cannot_read_exactly_are_left_to_the_walk(data: bytes) -> None:
    assert [_streamed(tbl) for tbl in _tables(data)] == [None]
