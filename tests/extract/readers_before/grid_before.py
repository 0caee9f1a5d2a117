"""[Reference copy, before the issue 12 speed-up.] Shared helpers of the HTML, .docx and PDF readers:
text clean-up, span expansion, row blocks."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from auditor.extract.ir import Block

MAX_COLUMNS = 100
"""No real report table is wider; wider spans are clamped so a hostile colspan cannot eat memory."""

_SPACES = re.compile(r"[\s\u00a0\u3000]+")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))


def clean_line(text: str) -> str:
    """One line of text: invisible characters removed, runs of (non-breaking, full-width) spaces made one
    space, ends trimmed."""
    return _SPACES.sub(" ", text.translate(_INVISIBLE)).strip()


def clean_lines(lines: list[str]) -> str:
    """Lines cleaned and joined with "\\n", empty ones dropped (the text of a table cell)."""
    return "\n".join(c for c in (clean_line(line) for line in lines) if c)


def para_blocks(text: str, heading: int | None = None) -> list[Block]:
    """Para blocks for a piece of running text, one per non-empty line."""
    return [
        Block("para", text=c, heading=heading) for c in (clean_line(line) for line in text.split("\n")) if c
    ]


@dataclass(slots=True)
class SpanCell:
    """A table cell as the markup gives it: text and the grid positions it spans."""

    text: str
    rowspan: int = 1
    colspan: int = 1


def expand_spans(rows: list[list[SpanCell]]) -> list[list[tuple[str, bool]]]:
    """A full rectangular grid of (text, continued) from rows of spanning cells.

    A cell's text stands in every position it covers; ``continued`` is True for all but its top-left
    position.  Spans are clamped to the table (rowspan 0 means "to the last row") and to
    :data:`MAX_COLUMNS`; positions no cell covers are empty and not continued.
    """
    height = len(rows)
    grid: list[list[tuple[str, bool] | None]] = [[] for _ in range(height)]
    for r, row in enumerate(rows):
        col = 0
        for cell in row:
            while col < len(grid[r]) and grid[r][col] is not None:
                col += 1
            if col >= MAX_COLUMNS:
                break
            rowspan = height - r if cell.rowspan <= 0 else min(cell.rowspan, height - r)
            colspan = max(1, min(cell.colspan, MAX_COLUMNS - col))
            _place(grid, r, col, rowspan, colspan, cell.text)
            col += colspan
    width = max((len(row) for row in grid), default=0)
    return [
        [c if c is not None else ("", False) for c in row] + [("", False)] * (width - len(row))
        for row in grid
    ]


def _place(
    grid: list[list[tuple[str, bool] | None]], r: int, col: int, rowspan: int, colspan: int, text: str
) -> None:
    for dr in range(rowspan):
        target = grid[r + dr]
        if len(target) < col + colspan:
            target.extend([None] * (col + colspan - len(target)))
        for dc in range(colspan):
            if target[col + dc] is None:
                target[col + dc] = (text, dr > 0 or dc > 0)


def row_blocks(grid: list[list[tuple[str, bool]]], table: int) -> list[Block]:
    """Row blocks of one table; empty rows before the first text are dropped.  (Updated with main's
    deliberate change made beside the speed-up: an empty row after a row with text is a blank value
    row and is kept — the reference differs from the new readers in speed only.)"""
    blocks = []
    for row in grid:
        if not blocks and not any(text for text, _ in row):
            continue
        blocks.append(Block("row", cells=[t for t, _ in row], cont=[c for _, c in row], table=table))
    return blocks


_DATE = re.compile(r"(\d{4})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})")


def iso_date(text: str) -> str | None:
    """The first valid calendar date written in ``text`` (2024-01-15, 2024年1月15日, 2024/1/15), as ISO."""
    for m in _DATE.finditer(text):
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
        except ValueError:
            continue
    return None
