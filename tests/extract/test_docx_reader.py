"""The .docx reader: body order, merged cells, nested tables, images, heading levels, hostile packages."""

from __future__ import annotations

import copy
import time
import tracemalloc
from collections.abc import Callable
from io import BytesIO

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

from auditor.extract.ir import Block, ReadError
from auditor.extract.readers.docx import read_docx
from auditor.samples import badinput, make_report, render_docx
from auditor.samples.generate import SampleReport
from tests.extract.reader_support import body_texts, docx_bytes, expected_tables, paras, tables_of


@pytest.fixture(scope="module")
def report() -> SampleReport:
    return make_report(31, year=2021, level="government")


def _rows(data: bytes) -> list[tuple[list[str], list[bool], int | None]]:
    return [(b.cells, b.cont, b.table) for b in read_docx(data).blocks if b.kind == "row"]


# ------------------------------------------------------------------------------------------ generated


def test_generated_document_gives_its_text_and_tables(report: SampleReport) -> None:
    raw = read_docx(render_docx(report))
    assert [b.text for b in paras(raw)] == body_texts(report)
    assert tables_of(raw) == expected_tables(report)
    assert raw.meta == {"published": [], "title": report.title}
    assert raw.format == "docx"


def test_generated_document_heading_levels(report: SampleReport) -> None:
    levels = {b.text: b.heading for b in read_docx(render_docx(report)).blocks if b.heading is not None}
    assert levels == {report.title: 1, **{h: 2 for h, _ in report.sections.values()}}


def test_tables_are_interleaved_with_paragraphs_in_body_order(report: SampleReport) -> None:
    blocks = read_docx(render_docx(report)).blocks
    order = [b.text if b.kind == "para" else f"T{b.table}" for b in blocks if b.heading or b.kind == "row"]
    compact = [x for i, x in enumerate(order) if i == 0 or x != order[i - 1]]
    assert compact == [report.title, "一、总体情况", "二、主动公开政府信息情况", "T0",
                       "三、收到和处理政府信息公开申请情况", "T1",
                       "四、政府信息公开行政复议、行政诉讼情况", "T2", "五、存在的主要问题及改进情况",
                       "六、其他需要报告的事项"]  # fmt: skip


# ------------------------------------------------------------------------------------------ tables


def test_horizontal_and_vertical_merges() -> None:
    document = docx.Document()
    table = document.add_table(rows=3, cols=3)
    table.cell(0, 0).merge(table.cell(1, 0)).text = "三、本年度办理结果"
    table.cell(0, 1).merge(table.cell(0, 2)).text = "（一）予以公开"
    table.cell(1, 1).text, table.cell(1, 2).text = "（二）部分公开", "7"
    merged = table.cell(2, 0).merge(table.cell(2, 2))
    merged.paragraphs[0].text = "四、结转下年度"
    merged.add_paragraph("继续办理")
    assert _rows(docx_bytes(document)) == [
        (["三、本年度办理结果", "（一）予以公开", "（一）予以公开"], [False, False, True], 0),
        (["三、本年度办理结果", "（二）部分公开", "7"], [True, False, False], 0),
        (["四、结转下年度\n继续办理"] * 3, [False, True, True], 0),
    ]


def test_grid_before_shifts_the_row() -> None:
    document = docx.Document()
    table = document.add_table(rows=2, cols=3)
    for c, text in enumerate("abc"):
        table.cell(0, c).text = text
    table.cell(1, 1).text, table.cell(1, 2).text = "y", "z"
    tr = table.rows[1]._tr
    tr.remove(tr.tc_lst[0])
    tr.insert(0, parse_xml(f'<w:trPr {nsdecls("w")}><w:gridBefore w:val="1"/></w:trPr>'))
    assert _rows(docx_bytes(document)) == [
        (["a", "b", "c"], [False] * 3, 0),
        (["", "y", "z"], [False] * 3, 0),
    ]


def test_nested_tables_and_frames_are_running_content() -> None:
    document = docx.Document()
    document.add_paragraph("前言")
    frame = document.add_table(rows=1, cols=1).cell(0, 0)
    frame.paragraphs[0].text = "框内文字"
    outer = document.add_table(rows=1, cols=2)
    outer.cell(0, 0).paragraphs[0].text = "左栏"
    inner = outer.cell(0, 0).add_table(rows=2, cols=2)
    for (r, c), text in {(0, 0): "自然人", (0, 1): "总计", (1, 0): "3", (1, 1): "3"}.items():
        inner.cell(r, c).text = text
    outer.cell(0, 1).text = "右栏"
    data = document.add_table(rows=1, cols=2)
    data.cell(0, 0).text, data.cell(0, 1).text = "行政复议", "0"
    blocks = read_docx(docx_bytes(document)).blocks
    assert [(b.kind, b.text or b.cells, b.table) for b in blocks] == [
        ("para", "前言", None),
        ("para", "框内文字", None),
        ("para", "左栏", None),
        ("row", ["自然人", "总计"], 0),
        ("row", ["3", "3"], 0),
        ("para", "右栏", None),
        ("row", ["行政复议", "0"], 1),
    ]


# ------------------------------------------------------------------------------------------ paragraphs


def test_styles_breaks_revisions_controls_and_images() -> None:
    document = docx.Document()
    document.add_heading("报告标题", level=0)
    document.add_heading("一、总体情况", level=1)
    custom = document.styles.add_style("报告小标题", WD_STYLE_TYPE.PARAGRAPH)
    custom.element.get_or_add_pPr().append(parse_xml(f'<w:outlineLvl {nsdecls("w")} w:val="2"/>'))
    document.add_paragraph("（一）主动公开", style="报告小标题")
    run = document.add_paragraph().add_run("第一行")
    run.add_break()
    run.add_text("第二行")
    revised = document.add_paragraph("保留")
    revised._p.append(parse_xml(f"<w:del {nsdecls('w')}><w:r><w:delText>删除</w:delText></w:r></w:del>"))
    revised._p.append(parse_xml(f"<w:ins {nsdecls('w')}><w:r><w:t>插入</w:t></w:r></w:ins>"))
    control = parse_xml(
        f"<w:sdt {nsdecls('w')}><w:sdtContent><w:p><w:r><w:t>控件内</w:t></w:r></w:p></w:sdtContent></w:sdt>"
    )
    document.element.body.insert(len(document.element.body) - 1, control)
    document.add_picture(BytesIO(badinput.png()))
    described = document.add_paragraph()
    described.add_run().add_picture(BytesIO(badinput.png()))
    described._p.find(".//" + qn("wp:docPr")).set("descr", "表三 依申请公开情况")
    assert read_docx(docx_bytes(document)).blocks == [
        Block("para", text="报告标题", heading=1),
        Block("para", text="一、总体情况", heading=1),
        Block("para", text="（一）主动公开", heading=3),
        Block("para", text="第一行"),
        Block("para", text="第二行"),
        Block("para", text="保留插入"),
        Block("para", text="控件内"),
        Block("image", text="image1.png"),
        Block("image", text="表三 依申请公开情况"),
    ]


def test_title_only_from_the_core_properties() -> None:
    document = docx.Document()
    document.add_paragraph("正文")
    document.core_properties.title = "  某区财政局2023年政府信息公开工作年度报告 "
    assert read_docx(docx_bytes(document)).meta["title"] == "某区财政局2023年政府信息公开工作年度报告"
    document.core_properties.title = ""
    assert "title" not in read_docx(docx_bytes(document)).meta


def test_the_same_table_object_is_not_read_twice() -> None:
    document = docx.Document()
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "a", "b"
    document.element.body.insert(len(document.element.body) - 1, copy.deepcopy(table._tbl))
    assert [t for _, _, t in _rows(docx_bytes(document))] == [0, 1]


# ------------------------------------------------------------------------------------------ hostile input

BAD: dict[str, Callable[[], bytes]] = {
    "empty": badinput.empty,
    "garbage": badinput.binary_garbage,
    "truncated": badinput.truncated_docx,
    "bomb": badinput.docx_zip_bomb,
    "ratio-bomb": lambda: badinput.docx_zip_bomb(inflated_mb=30),
    "no-document": badinput.docx_without_document,
    "broken-xml": badinput.docx_broken_xml,
}


@pytest.mark.parametrize("make", BAD.values(), ids=BAD.keys())
def test_bad_packages_are_refused_quickly_with_little_memory(make: Callable[[], bytes]) -> None:
    data = make()
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(ReadError) as err:
            read_docx(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 2.0
    assert peak < 20 * 2**20
    assert str(err.value) and "\n" not in str(err.value)


def test_bomb_reasons_name_the_problem() -> None:
    with pytest.raises(ReadError, match="解压后过大"):
        read_docx(badinput.docx_zip_bomb())
    with pytest.raises(ReadError, match="压缩比异常"):
        read_docx(badinput.docx_zip_bomb(inflated_mb=30))
    with pytest.raises(ReadError, match="word/document.xml"):
        read_docx(badinput.docx_without_document())
