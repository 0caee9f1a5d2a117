"""Plain-text and markdown exports of reports -> blocks.

Three table layouts occur in real exports and are all read here:

* one cell per line, each line starting with a tab, rows separated by blank lines (seeds 000, 002, 003);
  a line without the leading tab continues the cell above (labels split across lines) or, when it is a
  number following a number, is a cell of its own;
* tab-separated rows, one row per line (seeds 001, 004);
* markdown pipe tables (``| a | b |``).

Text with no table layout at all comes out as paragraphs, each with the number of blank lines before
it (``Block.gap``): the 平潭 archive, whose cells run together, and crawler exports that put every cell
on its own line with cells and rows separated only by runs of blank lines (河北省教育厅).  The table
builders recover the tables from them by anchoring on the template's labels, and read empty cells from
the lengths of the blank-line runs.
"""

from __future__ import annotations

import re
from functools import lru_cache

from auditor.extract.ir import Block, RawDocument
from auditor.extract.textcodec import clean_cell, decode_bytes

_MD_SEPARATOR = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]*)[^)]*\)")
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_NUMERIC = re.compile(r"^[-+]?[\d０-９][\d０-９,，.．]*\s*(万元|元|件|个|条|%)?$")
_SECTION_LINE = re.compile(r"^\s*[一二三四五六七八九十]\s*[、.．]")
_ARCHIVE_META = re.compile(
    r"^(标题|发布时间|发布日期|成文日期|文号|发布机构|栏目|原文链接|本地目录)\s*[:：]\s*(.*)$"
)
_ARCHIVE_BODY_MARK = re.compile(r"^=+\s*正文\s*=+$")


def read_text(data: bytes, *, markdown: bool = False, declared_encoding: str | None = None) -> RawDocument:
    """Decode and split a text export into paragraph and row blocks."""
    text, encoding = decode_bytes(data, declared_encoding)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("[bookmark: _GoBack]", "")
    lines = text.split("\n")
    meta: dict[str, object] = {"encoding": encoding}
    lines = _strip_archive_header(lines, meta)
    blocks = _blocks(lines)
    return RawDocument(blocks=blocks, format="md" if markdown else "txt", encoding=encoding, meta=meta)


def _strip_archive_header(lines: list[str], meta: dict[str, object]) -> list[str]:
    """Crawl archives put "标题: …", "发布时间: …" before a "==== 正文 ====" line: keep them as meta."""
    for i, line in enumerate(lines[:40]):
        if "正文" in line and _ARCHIVE_BODY_MARK.match(line.strip()):
            published: list[tuple[str, str]] = []
            for head in lines[:i]:
                m = _ARCHIVE_META.match(head.strip())
                if not m:
                    continue
                key, value = m.group(1), m.group(2).strip()
                if key == "标题" and value:
                    meta["title"] = value
                elif key in ("发布时间", "发布日期") and value:
                    date = re.match(r"(\d{4})[-/年.](\d{1,2})[-/月.](\d{1,2})", value)
                    if date:
                        y, mo, d = (int(g) for g in date.groups())
                        published.append((f"{y:04d}-{mo:02d}-{d:02d}", key))
                elif key == "原文链接" and value:
                    meta["url"] = value
            if published:
                meta["published"] = published
            return lines[i + 1 :]
    return lines


class _Builder:
    """Accumulates blocks, tracking which physical table the current rows belong to.

    One method per kind of line (:func:`_blocks` tells them apart); each line costs one call and
    a row's cells are trimmed once, through the cached trims (rows are most of a report's lines)."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.table = -1
        self.in_table = False
        self.group: list[str] | None = None  # the cell-per-line row being collected
        self.blank_run = 0  # blank lines since the last non-blank one

    def blank(self) -> None:
        if self.group is not None:
            self.flush_group()
        self.blank_run += 1

    def md_row(self, stripped: str) -> None:
        """A markdown pipe row (``stripped`` starts with "|"); the separator line under its header
        is no row.  Every separator holds "--", so the pattern is tried only on lines that do."""
        if self.group is not None:
            self.flush_group()
        self.blank_run = 0
        if "--" in stripped and _MD_SEPARATOR.match(stripped):
            return
        self.row_of(*_md_row_cells(stripped))

    def tab_row(self, line: str) -> None:
        if self.group is not None:
            self.flush_group()
        self.blank_run = 0
        self.row_of(*_tab_row_cells(line))

    def line(self, line: str, stripped: str) -> None:
        """A line that is neither blank nor a row of its own: a cell of a cell-per-line row (leading
        tab), the rest of the cell above, a picture, a heading or a paragraph."""
        gap_before = self.blank_run
        self.blank_run = 0
        if line.startswith("\t"):
            self.start_group()
            assert self.group is not None
            self.group.append(line.lstrip("\t"))
            return
        if self.group and not _SECTION_LINE.match(stripped):
            _continue_cell(self.group, stripped)
            return
        self.flush_group()
        # the patterns only on the lines that can match them (most lines are running text)
        image = _MD_IMAGE.fullmatch(stripped) if stripped.startswith("![") else None
        if image:
            self.blocks.append(Block("image", text=image.group(1) or image.group(2)))
            self.in_table = False
            return
        m = _MD_HEADING.match(stripped) if stripped.startswith("#") else None
        if m:
            self.para(m.group(2), heading=len(m.group(1)), gap=gap_before)
        else:
            self.para(stripped, gap=gap_before)

    def para(self, text: str, heading: int | None = None, gap: int | None = None) -> None:
        self.flush_group()
        text = text.strip()
        if text:
            self.blocks.append(Block("para", text, [], [], None, heading, gap))  # by position: per line
            self.in_table = False

    def row(self, cells: list[str]) -> None:
        self.row_of(list(map(clean_cell, cells)), [False] * len(cells))

    def row_of(self, cells: list[str], cont: list[bool]) -> None:
        """A row of cells already trimmed (:func:`clean_cell`), none of them merged (``cont``: as many
        False)."""
        if not self.in_table:
            self.table += 1
            self.in_table = True
        self.blocks.append(Block("row", "", cells, cont, self.table))  # by position: per row

    def start_group(self) -> None:
        if self.group is None:
            self.group = []

    def flush_group(self) -> None:
        if self.group is not None:
            if any(c.strip() for c in self.group) or len(self.group) > 1:
                self.row(self.group)
            self.group = None


def _blocks(lines: list[str]) -> list[Block]:
    b = _Builder()
    for raw in lines:
        line = raw.rstrip("\r\n ")
        stripped = line.strip()
        if not stripped and not line.startswith("\t"):
            b.blank()
        elif stripped.startswith("|") and stripped.count("|") >= 2:
            b.md_row(stripped)
        elif "\t" in line.lstrip("\t"):
            b.tab_row(line)
        else:
            b.line(line, stripped)
    b.flush_group()
    return b.blocks


def _continue_cell(group: list[str], text: str) -> None:
    """A line without the leading tab inside a cell-per-line row: a cell of its own when it is a number
    after a number, else the rest of the cell above (a label wrapped onto the next line)."""
    previous = group[-1].strip()
    if _NUMERIC.match(text) and (not previous or _NUMERIC.match(previous)):
        group.append(text)
    else:
        group[-1] = f"{group[-1]}\n{text}" if previous else text


@lru_cache(maxsize=4096)
def _md_row_cells(stripped: str) -> tuple[list[str], list[bool]]:
    """The trimmed cells of a markdown pipe row, and its ``cont``.  Cached, as :func:`_tab_row_cells`."""
    cells = [_md_cell(c) for c in stripped[1:].removesuffix("|").split("|")]
    return cells, [False] * len(cells)


@lru_cache(maxsize=4096)
def _tab_row_cells(line: str) -> tuple[list[str], list[bool]]:
    """The trimmed cells of a tab-separated row, and its ``cont`` (none merged).  Cached: whole rows
    repeat across reports (the template's header rows, rows of zeros).  The lists are shared by
    every block of the same line, as their cells are: nothing changes a block's lists in place
    (structure._simplified makes new ones), and copying them cost a fifth of reading a row."""
    cells = list(map(clean_cell, line.split("\t")))
    return cells, [False] * len(cells)


@lru_cache(maxsize=16384)
def _md_cell(text: str) -> str:
    """One cell of a markdown pipe row, trimmed as the readers trim cells.  Cached: the cells of
    reports repeat, padding included ("| 0 |")."""
    return clean_cell(text.strip())
