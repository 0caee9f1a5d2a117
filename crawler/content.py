"""What a body is, from its bytes: the file type (magic bytes, never the extension), the text encoding
of HTML (header, meta, detection when the declarations lie; GBK/GB2312 read as GB18030), and a hash of
a page's visible text so that counters and scripts do not make new versions."""

from __future__ import annotations

import codecs
import hashlib
import re
import zipfile
from io import BytesIO

from charset_normalizer import from_bytes

from auditor.extract.textcodec import canonical_encoding

DOCUMENT_TYPES = ("pdf", "docx", "ole")
"""Sniffed types that are report files (ole: .doc, or .wps of WPS Office)."""

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def sniff(data: bytes) -> str:
    """The type of a body from its first bytes: pdf, docx, ole, zip, html, text or other."""
    head = data[:1024]
    if head.startswith(b"%PDF-") or b"%PDF-" in head[:64]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(BytesIO(data)) as zf:
                return "docx" if "word/document.xml" in zf.namelist() else "zip"
        except zipfile.BadZipFile:
            return "other"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    lowered = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if lowered.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<meta")) or b"<html" in lowered:
        return "html"
    if b"\x00" in head:
        return "other"
    return "text"


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def detect_encoding(data: bytes, header_charset: str | None = None) -> tuple[str, str]:
    """(encoding, where it came from) for an HTML or text body.

    Valid UTF-8 with non-ASCII bytes is UTF-8 whatever is declared (GBK text is practically never valid
    UTF-8, while UTF-8 text often decodes as GB18030 into nonsense); otherwise the first declaration
    (header, then meta) that decodes cleanly; otherwise charset-normalizer's guess.
    """
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8", "bom"
    header = canonical_encoding(header_charset)
    if not data.isascii() and _decodes(data, "utf-8"):
        return "utf-8", "header" if header == "utf-8" else "detected"
    match = _META_CHARSET.search(data[:4096])
    meta = canonical_encoding(match.group(1).decode("ascii", "replace")) if match else None
    for encoding, source in ((header, "header"), (meta, "meta")):
        if encoding and _decodes(data, encoding):
            return encoding, source
    best = from_bytes(data).best()
    if best is not None:
        return canonical_encoding(best.encoding) or best.encoding, "detected"
    return "gb18030", "fallback"


def decode(data: bytes, encoding: str) -> str:
    """Text of a body in ``encoding``, undecodable bytes replaced."""
    return data.decode(encoding, errors="replace")


def text_hash(text: str) -> str:
    """sha256 of text with whitespace collapsed (what a version of a page is compared by)."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()
