"""Inputs no reader should accept (or that hold no report), for tests of the readers' defences.

Each function returns the bytes of one file.  The zip bombs are built by streaming, so making one
never holds its inflated size in memory.
"""

from __future__ import annotations

import random
import struct
import zipfile
import zlib
from io import BytesIO

from auditor.samples.generate import make_report
from auditor.samples.render import render_docx, render_pdf

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="word/document.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
    "</Relationships>"
)
_DOCUMENT = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>年度报告</w:t></w:r></w:p></w:body></w:document>"
)


def empty() -> bytes:
    """A zero-byte file."""
    return b""


def binary_garbage(seed: int = 0, size: int = 4096) -> bytes:
    """Random bytes that are no known format."""
    return b"\x00\x01" + random.Random(seed).randbytes(size - 2)


def truncated_docx(seed: int = 0) -> bytes:
    """The first half of a generated .docx (a download cut short: no zip central directory)."""
    data = render_docx(make_report(seed))
    return data[: len(data) // 2]


def truncated_pdf(seed: int = 0) -> bytes:
    """The first half of a generated PDF (no xref table, no %%EOF)."""
    data = render_pdf(make_report(seed))
    return data[: len(data) // 2]


def docx_zip_bomb(inflated_mb: int = 150) -> bytes:
    """A .docx package with a member of ``inflated_mb`` MB of zeros that compresses to a few hundred KB."""
    buf = BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("word/document.xml", _DOCUMENT)
        chunk = bytes(2**20)
        with zf.open("word/media/image1.bin", "w", force_zip64=True) as member:
            for _ in range(inflated_mb):
                member.write(chunk)
    return buf.getvalue()


def docx_without_document() -> bytes:
    """A zip package that is not a Word document (no word/document.xml)."""
    buf = BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("xl/workbook.xml", "<workbook/>")
    return buf.getvalue()


def docx_broken_xml() -> bytes:
    """A .docx whose document.xml is not well-formed XML."""
    buf = BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("word/document.xml", _DOCUMENT[:-40])
    return buf.getvalue()


def encrypted_pdf() -> bytes:
    """A PDF that needs a user password to open."""
    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfgen import canvas

    buf = BytesIO()
    pdf = canvas.Canvas(buf, encrypt=StandardEncryption("secret", canPrint=0), invariant=True)
    pdf.drawString(72, 720, "annual report")
    pdf.save()
    return buf.getvalue()


def scanned_pdf(pages: int = 2) -> bytes:
    """A PDF of page-sized pictures and no text layer, as a scanner makes it."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    buf = BytesIO()
    pdf = canvas.Canvas(buf, pagesize=A4, invariant=True)
    image = ImageReader(BytesIO(png(64, 64)))
    for _ in range(pages):
        pdf.drawImage(image, 40, 40, width=A4[0] - 80, height=A4[1] - 80)
        pdf.showPage()
    pdf.save()
    return buf.getvalue()


def png(width: int = 8, height: int = 8) -> bytes:
    """A small grey PNG, written by hand so no imaging library is needed."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    rows = b"".join(b"\x00" + bytes([128]) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def page_without_report() -> bytes:
    """A portal list page: navigation, a list of news links and a footer, no report."""
    items = "".join(
        f'<li><a href="/news/{i}.html">区政府召开第{i}次常务会议</a><span>2024-03-{i:02d}</span></li>'
        for i in range(1, 16)
    )
    page = (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>工作动态_某区人民政府</title></head><body>'
        '<div class="header"><ul class="nav"><li><a href="/">首页</a></li>'
        '<li><a href="/xxgk/">信息公开</a></li>'
        "</ul></div>"
        '<div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; 工作动态</div>'
        f'<div class="list"><ul>{items}</ul></div>'
        '<div class="footer"><p>主办单位：某区人民政府办公室</p></div>'
        "</body></html>"
    )
    return page.encode("utf-8")
