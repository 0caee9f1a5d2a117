"""The fast HTML and .docx readers give exactly the documents the readers before the speed-up gave.

The reference readers are kept verbatim in tests/extract/readers_before.  Compared, whole RawDocument
against whole RawDocument (every block, the format, the encoding and the meta): the generated corpus in
every layout (all report years and levels, UTF-8 and GBK pages, with and without the portal's chrome),
the real shanghai-office-2019.html and format-2021-template.docx, hand-made pages and documents with
every construct the readers handle, and a few hundred seeded random trees of those constructs.
"""

from __future__ import annotations

import random
import zipfile
from collections.abc import Iterator
from io import BytesIO
from xml.sax.saxutils import escape

import docx
import pytest

from auditor.extract.ir import RawDocument, ReadError
from auditor.extract.readers import docx as docx_reader
from auditor.extract.readers.docx import read_docx
from auditor.extract.readers.html import read_html
from auditor.samples import make_report, render_docx, render_html
from auditor.samples.generate import LEVELS
from tests.extract.expected_model import SHARED
from tests.extract.readers_before import docx_before, html_before

SEEDS = range(24)


def _layouts(seed: int) -> tuple[int, str]:
    return 2019 + seed % 7, LEVELS[seed % 3]


def _same(new: RawDocument, old: RawDocument) -> None:
    assert new.format == old.format and new.encoding == old.encoding
    assert new.meta == old.meta
    assert new.blocks == old.blocks


def _same_outcome(new_reader, old_reader, data: bytes) -> None:  # type: ignore[no-untyped-def]
    """The same document, or both readers refuse it."""
    try:
        old = old_reader(data)
    except ReadError:
        with pytest.raises(ReadError):
            new_reader(data)
        return
    _same(new_reader(data), old)


# ------------------------------------------------------------------------------------------ generated


@pytest.mark.parametrize("seed", SEEDS)
def test_generated_pages(seed: int) -> None:
    year, level = _layouts(seed)
    report = make_report(seed, year=year, level=level)
    for page in (
        render_html(report),
        render_html(report, encoding="gbk"),
        render_html(report, chrome=False),
    ):
        _same(read_html(page), html_before.read_html(page))
    page = render_html(report, encoding="gbk")
    _same(read_html(page, "utf-8"), html_before.read_html(page, "utf-8"))


@pytest.mark.parametrize("seed", SEEDS)
def test_generated_documents(seed: int) -> None:
    year, level = _layouts(seed)
    data = render_docx(make_report(seed, year=year, level=level))
    _same(read_docx(data), docx_before.read_docx(data))


def test_real_page_and_template() -> None:
    page = (SHARED / "real" / "shanghai-office-2019.html").read_bytes()
    _same(read_html(page), html_before.read_html(page))
    template = (SHARED / "real" / "format-2021-template.docx").read_bytes()
    _same(read_docx(template), docx_before.read_docx(template))


# ------------------------------------------------------------------------------------------ html constructs


def _page(body: str, head: str = '<meta charset="utf-8"><title>某区2023年报_某区人民政府</title>') -> bytes:
    return f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>".encode()


HTML_CASES = {
    "spans": '<div class="content"><h2>三、情况</h2><table>'
    '<tr><td rowspan="2">三、本年度办理结果</td><td colspan="2">（一）予以公开</td><td>&nbsp;5&nbsp;'
    '</td></tr>'
    "<tr><td>（三）不予公开</td><td>1.属于国家秘密</td><td>\u30000\u3000</td></tr>"
    '<tr><td colspan="3"><p>四、结转下年度</p><p>继续办理</p></td><td>1<br>2</td></tr>'
    "<tr><td> </td><td></td><td></td><td>&nbsp;</td></tr></table></div>",
    "hostile-spans": '<div class="content"><table><tr><td>a</td><td>b</td><td>c</td></tr><tr><td>d</td></tr>'
    '</table><table><tr><td colspan="100000" rowspan="0">x</td></tr><tr><td>y</td></tr></table></div>',
    "layout-tables": '<div class="article"><table><tr><td><p>一、总体情况</p><p>正文。</p>'
    "<table><tr><td>自然人</td><td>总计</td></tr><tr><td>1</td><td>1</td></tr></table></td></tr></table>"
    "<table><tr><td>左栏<table><tr><td>x</td><td>y</td></tr></table></td><td>右栏</td></tr></table></div>",
    "flow": '<div id="UCAP-CONTENT"><h1>标题</h1><h4>（一）主动公开</h4><p>第一行<br/>第二行</p>'
    '<p style="display: none">隐藏</p><script>var x = "脚本";</script><style>p {}</style>'
    '<p><img src="/upload/2024/T3.png"></p><img src="a.jpg" alt="表三 依申请公开情况">'
    "<p>&nbsp;\u3000正文\u3000<span>继续</span>&nbsp;</p><h6>小标题</h6></div>",
    "dates": '<div class="info">发布日期：2024年1月5日 来源：区政府办</div><div class="xxgk_table">'
    "<table><tr><td>发布时间：</td><td>2024-01-08</td></tr></table></div>"
    '<div class="TRS_Editor"><p>本报告正文内容。</p><p>发布时间：2024-13-45</p></div>',
    "density": '<div class="top"><ul>'
    + "".join(f'<li><a href="/{i}">栏目{i}</a></li>' for i in range(30))
    + '</ul></div><div class="wrap"><div class="box">'
    + "".join(f"<p>第{i}段：本机关全年共主动公开政府信息若干条。</p>" for i in range(8))
    + '</div></div><div class="bottom"><p>版权所有：某区人民政府</p></div>',
    "cells": '<div class="content"><table><caption>表一 <b>主动</b>公开</caption><thead><tr><th>项目'
    '<span hidden>隐</span></th><th><h3>数量</h3>（件）</th></tr></thead><tbody><tr><td><a href="#">链接'
    '</a>文字<img alt="图"><br>尾</td><td style="display:none">9</td><td>  1 <font>2</font>\t</td></tr>'
    '</tbody><tfoot><tr><td colspan=" 2x">合计</td><td rowspan="-1">3</td></tr></tfoot></table>'
    "<table><tr><td><div>一<div>二</div>三</div></td></tr></table><table><tr><td>独格</td></tr></table>"
    "<table><tr><td><select><option>选</option></select><textarea>文</textarea>留</td><td>a</td></tr>"
    "<tr><td></td><td></td></tr></table></div>",
    "nested-markers": '<div class="content"><div class="article"><div id="zoom"><p>正文一</p><p>正文二</p>'
    '</div></div><div class="detail"><a href="#">相关链接</a></div></div>'
    "<h1>某区2023年报</h1><p>发布时间：2024-01-02</p>",
    "many-markers": '<ul class="list">'
    + "".join(f'<li class="article-item"><a href="/{i}">文章{i}</a> 简介{i}</li>' for i in range(20))
    + '</ul><div class="content"><div class="detail"><p>一、总体情况</p><p>本机关依法推进政府信息公开。</p>'
    + "<table><tr><td>信息内容</td><td>数量</td></tr><tr><td>规章</td><td>3</td></tr></table></div></div>",
    "nested-many-markers": '<div class="content">' * 30
    + "<p>正文甲</p><p>正文乙</p>"
    + "</div>" * 30
    + '<div id="zoom">'
    + "<span>尾注</span>" * 3
    + "</div>",
    "empty-body": "",
    "only-links": '<ul><li><a href="/">首页</a></li><li><a href="/a">栏目</a></li></ul>',
}


@pytest.mark.parametrize("body", HTML_CASES.values(), ids=HTML_CASES.keys())
def test_html_constructs(body: str) -> None:
    _same_outcome(read_html, html_before.read_html, _page(body))


_HTML_TAGS = ("p", "div", "span", "b", "a", "h2", "h4", "li", "center", "font", "section", "td", "tr")
_HTML_ATTRS = ("", ' class="content"', ' id="zoom"', ' style="display:none"', " hidden", ' class="nav"')
_TEXTS = (
    "",
    " ",
    "正文",
    "\u3000一、总体情况 ",
    "3",
    "1,234",
    "&nbsp;",
    "\u200b",
    "发布时间：2024-01-05",
    "\n",
)


def _random_html(rng: random.Random, depth: int = 0) -> str:
    """A random fragment of the constructs the reader distinguishes (blocks, inline, tables, spans,
    breaks, images, hidden and skipped content, markers)."""
    parts = [rng.choice(_TEXTS)]
    for _ in range(rng.randint(0, 4 if depth < 3 else 0)):
        roll = rng.random()
        if roll < 0.2 and depth < 3:
            rows = []
            for _ in range(rng.randint(1, 4)):
                cells = []
                for _ in range(rng.randint(1, 4)):
                    span = rng.choice(("", "", ' rowspan="2"', ' colspan="2"', ' colspan="3" rowspan="0"'))
                    cells.append(f"<{rng.choice(('td', 'th'))}{span}>{_random_html(rng, depth + 2)}</td>")
                rows.append(f"<tr>{''.join(cells)}</tr>")
            body = "".join(rows)
            parts.append(f"<table>{'<tbody>' + body + '</tbody>' if rng.random() < 0.5 else body}</table>")
        elif roll < 0.3:
            parts.append(rng.choice(("<br>", '<img src="/a/b.png">', '<img alt="表三">', "<hr>")))
        elif roll < 0.35:
            parts.append(rng.choice(("<script>x</script>", "<select><option>o</option></select>")))
        else:
            tag = rng.choice(_HTML_TAGS)
            parts.append(f"<{tag}{rng.choice(_HTML_ATTRS)}>{_random_html(rng, depth + 1)}</{tag}>")
        parts.append(rng.choice(_TEXTS))
    return "".join(parts)


@pytest.mark.parametrize("seed", range(300))
def test_random_html_trees(seed: int) -> None:
    rng = random.Random(seed)
    _same_outcome(read_html, html_before.read_html, _page(_random_html(rng)))


# ------------------------------------------------------------------------------------------ docx constructs


def _with_body(xml: str, *, styles: bool = True) -> bytes:
    """A python-docx document whose body is ``xml`` (w: prefixed elements), with an image part."""
    document = docx.Document()
    document.add_heading("标题", level=1)
    document.add_picture(BytesIO(_png()))
    buf = BytesIO()
    document.save(buf)
    src = zipfile.ZipFile(BytesIO(buf.getvalue()))
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "word/document.xml":
                head, _, rest = data.decode().partition("<w:body>")
                blip = rest[rest.index('r:embed="') + 9 :].split('"', 1)[0]
                data = f"{head}<w:body>{xml.replace('RID', blip)}<w:sectPr/></w:body></w:document>".encode()
            if info.filename == "word/styles.xml" and not styles:
                continue
            dst.writestr(info.filename, data)
    return out.getvalue()


def _png() -> bytes:
    from auditor.samples import badinput

    return badinput.png()


def _p(text: str, style: str = "", extra: str = "") -> str:
    ppr = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    return f'<w:p>{ppr}<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r>{extra}</w:p>'


def _tc(content: str, props: str = "") -> str:
    return f"<w:tc><w:tcPr>{props}</w:tcPr>{content or _p('')}</w:tc>"


_DRAWING = (
    '<w:r><w:drawing><wp:inline xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessin'
    'gDrawing">'
    '<wp:docPr id="1" name="Picture 1" DESCR/><a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml'
    '/2006/main">'
    '<a:graphicData><a:blip xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    ' r:embed="RID"/></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>'
)

DOCX_CASES = {
    "styles": _p("一、总体情况", "Heading1")
    + _p("标题", "Title")
    + _p("无", "NoSuchStyle")
    + '<w:p><w:pPr><w:outlineLvl w:val="2"/></w:pPr><w:r><w:t>大纲</w:t></w:r></w:p>'
    + '<w:p><w:pPr><w:outlineLvl w:val="99999999999999999999"/></w:pPr><w:r><w:t>大级</w:t></w:r></w:p>',
    "runs": "<w:p><w:r><w:t>第一行</w:t><w:br/><w:t>第二行</w:t><w:tab/><w:t>尾</w:t><w:cr/>"
    "<w:noBreakHyphen/></w:r><w:del><w:r><w:delText>删</w:delText></w:r></w:del><w:ins><w:r><w:t>插"
    "</w:t></w:r></w:ins><w:r><w:rPr><w:t>属性</w:t></w:rPr><w:t>\u3000 空 </w:t></w:r></w:p>",
    "controls": "<w:sdt><w:sdtContent>"
    + _p("控件内")
    + "<w:tbl><w:tr>"
    + _tc(_p("格"))
    + _tc(_p("2"))
    + "</w:tr></w:tbl></w:sdtContent></w:sdt><w:customXml>"
    + _p("自定义")
    + "</w:customXml>",
    "images": _p("图前", extra=_DRAWING.replace("DESCR", ""))
    + _p("", extra=_DRAWING.replace("DESCR", 'descr="表三 依申请公开情况"'))
    + _p("", extra=_DRAWING.replace("DESCR", "").replace("RID", "rIdMissing")),
    "merges": "<w:tbl><w:tr>"
    + _tc(_p("三、结果"), '<w:vMerge w:val="restart"/>')
    + _tc(_p("（一）予以公开"), '<w:gridSpan w:val="2"/>')
    + "</w:tr><w:tr>"
    + _tc("", "<w:vMerge/>")
    + _tc(_p("（二）部分公开"))
    + _tc(_p("7"))
    + "</w:tr><w:tr>"
    + _tc(_p("四、结转") + _p("继续办理"), '<w:gridSpan w:val="3"/>')
    + '</w:tr><w:tr><w:trPr><w:gridBefore w:val="1"/></w:trPr>'
    + _tc(_p("y"))
    + _tc(_p("z"))
    + "</w:tr></w:tbl>",
    "frames": "<w:tbl><w:tr>"
    + _tc(_p("框内文字"))
    + "</w:tr></w:tbl><w:tbl><w:tr>"
    + _tc(_p("左栏") + "<w:tbl><w:tr>" + _tc(_p("自然人")) + _tc(_p("总计")) + "</w:tr></w:tbl>")
    + _tc(_p("右栏"))
    + "</w:tr></w:tbl>",
    "wide-span": "<w:tbl><w:tr>"
    + _tc(_p("宽"), '<w:gridSpan w:val="150"/>')
    + _tc(_p("外"))
    + "</w:tr><w:tr>"
    + _tc(_p("a"))
    + _tc(_p("b"))
    + "</w:tr></w:tbl>",
    "cell-text": "<w:tbl><w:tr>"
    + _tc(_p("一") + _p("二") + '<w:p><w:r><w:t xml:space="preserve">甲\n乙</w:t></w:r></w:p>')
    + _tc(
        '<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr><w:r><w:t>制表位</w:'
        't></w:r></w:p>'
    )
    + _tc(
        "<w:p><w:hyperlink><w:r><w:t>链接</w:t></w:r></w:hyperlink><w:r><w:instrText>PAGE</w:instrText></"
        "w:r></w:p>"
    )
    + "</w:tr><w:tr>"
    + _tc(
        "<w:p><w:ins><w:r><w:t>插入</w:t></w:r></w:ins><w:del><w:r><w:delText>删</w:delText></w:r></w:"
        "del></w:p>"
    )
    + _tc(
        '<w:p><w:r><w:t>框外</w:t></w:r><w:r><mc:AlternateContent xmlns:mc="http://schemas.'
        'openxmlformats.org/'
        'markup-compatibility/2006"><mc:Fallback><w:pict><w:txbxContent><w:p><w:r><w:t>框内</w:t></w:r></w:p>'
        "</w:txbxContent></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>"
    )
    + _tc("<w:p><w:r><w:rPr><w:t>属性内</w:t></w:rPr><w:t>正</w:t><w:tab/><w:t>文</w:t></w:r></w:p>")
    + "</w:tr></w:tbl>"
    + "<w:tbl><w:tr>"
    + _tc(_p("甲") + _p("乙"))
    + _tc(_p(" 1,234 "))
    + "</w:tr><w:tr>"
    + _tc('<w:p><w:r><w:t>a</w:t></w:r><w:r><w:t xml:space="preserve"> b </w:t></w:r></w:p>')
    + _tc("")
    + "</w:tr></w:tbl>",
}


@pytest.mark.parametrize("body", DOCX_CASES.values(), ids=DOCX_CASES.keys())
def test_docx_constructs(body: str) -> None:
    _same_outcome(read_docx, docx_before.read_docx, _with_body(body))


def test_docx_without_styles_part() -> None:
    data = _with_body(_p("一、总体情况", "Heading1") + _p("正文"), styles=False)
    _same_outcome(read_docx, docx_before.read_docx, data)


def _random_body(rng: random.Random, depth: int = 0) -> Iterator[str]:
    for _ in range(rng.randint(1, 5 if depth == 0 else 2)):
        roll = rng.random()
        if roll < 0.3 and depth < 2:
            rows = []
            for _ in range(rng.randint(1, 4)):
                before = rng.choice(("", "", '<w:trPr><w:gridBefore w:val="1"/></w:trPr>'))
                cells = []
                for _ in range(rng.randint(1, 4)):
                    props = rng.choice(
                        ("", "", '<w:gridSpan w:val="2"/>', '<w:vMerge w:val="restart"/>', "<w:vMerge/>")
                    )
                    cells.append(_tc("".join(_random_body(rng, depth + 1)), props))
                rows.append(f"<w:tr>{before}{''.join(cells)}</w:tr>")
            yield f"<w:tbl>{''.join(rows)}</w:tbl>"
        elif roll < 0.4:
            yield f"<w:sdt><w:sdtContent>{''.join(_random_body(rng, depth + 1))}</w:sdtContent></w:sdt>"
        else:
            style = rng.choice(("", "", "Heading2", "Title", "Normal"))
            extra = rng.choice(("", "", "<w:r><w:br/><w:t>续</w:t></w:r>", _DRAWING.replace("DESCR", "")))
            yield _p(rng.choice(("正文", " ", "", "（一）主动公开", "12")), style, extra)


@pytest.mark.parametrize("seed", range(120))
def test_random_docx_bodies(seed: int) -> None:
    rng = random.Random(seed)
    _same_outcome(read_docx, docx_before.read_docx, _with_body("".join(_random_body(rng))))


def test_docx_background_before_the_body() -> None:
    data = _with_body(_p("一、总体情况", "Heading1") + _p("正文"))
    src = zipfile.ZipFile(BytesIO(data))
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            member = src.read(info.filename)
            if info.filename == "word/document.xml":
                member = member.replace(b"<w:body>", b'<w:background w:color="FFFFFF"/><w:body>', 1)
            dst.writestr(info.filename, member)
    _same_outcome(read_docx, docx_before.read_docx, out.getvalue())
    assert [b.text for b in read_docx(out.getvalue()).blocks][-2:] == ["一、总体情况", "正文"]


@pytest.mark.parametrize("seed", range(0, 24, 3))
def test_streamed_main_part_gives_the_same_blocks(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Large main parts are streamed: the streaming path gives what the whole-part path gives."""
    year, level = _layouts(seed)
    documents = [render_docx(make_report(seed, year=year, level=level))]
    documents += [_with_body(body) for body in DOCX_CASES.values()]
    documents.append(_with_body("".join(_random_body(random.Random(seed)))))
    for data in documents:
        whole = read_docx(data)
        monkeypatch.setattr(docx_reader, "STREAM_ABOVE", 0)
        _same(read_docx(data), whole)
        monkeypatch.setattr(docx_reader, "STREAM_ABOVE", 2**40)


def _restyled(data: bytes, old: bytes, new: bytes, method: int = zipfile.ZIP_DEFLATED) -> bytes:
    src = zipfile.ZipFile(BytesIO(data))
    out = BytesIO()
    with zipfile.ZipFile(out, "w", method) as dst:
        for info in src.infolist():
            member = src.read(info.filename)
            if info.filename == "word/styles.xml":
                assert old in member
                member = member.replace(old, new, 1)
            dst.writestr(info.filename, member)
    return out.getvalue()


def test_documents_with_different_styles_are_not_confused() -> None:
    """Styles are cached by the stored bytes of the styles part: each variant keeps its own levels."""
    data = _with_body(_p("一、总体情况", "Heading1") + _p("（一）主动公开", "Heading2") + _p("正文"))
    variants = [
        data,
        _restyled(data, b'w:val="heading 1"', b'w:val="heading 3"'),
        _restyled(data, b'w:val="heading 2"', b'w:val="heading 4"'),
        _restyled(data, b'w:val="heading 2"', b'w:val="heading 4"', zipfile.ZIP_STORED),
        _restyled(data, b'w:val="heading 1"', b'w:val="heading 1"', zipfile.ZIP_STORED),
    ]
    levels = []
    for variant in variants * 2:
        _same(read_docx(variant), docx_before.read_docx(variant))
        levels.append(
            [b.heading for b in read_docx(variant).blocks if b.text in ("一、总体情况", "（一）主动公开")]
        )
    assert levels[:5] == [[1, 2], [3, 2], [1, 4], [1, 4], [1, 2]] and levels[5:] == levels[:5]
