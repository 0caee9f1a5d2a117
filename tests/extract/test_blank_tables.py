"""Blank is a value (issue 8): a table of blanks is found (VAL-003), a table whose labels are there but
whose values cannot be read is unreadable (FMT-005), and FMT-004 is left for a section with no table."""

from __future__ import annotations

from io import BytesIO

import docx

from auditor.extract import extract
from auditor.pipeline import audit_bytes
from auditor.samples import make_report, render_docx
from auditor.samples.real_layouts import empty_template
from auditor.templates import T4_SPEC

HEAD = "某区财政局2022年政府信息公开工作年度报告\n\n"


def _rules(data: bytes, name: str) -> set[str]:
    return {f.rule_id for f in audit_bytes(data, name).findings}


def test_report_with_a_blank_t4_has_a_table_of_blanks() -> None:
    report = make_report(81, year=2022)
    for key in report.t4:
        report.t4[key] = ""
    data = render_docx(report)
    t4 = extract(data, "r.docx").table("T4")
    assert t4 is not None and t4.readable
    assert len(t4.cells) == 15 and all(c.kind == "blank" for c in t4.cells.values())
    found = _rules(data, "r.docx")
    assert "VAL-003" in found and "FMT-004" not in found and "FMT-005" not in found


def test_empty_template_tables_are_found() -> None:
    data = render_docx(empty_template(make_report(82, year=2023)))
    doc = extract(data, "r.docx")
    assert [t.kind for t in doc.tables] == ["T2", "T3", "T4"]
    assert all(t.readable and all(c.kind == "blank" for c in t.cells.values()) for t in doc.tables)
    assert "FMT-004" not in _rules(data, "r.docx")


def test_t4_titles_without_a_value_row_are_unreadable_not_missing() -> None:
    document = docx.Document()
    document.add_paragraph("四、政府信息公开行政复议、行政诉讼情况")
    table = document.add_table(rows=2, cols=3)
    for i, text in enumerate(("行政复议", "行政诉讼", "复议后起诉")):
        table.cell(0, i).text = text
    for i, col in enumerate(T4_SPEC.columns[:3]):
        table.cell(1, i).text = col.label
    buf = BytesIO()
    document.save(buf)
    doc = extract(buf.getvalue(), "r.docx")
    t4 = doc.table("T4")
    assert t4 is not None and not t4.readable and t4.problems
    assert [i.code for i in doc.issues if i.table == "T4"] == ["FMT-005"]


def test_labels_without_readable_values_are_fmt005() -> None:
    labels = ("一、本年新收政府信息公开申请数量\n二、上年结转政府信息公开申请数量\n"
              "（一）予以公开\n（七）总计\n四、结转下年度继续办理")
    text = HEAD + "三、收到和处理政府信息公开申请情况\n\n" + labels + "\n"
    doc = extract(text.encode(), "r.txt")
    t3 = doc.table("T3")
    assert t3 is not None and not t3.readable
    assert [i.code for i in doc.issues if i.table == "T3"] == ["FMT-005"]
    assert "FMT-004" not in _rules(text.encode(), "r.txt")


def test_section_without_any_table_is_still_fmt004() -> None:
    text = HEAD + "三、收到和处理政府信息公开申请情况\n\n本年度未收到政府信息公开申请。\n"
    doc = extract(text.encode(), "r.txt")
    assert doc.tables_of("T3") == []
    assert "FMT-004" in _rules(text.encode(), "r.txt")


def test_crawler_row_with_an_unplaceable_gap_is_fmt005_naming_the_row() -> None:
    """Six values and a normal run after them: the seventh cell has no trace, so no placement."""
    cells = "34\n\n\n1\n\n\n0\n\n\n0\n\n\n2\n\n\n37"
    full = "34\n\n\n1\n\n\n0\n\n\n0\n\n\n2\n\n\n0\n\n\n37"
    text = (
        HEAD
        + "三、收到和处理政府信息公开申请情况\n\n\n\n\n"
        + "一、本年新收政府信息公开申请数量\n\n\n"
        + cells
        + "\n\n\n\n\n二、上年结转政府信息公开申请数量\n\n\n"
        + full
        + "\n"
    )
    t3 = extract(text.encode(), "r.txt").table("T3")
    assert t3 is not None and not t3.readable
    assert any("一、本年新收" in p and "空白单元格的位置" in p for p in t3.problems)
