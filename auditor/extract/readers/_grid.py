"""Shared helpers of the HTML, .docx and PDF readers: text clean-up, span expansion, row blocks."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from auditor.extract.ir import Block, ReadError

MAX_COLUMNS = 100
"""No real report table is wider; wider spans are clamped so a hostile colspan cannot eat memory."""
MAX_TABLE_POSITIONS = 500_000
"""Grid positions one table may fill or pad (5,000 rows of 100 columns; a report table has a few
hundred): past it the table, and so the document, is refused — a rowspan to the last of 100,000 empty
rows, or overlapping spans, would otherwise take minutes and gigabytes."""

MAX_SPAN = 10_000
"""Spans and grid offsets are read up to this; longer ones are clamped to the table later anyway.
Reading them as capped numbers means a span of thousands of digits never reaches int()."""
_LEADING_INT = re.compile(r"\s*\+?(\d+)")

_SPACES = re.compile(r"[\s\u00a0\u3000]+")
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]+")


def span_int(text: str | None, default: int) -> int:
    """The leading integer of a span attribute ("2", " 3px"), at most :data:`MAX_SPAN`; ``default``
    when there is none."""
    m = _LEADING_INT.match(text or "")
    if not m:
        return default
    digits = m.group(1).lstrip("0") or "0"
    return MAX_SPAN if len(digits) > len(str(MAX_SPAN)) else min(int(digits), MAX_SPAN)


def clean_line(text: str) -> str:
    """One line of text: invisible characters removed, runs of (non-breaking, full-width) spaces made one
    space, ends trimmed."""
    if len(text) <= _SHORT_LINE:
        return _clean_short_line(text)
    return _SPACES.sub(" ", _INVISIBLE.sub("", text)).strip()


_SHORT_LINE = 80
"""Lines up to this long (table cells, headings) are cleaned through a cache: every cell of a table
passes here and their texts repeat from report to report; long paragraphs rarely do."""


@lru_cache(maxsize=16384)
def _clean_short_line(text: str) -> str:
    return _SPACES.sub(" ", _INVISIBLE.sub("", text)).strip()


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


def expand_spans(rows: Sequence[Sequence[SpanCell | str]]) -> list[list[tuple[str, bool]]]:
    """A full rectangular grid of (text, continued) from rows of spanning cells.

    A cell's text stands in every position it covers; ``continued`` is True for all but its top-left
    position.  A cell given as a plain string spans one position (most cells of a table: no object is
    made for them).  Spans are clamped to the table (rowspan 0 means "to the last row") and to
    :data:`MAX_COLUMNS`; positions no cell covers are empty and not continued.  Raises ReadError when
    the spans visit, or the grid holds, more than :data:`MAX_TABLE_POSITIONS` positions.
    """
    height = len(rows)
    grid: list[list[tuple[str, bool] | None]] = [[] for _ in range(height)]
    budget = MAX_TABLE_POSITIONS
    for r, row in enumerate(rows):
        budget = _fill_row(grid, r, row, budget)
    width = max((len(row) for row in grid), default=0)
    if height * width > MAX_TABLE_POSITIONS:
        raise _too_large()
    return [
        [c if c is not None else ("", False) for c in row] + [("", False)] * (width - len(row))
        for row in grid
    ]


def _fill_row(
    grid: list[list[tuple[str, bool] | None]], r: int, row: Sequence[SpanCell | str], budget: int
) -> int:
    """Place the cells of row ``r`` (and the rows its spans reach); returns the budget left."""
    target = grid[r]
    col = 0
    for cell in row:
        while col < len(target) and target[col] is not None:
            col += 1
        if col >= MAX_COLUMNS:
            break
        if isinstance(cell, str):  # a cell of one position
            if col == len(target):
                target.append((cell, False))
                col += 1
                budget -= 1
                continue
            span = SpanCell(cell)
        else:
            span = cell
        if span.rowspan == 1 and span.colspan == 1 and col == len(target):  # the common plain cell
            target.append((span.text, False))
            col += 1
            budget -= 1
            continue
        height = len(grid)
        rowspan = height - r if span.rowspan <= 0 else min(span.rowspan, height - r)
        colspan = max(1, min(span.colspan, MAX_COLUMNS - col))
        budget -= rowspan * colspan
        if budget < 0:
            raise _too_large()
        _place(grid, r, col, rowspan, colspan, span.text)
        col += colspan
    return budget


def _too_large() -> ReadError:
    return ReadError(f"表格过大或合并单元格异常（超过 {MAX_TABLE_POSITIONS} 个格位），无法读取")


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
    """Row blocks of one table.  A row of empty cells is kept when a row with text comes before it
    (a value row left blank, e.g. T4 of an unfilled template: blank is a value, VAL-003); empty rows
    before the first text are layout and dropped."""
    blocks: list[Block] = []
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
