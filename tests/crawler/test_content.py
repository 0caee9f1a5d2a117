"""File types from bytes and text encodings when headers lie."""

from __future__ import annotations

import io
import zipfile

import pytest

from crawler.content import canonical_encoding, detect_encoding, sniff, text_hash

HTML_GBK = ('<html><head><meta charset="gb2312"></head><body>政府信息公开工作年度报告</body></html>'
            .encode("gbk"))
HTML_UTF8 = '<html><head><meta charset="gbk"></head><body>政府信息公开工作年度报告</body></html>'.encode()


def _zip(names: list[str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for n in names:
            zf.writestr(n, "x")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"%PDF-1.7\n...", "pdf"),
        (_zip(["word/document.xml", "[Content_Types].xml"]), "docx"),
        (_zip(["xl/workbook.xml"]), "zip"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "ole"),
        (b"\xef\xbb\xbf<!DOCTYPE html><html>", "html"),
        ("纯文本".encode(), "text"),
        (b"\x89PNG\r\n\x1a\n\0\0", "other"),
    ],
)
def test_sniff_by_content(data: bytes, kind: str) -> None:
    assert sniff(data) == kind


def test_gb_family_is_read_as_gb18030() -> None:
    assert canonical_encoding("GB2312") == canonical_encoding("gbk") == "gb18030"
    assert canonical_encoding("UTF8") == "utf-8" and canonical_encoding("no-such") is None


def test_header_lying_utf8_falls_back_to_meta() -> None:
    assert detect_encoding(HTML_GBK, "utf-8") == ("gb18030", "meta")


def test_valid_utf8_wins_over_a_gbk_declaration() -> None:
    assert detect_encoding(HTML_UTF8, "gbk") == ("utf-8", "detected")
    assert detect_encoding(HTML_UTF8, "utf-8") == ("utf-8", "header")


def test_undeclared_gbk_is_detected() -> None:
    body = ("<html><body>" + "本机关2022年共收到政府信息公开申请十"
                             "二件，均已按期答复。" * 5 + "</body></html>").encode("gbk")
    encoding, source = detect_encoding(body, None)
    assert source == "detected" and body.decode(encoding).count("政府信息公开") == 5


def test_text_hash_ignores_whitespace_only() -> None:
    assert text_hash("一、 总体情况\n\n正文") == text_hash("一、 总体情况 正文")
    assert text_hash("正文1") != text_hash("正文2")
