"""The HTML reader: encodings, the article inside portal chrome, tables with spans, page meta."""

from __future__ import annotations

import pytest

from auditor.extract.ir import Block, ReadError
from auditor.extract.readers.html import detect_encoding, normalize_encoding, read_html
from auditor.samples import make_report, render_html
from auditor.samples.badinput import binary_garbage, page_without_report
from auditor.samples.generate import SampleReport
from tests.extract.reader_support import body_texts, expected_tables, paras, tables_of


@pytest.fixture(scope="module")
def report() -> SampleReport:
    return make_report(21, year=2022)


def _page(body: str, head: str = '<meta charset="utf-8"><title>页面</title>') -> bytes:
    return f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>".encode()


def _rows(raw) -> list[tuple[list[str], list[bool], int | None]]:
    return [(b.cells, b.cont, b.table) for b in raw.blocks if b.kind == "row"]


# ------------------------------------------------------------------------------------------ generated pages


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_generated_page_gives_exactly_the_article(report: SampleReport, encoding: str) -> None:
    raw = read_html(render_html(report, encoding=encoding))
    assert [b.text for b in paras(raw)] == body_texts(report)  # no nav, breadcrumb, sidebar or footer
    assert tables_of(raw) == expected_tables(report)
    assert raw.blocks[0] == Block("para", text=report.title, heading=1)
    assert [b.text for b in paras(raw) if b.heading == 3] == [h for h, _ in report.sections.values()]
    assert raw.format == "html" and raw.encoding == ("utf-8" if encoding == "utf-8" else "gb18030")


def test_generated_page_meta(report: SampleReport) -> None:
    raw = read_html(render_html(report))
    day = report.published.isoformat()
    assert raw.meta == {
        "title": f"{report.title}_{report.agency}",
        "h1": report.title,
        "article_title": report.title,
        "published": [(day, "meta:PubDate"), (day, "发布时间")],
        "encoding": "utf-8",
        "encoding_source": "meta",
    }


def test_t3_rows_literally(report: SampleReport) -> None:
    t3 = [(cells, cont) for cells, cont, table in _rows(read_html(render_html(report))) if table == 1]
    note = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    assert t3[0] == ([note] * 3 + ["申请人情况"] * 7, [False, True, True, False] + [True] * 6)
    assert t3[1] == (
        [note] * 3 + ["自然人"] + ["法人或其他组织"] * 5 + ["总计"],
        [True, True, True, False, False, True, True, True, True, False],
    )
    assert t3[2][0][4:9] == ["商业\n企业", "科研\n机构", "社会公益\n组织", "法律服务\n机构", "其他"]
    values = [report.t3[("denied_2", c)] for c in ("natural", "commercial", "research")]
    assert t3[8][0][:6] == ["三、本年度办理结果", "（三）不予公开", "2.其他法律行政法规禁止公开", *values]
    assert t3[8][1][:4] == [True, True, False, False]


def test_page_without_chrome(report: SampleReport) -> None:
    raw = read_html(render_html(report, chrome=False))
    assert [b.text for b in paras(raw)] == body_texts(report)
    assert raw.meta["published"] == [(report.published.isoformat(), "meta:PubDate")]


# ------------------------------------------------------------------------------------------ encodings


def test_http_header_that_lies_is_overruled(report: SampleReport) -> None:
    gbk = render_html(report, encoding="gbk")
    raw = read_html(gbk, declared_encoding="utf-8")
    assert raw.encoding == "gb18030" and raw.meta["encoding_source"] == "meta"
    assert [b.text for b in paras(raw)] == body_texts(report)
    utf8 = render_html(report)
    assert detect_encoding(utf8, "gbk") == ("utf-8", "meta")


def test_meta_that_lies_falls_back_to_detection(report: SampleReport) -> None:
    gbk = render_html(report, encoding="gbk").replace(b"charset=gbk", b"charset=utf-8")
    raw = read_html(gbk)
    assert raw.encoding == "gb18030" and raw.meta["encoding_source"] == "charset-normalizer"
    assert [b.text for b in paras(raw)] == body_texts(report)


def test_undeclared_utf8_and_gbk_are_detected(report: SampleReport) -> None:
    gbk = render_html(report, encoding="gbk").replace(b"charset=gbk", b"")
    assert detect_encoding(gbk) == ("gb18030", "charset-normalizer")
    utf8 = render_html(report).replace(b'<meta charset="utf-8">', b"")
    assert detect_encoding(utf8) == ("utf-8", "utf-8")


def test_bom_wins_and_gb_labels_become_gb18030() -> None:
    page = b"\xef\xbb\xbf" + _page("<p>年度报告</p>", '<meta charset="gbk">')
    assert detect_encoding(page, "gb2312") == ("utf-8-sig", "bom")
    assert read_html(page).blocks == [Block("para", text="年度报告")]
    assert {normalize_encoding(x) for x in ("GBK", "gb2312", "GB18030", "x-gbk", "cp936")} == {"gb18030"}
    assert normalize_encoding("no-such-charset") is None


def test_a_few_bad_bytes_do_not_reject_the_declared_charset() -> None:
    page = _page("<p>年度报告</p>" * 200, '<meta charset="gbk">').decode().encode("gbk") + b"\xff"
    assert detect_encoding(page) == ("gb18030", "meta")


# ------------------------------------------------------------------------------------------ tables


def test_spans_paragraphs_and_spaces_in_cells() -> None:
    page = _page(
        '<div class="content"><h2>三、收到和处理政府信息公开申请情况</h2><table>'
        '<tr><td rowspan="2">三、本年度办理结果</td><td colspan="2">（一）予以公开</td><td>&nbsp;5&nbsp;'
        '</td></tr>'
        "<tr><td>（三）不予公开</td><td>1.属于国家秘密</td><td>\u30000\u3000</td></tr>"
        '<tr><td colspan="3"><p>四、结转下年度</p><p>继续办理</p></td><td>1<br>2</td></tr>'
        "<tr><td> </td><td></td><td></td><td>&nbsp;</td></tr>"
        "</table></div>"
    )
    raw = read_html(page)
    assert raw.blocks[0] == Block("para", text="三、收到和处理政府信息公开申请情况", heading=2)
    assert _rows(raw) == [
        (["三、本年度办理结果", "（一）予以公开", "（一）予以公开", "5"], [False, False, True, False], 0),
        (["三、本年度办理结果", "（三）不予公开", "1.属于国家秘密", "0"], [True, False, False, False], 0),
        (["四、结转下年度\n继续办理"] * 3 + ["1\n2"], [False, True, True, False], 0),
        # a row of empty cells after the table's text is kept: blank is a value (a T4 left empty)
        (["", "", "", ""], [False] * 4, 0),
    ]


def test_ragged_rows_are_padded_and_hostile_spans_clamped() -> None:
    page = _page(
        '<div class="content"><table><tr><td>a</td><td>b</td><td>c</td></tr><tr><td>d</td></tr></table>'
        '<table><tr><td colspan="100000" rowspan="0">x</td></tr><tr><td>y</td></tr></table></div>'
    )
    rows = _rows(read_html(page))
    assert rows[:2] == [(["a", "b", "c"], [False] * 3, 0), (["d", "", ""], [False] * 3, 0)]
    wide = [r for r in rows if r[2] == 1]
    assert len(wide) == 2 and all(len(cells) == 100 for cells, _, _ in wide)
    assert wide[1][0][0] == "x" and wide[1][1][0] is True  # rowspan 0 runs to the last row


def test_layout_tables_are_read_as_running_content() -> None:
    page = _page(
        '<div class="article"><table><tr><td><p>一、总体情况</p><p>正文。</p>'
        "<table><tr><td>自然人</td><td>总计</td></tr><tr><td>1</td><td>1</td></tr></table>"
        "</td></tr></table>"
        "<table><tr><td>左栏<table><tr><td>x</td><td>y</td></tr></table></td><td>右栏</td></tr></table></div>"
    )
    raw = read_html(page)
    assert [(b.kind, b.text or b.cells) for b in raw.blocks] == [
        ("para", "一、总体情况"),
        ("para", "正文。"),
        ("row", ["自然人", "总计"]),
        ("row", ["1", "1"]),
        ("para", "左栏"),
        ("row", ["x", "y"]),
        ("para", "右栏"),
    ]
    assert [b.table for b in raw.blocks if b.kind == "row"] == [0, 0, 1]


# ------------------------------------------------------------------------------------------ flow


def test_headings_breaks_images_and_hidden_content() -> None:
    page = _page(
        '<div id="UCAP-CONTENT"><h1>标题</h1><h4>（一）主动公开</h4><p>第一行<br/>第二行</p>'
        '<p style="display: none">隐藏</p><script>var x = "脚本";</script><style>p {}</style>'
        '<p><img src="/upload/2024/T3.png"></p><img src="a.jpg" alt="表三 依申请公开情况">'
        "<p>&nbsp;\u3000正文\u3000<span>继续</span>&nbsp;</p><h6>小标题</h6></div>"
    )
    assert read_html(page).blocks == [
        Block("para", text="标题", heading=1),
        Block("para", text="（一）主动公开", heading=4),
        Block("para", text="第一行"),
        Block("para", text="第二行"),
        Block("image", text="T3.png"),
        Block("image", text="表三 依申请公开情况"),
        Block("para", text="正文 继续"),
        Block("para", text="小标题", heading=6),
    ]


def test_publication_dates_from_meta_and_lines_anywhere() -> None:
    page = _page(
        '<div class="info">发布日期：2024年1月5日 来源：区政府办</div><div class="xxgk_table">'
        "<table><tr><td>发布时间：</td><td>2024-01-08</td></tr></table></div>"
        '<div class="TRS_Editor"><p>本报告正文内容。</p><p>发布时间：2024-13-45</p></div>',
        '<meta charset="utf-8"><meta name="publishdate" content="2024-01-06 08:00:00">'
        '<meta name="PubDate" content="not a date">',
    )
    assert read_html(page).meta["published"] == [
        ("2024-01-06", "meta:publishdate"),
        ("2024-01-05", "发布日期"),
        ("2024-01-08", "发布时间"),
    ]


def test_article_found_by_text_density_without_markers() -> None:
    nav = "".join(f'<li><a href="/{i}">栏目{i}</a></li>' for i in range(30))
    text = "".join(
        f"<p>第{i}段：本机关全年共主动公开政府信息若干条，依法依规办理政府信息公开申请。</p>"
        for i in range(8)
    )
    page = _page(
        f'<div class="top"><ul>{nav}</ul></div><div class="wrap"><div class="box">{text}</div></div>'
        '<div class="bottom"><p>版权所有：某区人民政府</p><p>地址：某区某路1号</p></div>'
    )
    raw = read_html(page)
    assert [b.text[:3] for b in raw.blocks] == [f"第{i}段" for i in range(8)]


def test_a_site_logo_in_an_h1_is_not_the_title() -> None:
    head = '<meta charset="utf-8"><title>某局2023年政府信息公开工作年度报告_某区人民政府</title>'
    logo = '<div class="header"><h1 class="logo">某区人民政府</h1></div>'
    body = (
        '<div class="TRS_Editor"><p>一、总体情况</p>'
        + "<p>本机关依法推进政府信息公开工作。</p>" * 5
        + "</div>"
    )
    without = read_html(
        _page(f'{logo}<div class="title">某局2023年政府信息公开工作年度报告</div>{body}', head)
    )
    assert without.blocks[0] == Block("para", text="一、总体情况") and "h1" not in without.meta
    with_h1 = read_html(_page(f"{logo}<h1>某局2023年政府信息公开工作年度报告</h1>{body}", head))
    assert with_h1.blocks[0] == Block("para", text="某局2023年政府信息公开工作年度报告", heading=1)
    assert with_h1.meta["h1"] == "某局2023年政府信息公开工作年度报告"


def test_page_without_a_report_gives_what_it_has() -> None:
    raw = read_html(page_without_report())
    assert raw.blocks and not any(b.kind == "row" for b in raw.blocks)
    assert raw.meta["title"] == "工作动态_某区人民政府"


@pytest.mark.parametrize("data", [b"", b"  \r\n\t ", binary_garbage()], ids=["empty", "blank", "garbage"])
def test_unreadable_input_is_a_read_error(data: bytes) -> None:
    with pytest.raises(ReadError) as err:
        read_html(data)
    assert str(err.value) and "\n" not in str(err.value)


def test_characters_xml_cannot_hold_do_not_make_a_page_unreadable() -> None:
    """U+FFFF, U+FFFE or a control byte in a page (found by the fuzz suite: lxml refuses them in any
    string) are blanked; the rest of the page is read."""
    page = "<html><body><p>一、总体情况\uffff本机关\x01全年\ufffe收到申请5件。</p></body></html>"
    raw = read_html(page.encode("utf-8"))
    assert [b.text for b in raw.blocks if b.kind == "para"] == ["一、总体情况 本机关 全年 收到申请5件。"]
