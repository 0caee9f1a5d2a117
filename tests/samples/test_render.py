"""The renderers: deterministic, the template's table layout, and files other tools can open."""

from __future__ import annotations

import re
from io import BytesIO

import docx
import pdfplumber
import pytest

from auditor.samples import (
    make_report,
    render_docx,
    render_html,
    render_markdown,
    render_pdf,
    render_text,
)
from auditor.samples.generate import SampleReport
from auditor.samples.layout import T3_NOTE, expand, t3_layout


@pytest.fixture(scope="module")
def report() -> SampleReport:
    return make_report(11, year=2023)


@pytest.fixture(scope="module")
def report_2020() -> SampleReport:
    return make_report(12, year=2020, level="government")


@pytest.mark.parametrize("render", [render_text, render_markdown, render_html, render_docx, render_pdf])
def test_renderers_are_deterministic(render, report: SampleReport) -> None:
    assert render(report) == render(make_report(11, year=2023))


def test_text_has_tab_separated_rows_under_plain_headings(report: SampleReport) -> None:
    lines = render_text(report).split("\n")
    assert lines[0] == report.title
    assert "三、收到和处理政府信息公开申请情况" in lines
    t3 = report.t3
    new = "\t".join(t3[("new", c)] for c in ("natural", "commercial", "research", "public_interest", "legal"))
    assert (
        f"一、本年新收政府信息公开申请数量\t\t\t{new}\t{t3[('new', 'other_org')]}\t{t3[('new', 'total')]}"
        in lines
    )
    assert f"{T3_NOTE}\t\t\t申请人情况\t\t\t\t\t\t" in lines
    assert "\t\t\t\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t" in lines
    assert f"\t（三）不予公开\t1.属于国家秘密\t{t3[('denied_1', 'natural')]}" in "\n".join(lines)


def test_markdown_has_section_headings_and_pipe_tables(report: SampleReport) -> None:
    md = render_markdown(report)
    assert md.startswith(f"# {report.title}\n")
    assert re.findall(r"^## (.+)$", md, flags=re.MULTILINE) == [h for h, _ in report.sections.values()]
    assert "|---|---|---|---|---|---|---|---|---|---|\n" in md  # T3: ten columns
    assert "|" + "---|" * 15 + "\n" in md  # T4: fifteen columns


def test_html_has_template_spans_and_paragraph_cells(report: SampleReport) -> None:
    page = render_html(report).decode("utf-8")
    assert '<meta charset="utf-8">' in page
    assert f"发布时间：{report.published.isoformat()}" in page
    assert '<div class="TRS_Editor" id="zoom">' in page
    assert '<td rowspan="22"><p>三、本年度办理结果</p></td>' in page
    assert '<td colspan="5"><p>法人或其他组织</p></td>' in page
    assert "<td><p>商业</p><p>企业</p></td>" in page
    assert '<td rowspan="8"><p>（三）不予公开</p></td>' in page


def test_html_2019_format_has_one_row_for_other_handling(report_2020: SampleReport) -> None:
    page = render_html(report_2020).decode("utf-8")
    assert '<td rowspan="20"><p>三、本年度办理结果</p></td>' in page
    assert '<td colspan="2"><p>（六）其他处理</p></td>' in page


def test_html_gbk_is_written_in_gbk(report: SampleReport) -> None:
    data = render_html(report, encoding="gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    page = data.decode("gbk")
    assert 'content="text/html; charset=gbk"' in page and report.title in page


def test_html_without_chrome_is_just_the_article(report: SampleReport) -> None:
    page = render_html(report, chrome=False).decode("utf-8")
    assert "breadcrumb" not in page and "footer" not in page and "TRS_Editor" in page


def test_docx_tables_merge_like_the_template(report: SampleReport) -> None:
    document = docx.Document(BytesIO(render_docx(report)))
    assert document.core_properties.title == report.title
    assert len(document.tables) == 3
    t3 = document.tables[1]
    assert len(t3.rows) == 3 + 25 and len(t3.columns) == 10
    assert t3.cell(0, 0)._tc is t3.cell(2, 2)._tc  # the note spans three rows and three columns
    assert t3.cell(5, 0)._tc is t3.cell(26, 0)._tc  # 三、本年度办理结果 spans the result rows
    assert t3.cell(1, 4)._tc is t3.cell(1, 8)._tc and t3.cell(1, 4).text == "法人或其他组织"
    assert t3.cell(3, 9).text == report.t3[("new", "total")]
    assert [p.text for p in t3.cell(2, 4).paragraphs] == ["商业", "企业"]
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert headings == [h for h, _ in report.sections.values()]


def test_pdf_text_round_trips_through_pdfplumber(report: SampleReport) -> None:
    with pdfplumber.open(BytesIO(render_pdf(report))) as pdf:
        assert pdf.metadata["Title"] == report.title
        text = "".join(page.extract_text() for page in pdf.pages).replace("\n", "")
        tables = [t for page in pdf.pages for t in page.find_tables()]
    assert report.title in text
    assert "本报告中所列数据统计期限自2023年1月1日起至2023年12月31日止" in text
    assert len(tables) >= 3


def test_layout_grid_is_rectangular_for_both_formats(report: SampleReport, report_2020: SampleReport) -> None:
    for r, rows in ((report, 28), (report_2020, 26)):
        grid = expand(t3_layout(r.t3, r.t3_version))
        assert len(grid) == rows and {len(row) for row in grid} == {10}
        assert all(text for row in grid for text, _ in row)  # every position is covered by a printed cell
