"""Characters an output format cannot hold, replaced by U+FFFD and counted so the run can say so.

Text taken from a report may hold anything its reader decoded: C0 control characters, the
non-characters U+FFFE/U+FFFF, lone surrogates (from a decoder's error handler).  UTF-8 files cannot
hold lone surrogates, XML (XLSX) cannot hold most control characters or U+FFFE/U+FFFF.  Each writer
replaces what its format cannot hold instead of failing, and reports how many characters it replaced.
"""

from __future__ import annotations

import re
from typing import Any

from auditor.extract.textcodec import NOT_XML

REPLACEMENT = "\ufffd"

UTF8_UNSAFE = re.compile("[\ud800-\udfff]")
"""What no UTF-8 file can hold: lone surrogates (JSON and SARIF escape control characters)."""

CSV_UNSAFE = re.compile("[\x00\ud800-\udfff]")
"""CSV: lone surrogates, and NUL, which spreadsheet programs take as the end of the file."""

XML_UNSAFE = NOT_XML
"""XML 1.0 (XLSX) and HTML: control characters other than tab and line breaks, U+FFFE/U+FFFF,
lone surrogates (the class the HTML reader blanks before lxml parses a page)."""


class Sanitizer:
    """Replaces the characters ``unsafe`` matches with U+FFFD and counts them."""

    def __init__(self, unsafe: re.Pattern[str]) -> None:
        self.unsafe = unsafe
        self.replaced = 0

    def text(self, value: str) -> str:
        """``value`` with every unsafe character replaced."""
        if not self.unsafe.search(value):
            return value
        clean, count = self.unsafe.subn(REPLACEMENT, value)
        self.replaced += count
        return clean

    def value(self, value: Any) -> Any:
        """Strings cleaned, containers cleaned throughout, anything else as it is."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.value(k): self.value(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.value(v) for v in value]
        return value


def replaced_note(name: str, count: int) -> str:
    """The one line that says a file holds replacement characters, and why."""
    return (
        f"{name}：{count} 个该格式无法容纳的字符（控制字符、U+FFFE/U+FFFF、孤立代理项）"
        f"已替换为 {REPLACEMENT}"
    )
