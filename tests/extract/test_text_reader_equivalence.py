"""The text reader's block loop (one call per kind of line, markdown cells trimmed through one cached
trim, the separator pattern tried only on lines holding "--") gives the blocks the loop it replaced
gave (issue 12), on generated line soups of every layout and on the real and seed exports."""

from __future__ import annotations

import random
from pathlib import Path

from auditor.extract.ir import Block
from auditor.extract.readers import text as reader
from auditor.extract.textcodec import clean_cell

SHARED = Path(__file__).resolve().parents[2].parent / "shared"


# The builder and loop as they were before (a copy).


class _BuilderBefore:
    """Accumulates blocks, tracking which physical table the current rows belong to."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.table = -1
        self.in_table = False
        self.group: list[str] | None = None  # the cell-per-line row being collected
        self.blank_run = 0  # blank lines since the last non-blank one

    def para(self, text: str, heading: int | None = None, gap: int | None = None) -> None:
        self.flush_group()
        text = text.strip()
        if text:
            self.blocks.append(Block("para", text=text, heading=heading, gap=gap))
            self.in_table = False

    def row(self, cells: list[str]) -> None:
        if not self.in_table:
            self.table += 1
            self.in_table = True
        self.blocks.append(Block("row", cells=list(map(clean_cell, cells)), table=self.table))

    def start_group(self) -> None:
        if self.group is None:
            self.group = []

    def flush_group(self) -> None:
        if self.group is not None:
            if any(c.strip() for c in self.group) or len(self.group) > 1:
                self.row(self.group)
            self.group = None


def _blocks_before(lines: list[str]) -> list[Block]:
    b = _BuilderBefore()
    for raw in lines:
        line = raw.rstrip("\r\n ")
        stripped = line.strip()
        if not stripped and not line.startswith("\t"):
            b.flush_group()
            b.blank_run += 1
            continue
        gap_before = b.blank_run
        b.blank_run = 0
        if stripped.startswith("|") and stripped.count("|") >= 2:
            b.flush_group()
            if not reader._MD_SEPARATOR.match(stripped):
                b.row(_md_cells_before(stripped))
            continue
        body = line.lstrip("\t")
        leading_tab = line.startswith("\t")
        if "\t" in body or (not leading_tab and "\t" in line):
            b.flush_group()
            b.row(line.split("\t"))
            continue
        if leading_tab:
            b.start_group()
            assert b.group is not None
            b.group.append(body)
            continue
        if b.group is not None and b.group and not reader._SECTION_LINE.match(stripped):
            reader._continue_cell(b.group, stripped)
            continue
        b.flush_group()
        image = reader._MD_IMAGE.fullmatch(stripped)
        if image:
            b.flush_group()
            b.blocks.append(Block("image", text=image.group(1) or image.group(2)))
            b.in_table = False
            continue
        m = reader._MD_HEADING.match(stripped)
        if m:
            b.para(m.group(2), heading=len(m.group(1)), gap=gap_before)
        else:
            b.para(stripped, gap=gap_before)
    b.flush_group()
    return b.blocks


def _md_cells_before(line: str) -> list[str]:
    inner = line.strip()
    inner = inner.removeprefix("|")
    inner = inner.removesuffix("|")
    return [c.strip() for c in inner.split("|")]


_LINES = [
    "", " ", "\t", "\t\t", "\t \t", "  \u3000", "一、总体情况", "## 二、主动公开政府信息情况", "###### 标题",
    "####### 七个井号", "| 规章 | 0 | 0 | 0 |", "|---|---|:--:|", "| -- | --- |", "|--|", "| a |",
    "|a|b", "| 行政强制 | 4 | -3 | 0 |", "| \u3000x\u200b | 1 |", "\t自然人", "\t12", "\t", "商业", "企业",
    "12", "0", "—", "三、本年度办理结果", "规章\t0\t0\t0", "\t规章\t1", "a\tb\t", "![图](t.png)",
    "![](x.jpg \"t\")", "本年新收政府信息公开申请数量 3 0 0 0 0 0 3", "正文", "  缩进的段落。  ", "\r",
    "[bookmark: _GoBack]规章", "| 1 | 2 | 3 |  ", "|", "||", "| |", "二、 主动公开", "12件",
]  # fmt: skip


def test_blocks_match_the_loop_they_replaced_on_generated_lines() -> None:
    rng = random.Random(42)
    for _ in range(3000):
        lines = [rng.choice(_LINES) for _ in range(rng.randint(0, 30))]
        assert reader._blocks(lines) == _blocks_before(lines), lines


def test_blocks_match_the_loop_they_replaced_on_real_exports() -> None:
    files = sorted((SHARED / "real").glob("*.txt")) + sorted((SHARED / "real").glob("*.md"))
    files += sorted((SHARED / "seeds").glob("*.txt"))
    assert files
    for path in files:
        text, _ = reader.decode_bytes(path.read_bytes())
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        assert reader._blocks(lines) == _blocks_before(lines), path.name


def test_markdown_separators_are_no_rows() -> None:
    blocks = reader._blocks(["| a | b |", "|---|:--:|", "| 1 | -- |", "| -1 | 2 |"])
    assert [b.cells for b in blocks] == [["a", "b"], ["1", "--"], ["-1", "2"]]
