"""The floor: the least work that still audits the 勾稽 of table 三 — read the file, decode it, pull
the four T3 rows with one regular expression, check 一 + 二 = （七）总计 + 四 per column.

    uv run python bench/floor.py FOLDER

Text and markdown are decoded (UTF-8, else GB18030); HTML and .docx have their tags stripped by a
regular expression (document.xml read straight from the zip); PDF text comes from pypdfium2 (PDFium, C).
What `nianbao audit` does beyond this (the document model, every rule, the outputs) is its cost over the
floor: bench/audit_vs_floor.py reports the ratio.
"""

from __future__ import annotations

import html
import re
import sys
import time
import zipfile
from io import BytesIO
from pathlib import Path

_ROW = r"[\s|]*((?:[0-9]+[\s|]*){7})"
_T3 = re.compile(
    r"一、本年新收政府信息公开申请数量" + _ROW + r"[\s\S]*?二、上年结转政府信息公开申请数量" + _ROW
    + r"[\s\S]*?（七）总计" + _ROW + r"[\s\S]*?四、结转下年度继续办理" + _ROW
)  # fmt: skip
_TAG = re.compile(r"<[^>]+>")


def text_of(data: bytes, suffix: str) -> str:
    """The text of one report, as cheaply as its format allows."""
    if suffix == ".pdf":
        import pypdfium2

        pdf = pypdfium2.PdfDocument(data)
        try:
            return "\n".join(page.get_textpage().get_text_range() for page in pdf)
        finally:
            pdf.close()
    if suffix == ".docx":
        with zipfile.ZipFile(BytesIO(data)) as zf:
            xml = zf.read("word/document.xml").decode("utf-8")
        return html.unescape(_TAG.sub(" ", xml.replace("</w:p>", "\n")))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("gb18030", errors="replace")
    if suffix in (".html", ".htm"):
        return html.unescape(_TAG.sub(" ", text))
    return text


def check(text: str) -> bool | None:
    """True when T3 balances in every column, False when not, None when the rows are not found."""
    found = _T3.search(text)
    if found is None:
        return None
    rows = ([int(n) for n in group.replace("|", " ").split()] for group in found.groups())
    new, carried, total, carry_next = rows
    return all(a + b == c + d for a, b, c, d in zip(new, carried, total, carry_next, strict=True))


def floor(paths: list[Path]) -> tuple[int, int, int]:
    """(balanced, unbalanced, not found) over ``paths``."""
    tally = [0, 0, 0]
    for path in paths:
        verdict = check(text_of(path.read_bytes(), path.suffix.lower()))
        tally[0 if verdict else 1 if verdict is False else 2] += 1
    return tally[0], tally[1], tally[2]


def main() -> None:
    folder = Path(sys.argv[1])
    paths = sorted(p for p in folder.rglob("*") if p.is_file())
    started = time.perf_counter()
    balanced, unbalanced, missing = floor(paths)
    elapsed = time.perf_counter() - started
    print(f"floor: {len(paths)} files in {elapsed:.2f} s ({len(paths) / elapsed:.0f}/s): "
          f"{balanced} balanced, {unbalanced} unbalanced, {missing} without T3 rows")  # fmt: skip


if __name__ == "__main__":
    main()
