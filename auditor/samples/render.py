"""Renderers: one :class:`SampleReport` written as text, markdown, a portal HTML page, .docx or PDF.

All renderers are deterministic: the same report gives the same bytes (the PDF is written with
reportlab's ``invariant`` mode, so it carries no creation time or random id).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from html import escape
from io import BytesIO
from typing import Any

from auditor.samples.generate import SampleReport
from auditor.samples.layout import Layout, Span, expand, t2_layout, t3_layout, t4_layout

SECTION_TABLES = {"二": "T2", "三": "T3", "四": "T4"}


def table_layouts(r: SampleReport) -> dict[str, Layout]:
    """The printed layout of each of the report's tables, keyed T2/T3/T4."""
    return {
        "T2": t2_layout(r.t2, r.t2_version),
        "T3": t3_layout(r.t3, r.t3_version),
        "T4": t4_layout(r.t4),
    }


def _flow(r: SampleReport) -> Iterator[tuple[str, str]]:
    """The report in reading order as (kind, payload): title, para, heading, table (payload T2/T3/T4)."""
    yield "title", r.title
    for text in r.preamble:
        yield "para", text
    for key, (heading, paragraphs) in r.sections.items():
        yield "heading", heading
        for text in paragraphs:
            yield "para", text
        if key in SECTION_TABLES:
            yield "table", SECTION_TABLES[key]


def _flat_rows(layout: Layout) -> list[list[str]]:
    """Expanded rows as a text export writes them: spanned positions empty, wrapped labels joined."""
    return [[text.replace("\n", "") if not cont else "" for text, cont in row] for row in expand(layout)]


# -------------------------------------------------------------------------------------- text / md


def render_text(r: SampleReport) -> str:
    """Plain text: headings on their own lines, tables as tab-separated rows (the layout of seed 004)."""
    tables = table_layouts(r)
    out: list[str] = []
    for kind, payload in _flow(r):
        if kind == "table":
            out.append("\n".join("\t".join(row) for row in _flat_rows(tables[payload])))
        else:
            out.append(payload)
    return "\n\n".join(out) + "\n"


def render_markdown(r: SampleReport) -> str:
    """Markdown: ``#`` title, ``##`` section headings, pipe tables (first printed row as the header)."""
    tables = table_layouts(r)
    out: list[str] = []
    for kind, payload in _flow(r):
        if kind == "title":
            out.append(f"# {payload}")
        elif kind == "heading":
            out.append(f"## {payload}")
        elif kind == "table":
            out.append(_pipe_table(_flat_rows(tables[payload])))
        else:
            out.append(payload)
    return "\n\n".join(out) + "\n"


def _pipe_table(rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(cell.replace("|", "｜") for cell in row) + " |" for row in rows]
    lines.insert(1, "|" + "---|" * len(rows[0]))
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------ html

_NAV = ("首页", "政务公开", "政务服务", "互动交流", "走进本区")
_SIDEBAR = ("政府信息公开指南", "政府信息公开制度", "法定主动公开内容", "政府信息公开年报")


def render_html(r: SampleReport, encoding: str = "utf-8", chrome: bool = True) -> bytes:
    """A portal article page: the report in a TRS-style ``<div class="TRS_Editor">``, tables with the
    template's rowspan/colspan layout; ``chrome`` adds nav, breadcrumb, sidebar and footer.

    The page declares ``encoding`` in a ``<meta>`` and is written in it (``gbk`` gives GBK bytes).
    """
    day = r.published.isoformat()
    article = _html_article(r)
    body = _html_chrome(r, day, article) if chrome else f"<h1>{escape(r.title)}</h1>\n{article}"
    page = (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n'
        f"{_charset_meta(encoding)}\n"
        f"<title>{escape(r.title)}_{escape(r.agency)}</title>\n"
        f'<meta name="ArticleTitle" content="{escape(r.title)}">\n'
        f'<meta name="PubDate" content="{day} 09:30">\n'
        f'<meta name="ContentSource" content="{escape(r.agency)}">\n'
        '<link rel="stylesheet" href="/css/article.css">\n'
        '<script>var _hmt = _hmt || []; var siteId = "gov-portal";</script>\n'
        f"</head>\n<body>\n{body}\n</body>\n</html>\n"
    )
    return page.encode(encoding, errors="xmlcharrefreplace")


def _charset_meta(encoding: str) -> str:
    if encoding.lower().replace("-", "") == "utf8":
        return f'<meta charset="{encoding}">'
    return f'<meta http-equiv="Content-Type" content="text/html; charset={encoding}">'


def _html_chrome(r: SampleReport, day: str, article: str) -> str:
    nav = "".join(f'<li><a href="/{i}/">{name}</a></li>' for i, name in enumerate(_NAV))
    side = "".join(f'<li><a href="/xxgk/{i}/">{name}</a></li>' for i, name in enumerate(_SIDEBAR))
    return (
        f'<div class="header"><div class="logo">{escape(r.agency)}</div><ul class="nav">{nav}</ul></div>\n'
        '<div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; <a href="/xxgk/">政府信息公开</a>'
        ' &gt; <a href="/xxgk/nb/">政府信息公开年报</a></div>\n'
        '<div class="main">\n'
        f'<div class="sidebar"><h3>信息公开目录</h3><ul>{side}</ul></div>\n'
        '<div class="article">\n'
        f'<h1 class="article-title">{escape(r.title)}</h1>\n'
        f'<div class="article-info"><span>发布时间：{day}</span>&nbsp;&nbsp;'
        f'<span>来源：{escape(r.agency)}</span>'
        "<span>浏览次数：<script>document.write(visits);</script></span></div>\n"
        f"{article}\n"
        '<div class="share">分享到：<a href="#">微信</a> <a href="#">微博</a></div>\n'
        "</div>\n</div>\n"
        f'<div class="footer"><p>主办单位：{escape(r.agency)}&nbsp;&nbsp;网站标识码：0000000001</p>'
        "<p>ICP备案号：示例ICP备00000000号</p></div>\n"
        '<script src="/js/stat.js"></script>'
    )


def _html_article(r: SampleReport) -> str:
    tables = table_layouts(r)
    parts: list[str] = ['<div class="TRS_Editor" id="zoom">']
    for kind, payload in _flow(r):
        if kind == "heading":
            parts.append(f"<h3>{escape(payload)}</h3>")
        elif kind == "para":
            parts.append(f'<p style="text-indent:2em">{escape(payload)}</p>')
        elif kind == "table":
            parts.append(_html_table(tables[payload]))
    parts.append("</div>")
    return "\n".join(parts)


def _html_table(layout: Layout) -> str:
    rows = []
    for row in layout:
        cells = []
        for span in row:
            attrs = (f' rowspan="{span.rowspan}"' if span.rowspan > 1 else "") + (
                f' colspan="{span.colspan}"' if span.colspan > 1 else ""
            )
            lines = "".join(f"<p>{escape(line)}</p>" for line in span.text.split("\n"))
            cells.append(f"<td{attrs}>{lines}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (
        '<table border="1" cellspacing="0" cellpadding="0" width="100%" style="border-collapse:collapse">'
        "<tbody>\n" + "\n".join(rows) + "\n</tbody></table>"
    )


# ------------------------------------------------------------------------------------------ docx


def render_docx(r: SampleReport) -> bytes:
    """A Word document: Title-style title, Heading 2 section headings, tables merged as the template."""
    from docx import Document as new_docx
    from docx.oxml.ns import qn

    doc = new_docx()
    normal = doc.styles["Normal"]
    normal.font.name = "宋体"
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
    doc.core_properties.title = r.title
    doc.core_properties.author = r.agency
    tables = table_layouts(r)
    for kind, payload in _flow(r):
        if kind == "title":
            doc.add_heading(payload, level=0)
        elif kind == "heading":
            doc.add_heading(payload, level=2)
        elif kind == "para":
            doc.add_paragraph(payload)
        else:
            _docx_table(doc, tables[payload])
    buf = BytesIO()
    doc.save(buf)
    return _fixed_zip_times(buf.getvalue())


def _fixed_zip_times(data: bytes) -> bytes:
    """The package rewritten with every member dated 1980-01-01, so equal documents are equal bytes
    (python-docx stamps members with the current time)."""
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            stamp = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            dst.writestr(stamp, src.read(info), compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _docx_table(doc: Any, layout: Layout) -> None:
    from docx.table import _Cell

    grid = expand(layout)
    table = doc.add_table(rows=len(grid), cols=len(grid[0]))
    table.style = "Table Grid"
    # Cells taken once from the unmerged grid: table.cell() recomputes the whole grid on every call.
    cells = [[_Cell(tc, table) for tc in tr.tc_lst] for tr in table._tbl.tr_lst]
    for r_idx, c_idx, span in _origins(layout):
        cell = cells[r_idx][c_idx]
        if span.rowspan > 1 or span.colspan > 1:
            cell = cell.merge(cells[r_idx + span.rowspan - 1][c_idx + span.colspan - 1])
        first, *rest = span.text.split("\n")
        cell.paragraphs[0].text = first
        for line in rest:
            cell.add_paragraph(line)


def _origins(layout: Layout) -> Iterator[tuple[int, int, Span]]:
    """(row, column, span) of every printed cell at its top-left grid position."""
    taken: set[tuple[int, int]] = set()
    for r_idx, row in enumerate(layout):
        col = 0
        for span in row:
            while (r_idx, col) in taken:
                col += 1
            for dr in range(span.rowspan):
                for dc in range(span.colspan):
                    taken.add((r_idx + dr, col + dc))
            yield r_idx, col, span
            col += span.colspan


# ------------------------------------------------------------------------------------------- pdf

PDF_FONT = "STSong-Light"
"""reportlab's built-in CID font (Adobe-GB1): no font file needed, and pdfplumber maps it back to Unicode."""

_COL_WIDTHS = {
    "T2": [120.0, 120.0, 120.0, 121.0],
    "T3": [52.0, 58.0, 119.0] + [36.0] * 7,
    "T4": [32.0] * 15,
}


def render_pdf(r: SampleReport) -> bytes:
    """An A4 PDF with a real text layer (STSong-Light) and the tables drawn with grid lines."""
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate

    register_pdf_font()
    styles = _pdf_styles()
    tables = table_layouts(r)
    story: list[Any] = []
    for kind, payload in _flow(r):
        if kind == "table":
            story.extend(_pdf_table(tables[payload], _COL_WIDTHS[payload], styles["cell"]))
        else:
            story.append(_pdf_paragraph(payload, styles[kind]))
    buf = BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        title=r.title,
        author=r.agency,
        invariant=True,
        leftMargin=57,
        rightMargin=57,
        topMargin=60,
        bottomMargin=60,
    )
    doc.build(story)
    return buf.getvalue()


def register_pdf_font() -> None:
    """Make :data:`PDF_FONT` known to reportlab (idempotent)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if PDF_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))


def _pdf_styles() -> dict[str, Any]:
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.styles import ParagraphStyle

    base = ParagraphStyle("body", fontName=PDF_FONT, fontSize=10.5, leading=17, firstLineIndent=21)
    return {
        "title": ParagraphStyle(
            "title",
            parent=base,
            fontSize=16,
            leading=24,
            alignment=TA_CENTER,
            firstLineIndent=0,
            spaceAfter=12,
        ),
        "heading": ParagraphStyle(
            "heading", parent=base, fontSize=12, leading=20, firstLineIndent=0, spaceBefore=6, spaceAfter=4
        ),
        "para": ParagraphStyle("para", parent=base, spaceAfter=4),
        "cell": ParagraphStyle("cell", fontName=PDF_FONT, fontSize=7.5, leading=9.5, alignment=TA_CENTER),
    }


def _pdf_paragraph(text: str, style: Any) -> Any:
    from reportlab.platypus import Paragraph

    return Paragraph(escape(text, quote=False), style)


def _pdf_table(layout: Layout, widths: list[float], style: Any) -> list[Any]:
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    grid = expand(layout)
    data: list[list[object]] = [["" for _ in row] for row in grid]
    commands: list[tuple[object, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.6, "black"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("FONTNAME", (0, 0), (-1, -1), PDF_FONT),
    ]
    for r_idx, c_idx, span in _origins(layout):
        text = "<br/>".join(escape(line, quote=False) for line in span.text.split("\n"))
        data[r_idx][c_idx] = Paragraph(text, style)
        if span.rowspan > 1 or span.colspan > 1:
            end = (c_idx + span.colspan - 1, r_idx + span.rowspan - 1)
            commands.append(("SPAN", (c_idx, r_idx), end))
    table = Table(data, colWidths=widths, style=TableStyle(commands))
    return [Spacer(1, 4), table, Spacer(1, 8)]
