"""Format sniffing: a stray NUL is not "binary", UTF-16LE without a byte-order mark is read, an image is
named as one."""

from __future__ import annotations

import pytest

from auditor.engine.samples import render_sample
from auditor.extract import NotAReport, ReadError, extract, sniff_format
from auditor.extract.api import utf16le_without_bom
from tests.extract.expected_model import SHARED

GOOD = next((SHARED / "seeds").glob("001_*.txt")).read_bytes()


def test_a_single_nul_byte_does_not_make_a_text_file_binary():
    middle = len(GOOD) // 2
    doc = extract(GOOD[:middle] + b"\x00" + GOOD[middle:], "a.txt")
    assert doc.year == 2022 and doc.agency == "卫滨区人民政府"


def test_binary_data_is_still_refused():
    with pytest.raises(ReadError, match="二进制"):
        sniff_format(b"\x00\x01\x02\xff" * 500, "a.txt")


@pytest.mark.parametrize("fmt", ["txt", "md", "html"])
def test_utf16le_without_a_bom_is_read(fmt):
    data = render_sample({"seed": 11, "year": 2022}, fmt)
    plain = extract(data, f"a.{fmt}")
    wide = extract(data.decode("utf-8").encode("utf-16-le"), f"a.{fmt}")
    assert (wide.title, wide.year, [t.kind for t in wide.tables]) == (
        plain.title, plain.year, [t.kind for t in plain.tables]
    )
    assert wide.encoding == "utf-16-le"


@pytest.mark.parametrize("path",
                         sorted(p for p in (SHARED / "real").iterdir()
                                if p.suffix in (".txt", ".md", ".html")))
def test_real_texts_are_not_taken_for_utf16(path):
    assert not utf16le_without_bom(path.read_bytes()[:4096])
    assert not utf16le_without_bom(path.read_text("utf-8").encode("gb18030")[:4096])


@pytest.mark.parametrize(
    "head", [b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", b"\x89PNG\r\n\x1a\n\x00\x00",
             b"GIF89a\x01\x00", b"II*\x00\x08\x00"]
)
def test_an_image_is_named_as_a_scan(head):
    with pytest.raises(NotAReport, match="图片/扫描件"):
        sniff_format(head + bytes(range(256)) * 4, "scan.txt")
