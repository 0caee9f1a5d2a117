"""Format sniffing, size limits and dispatch to the readers."""

from __future__ import annotations

import hashlib
import zipfile
from datetime import date
from io import BytesIO

from auditor.extract.ir import NotAReport, RawDocument, ReadError
from auditor.level import level_of
from auditor.model import Document

SUPPORTED_SUFFIXES: tuple[str, ...] = (
    ".html",
    ".htm",
    ".shtml",
    ".docx",
    ".pdf",
    ".txt",
    ".md",
    ".doc",
    ".wps",
)

MAX_INPUT_BYTES = 50 * 1024 * 1024
"""Larger inputs are refused before any parsing: no real annual report comes near this."""


IMAGE_MAGIC: tuple[bytes, ...] = (
    b"\xff\xd8\xff",  # JPEG
    b"\x89PNG\r\n\x1a\n",
    b"GIF87a",
    b"GIF89a",
    b"II*\x00",  # TIFF, little-endian
    b"MM\x00*",  # TIFF, big-endian
    b"BM",  # BMP (checked with its header size below)
)


def sniff_format(data: bytes, name: str = "") -> str:
    """The document format from its content (the name only breaks ties between text flavours).

    Returns one of html, docx, pdf, doc, txt, md; raises ReadError for empty or binary input and
    :class:`NotAReport` for an image (a scan: no text to read).
    """
    return _sniff(data, name)[0]


def _sniff(data: bytes, name: str) -> tuple[str, bool | None]:
    """:func:`sniff_format`, and whether the bytes read as UTF-16LE without a byte-order mark
    (:func:`utf16le_without_bom` of the head, None where a byte-order mark made asking needless), so
    that :func:`read_raw` does not ask again."""
    head = data[:4096]
    if not head[:64].strip() and not data.strip():  # the whole copied only when it starts blank
        raise ReadError("文件为空")
    text_flavour = "md" if name.lower().endswith(".md") else "txt"
    utf16: bool | None = None
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or (utf16 := utf16le_without_bom(head)):
        text_head = _utf16_head(data)
        markup = "<html" in text_head or "<body" in text_head or "<table" in text_head
        return ("html" if markup else text_flavour), utf16
    container = _container_format(data, head)
    if container is not None:
        return container, utf16
    if _is_image(head):
        raise NotAReport("图片/扫描件，无法读取文字")
    if _looks_like_html(head):
        return "html", utf16
    if _looks_binary(head):
        raise ReadError("无法识别的二进制文件（不是 HTML、DOCX、PDF 或文本）")
    return text_flavour, utf16


def _container_format(data: bytes, head: bytes) -> str | None:
    """pdf, docx or doc by their signatures; None for anything else.  Raises ReadError for a ZIP that is
    damaged or not a Word document."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(BytesIO(data)) as zf:
                names = set(zf.namelist())
        except zipfile.BadZipFile as exc:
            raise ReadError(f"损坏的 ZIP/DOCX 文件：{exc}") from None
        if "word/document.xml" in names:
            return "docx"
        raise ReadError("ZIP 文件不是 Word (.docx) 文档")
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "doc"  # OLE2 compound file: .doc, and .wps of WPS Office
    return None


_HTML_STARTS = (b"<!doctype html", b"<html", b"<?xml", b"<head", b"<meta", b"<body")


def _looks_like_html(head: bytes) -> bool:
    if b"<" not in head:
        return False  # every mark looked for opens with "<" (a text export has none: no lowering then)
    lowered = head.lower()
    if lowered.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(_HTML_STARTS):
        return True
    return b"<html" in lowered or b"<body" in lowered or b"<div" in lowered or b"<table" in lowered


def _is_image(head: bytes) -> bool:
    if head.startswith(b"BM"):
        # a BMP's header: file size, reserved zeros, then the pixel offset; text starting "BM" is not one
        return len(head) >= 14 and head[6:10] == b"\x00\x00\x00\x00"
    heif = head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1")
    return head.startswith(IMAGE_MAGIC) or heif


def _utf16_head(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data[:8192].decode("utf-16", errors="replace").lower()
    return data[:8192].decode("utf-16-le", errors="replace").lower()


def utf16le_without_bom(head: bytes) -> bool:
    """Whether bytes without a byte-order mark read as UTF-16LE text (Windows "Unicode" .txt).

    Not UTF-8, an even number of bytes (of the sample), and decoded as UTF-16LE nearly every character
    is Chinese, ASCII or common punctuation, with at least one line break.  UTF-8 or GB18030 Chinese read
    as UTF-16LE gives code points all over the plane, so the test does not take them.
    """
    sample = head[: len(head) & ~1]
    if len(sample) < 16:
        return False
    try:
        sample.decode("utf-8")
        return False
    except UnicodeDecodeError as exc:
        if exc.start >= len(sample) - 3:  # only a character cut at the sample's end: UTF-8 all the same
            return False
    try:
        text = sample.decode("utf-16-le")
    except UnicodeDecodeError:
        return False
    if "\n" not in text:
        return False
    plausible = sum(
        1
        for ch in text
        if ("\u4e00" <= ch <= "\u9fff") or ("\u3000" <= ch <= "\u303f") or ("\uff00" <= ch <= "\uffef")
        or (ch.isascii() and (ch.isprintable() or ch in "\t\r\n"))
    )
    return plausible / len(text) > 0.95


def _looks_binary(head: bytes) -> bool:
    """Control bytes beyond what a damaged text file holds (a stray NUL or two does not make it binary)."""
    nuls = head.count(b"\x00")
    if nuls > max(2, len(head) // 100):
        return True
    control = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return control > max(8, len(head) // 50)


_CONTROL_BYTES = bytes(b for b in range(32) if b < 9 or b > 13)
"""Control bytes other than tab, line feed, vertical tab, form feed and carriage return (counted by
deleting them: bytes.translate runs in C, a loop over 4 kB in Python cost more than reading a report)."""


def read_raw(data: bytes, name: str = "", *, declared_encoding: str | None = None) -> RawDocument:
    """Bytes -> blocks, with the reader the content calls for."""
    if len(data) > MAX_INPUT_BYTES:
        raise ReadError(
            f"文件过大（{len(data) // (1024 * 1024)} MB，上限 {MAX_INPUT_BYTES // (1024 * 1024)} MB）"
        )
    fmt, utf16 = _sniff(data, name)
    if utf16 is None:
        utf16 = utf16le_without_bom(data[:4096])
    if fmt == "pdf":
        from auditor.extract.readers.pdf import read_pdf

        return read_pdf(data)
    if fmt == "docx":
        from auditor.extract.readers.docx import read_docx

        return read_docx(data)
    if fmt == "doc":
        from auditor.extract.readers.legacy import read_legacy

        return read_legacy(data, name)
    if fmt == "html":
        from auditor.extract.readers.html import read_html

        if declared_encoding is None and utf16:
            declared_encoding = "utf-16-le"
        return read_html(data, declared_encoding=declared_encoding)
    from auditor.extract.readers.text import read_text

    if declared_encoding is None and utf16:
        declared_encoding = "utf-16-le"
    return read_text(data, markdown=(fmt == "md"), declared_encoding=declared_encoding)


def extract(
    data: bytes,
    source: str,
    *,
    level: str | None = None,
    declared_encoding: str | None = None,
    sha256: str | None = None,
    published: date | None = None,
    published_source: str | None = None,
) -> Document:
    """Extract the document model from the bytes of one report: final when returned (no later stage
    changes it).

    ``sha256`` is the bytes' digest when the caller already has it.  ``level`` overrides the level the
    body's name suggests; ``published`` is the date known from outside (the portal's listing, said by
    ``published_source``, default "crawl"), used when the document states none.  Raises
    :class:`ReadError` (a one-line reason) when the bytes are not a readable document at all.
    """
    from auditor.extract.structure import build_document

    raw = read_raw(data, source, declared_encoding=declared_encoding)
    doc = build_document(raw, source=source, sha256=sha256 or hashlib.sha256(data).hexdigest())
    doc.level = level or level_of(doc.title, doc.agency)
    if published is not None and doc.published is None:
        doc.published, doc.published_source = published, published_source or "crawl"
    return doc
