"""Every bad input, through the public entry point: a one-line ReadError, quickly, in little memory."""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable

import pytest

from auditor.extract import ReadError, extract
from auditor.samples import badinput

BAD: dict[str, tuple[str, Callable[[], bytes]]] = {
    "empty.html": ("empty.html", badinput.empty),
    "garbage.bin": ("garbage.bin", badinput.binary_garbage),
    "truncated.docx": ("report.docx", badinput.truncated_docx),
    "truncated.pdf": ("report.pdf", badinput.truncated_pdf),
    "bomb.docx": ("report.docx", badinput.docx_zip_bomb),
    "ratio-bomb.docx": ("report.docx", lambda: badinput.docx_zip_bomb(inflated_mb=40)),
    "not-word.docx": ("report.docx", badinput.docx_without_document),
    "broken-xml.docx": ("report.docx", badinput.docx_broken_xml),
    "encrypted.pdf": ("report.pdf", badinput.encrypted_pdf),
    "no-report.html": ("list.html", badinput.page_without_report),
}


@pytest.mark.parametrize("name,make", BAD.values(), ids=BAD.keys())
def test_bad_input_is_a_one_line_read_error(name: str, make: Callable[[], bytes]) -> None:
    data = make()
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(ReadError) as err:
            extract(data, name)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 3.0
    assert peak < 30 * 2**20, f"{peak / 2**20:.1f} MB"
    reason = str(err.value)
    assert reason.strip() and "\n" not in reason and len(reason) < 200
