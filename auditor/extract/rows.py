"""Rows of a table as the table builders read them, from real table rows or from running text.

A :class:`Row` is a label (the most specific label cell, plus the block label when a merged cell
carries it) and the value cells after it.  Rows come from row blocks, or — for exports that lost the
table layout — from a paragraph cut at the known row labels (label anchoring).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from auditor.extract.cells import is_value_like
from auditor.extract.ir import Block
from auditor.extract.textcodec import clean_cell, halfwidth


@dataclass(slots=True)
class Row:
    labels: list[str]
    """Label cells as written, outermost first (e.g. ["（三）不予公开", "1.属于国家秘密"])."""
    values: list[str]
    """Raw text of the value cells after the last label (merged-cell copies excluded)."""
    flat: str | None = None
    """For rows recovered from running text: the raw text between this label and the next."""
    order: int = 0
    para: str | None = None
    """A paragraph that may hold a whole table as running text, still to be cut at the labels."""
    recovered: str | None = None
    """How the row was placed when its label was lost ("position")."""
    cells: list[str] = field(default_factory=list)
    """All cells of a table row as written (empty for rows cut from running text)."""
    cont: list[bool] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.labels[-1] if self.labels else ""

    @property
    def is_header(self) -> bool:
        return bool(self.labels) and not any(v.strip() for v in self.values) and self.flat is None

    @property
    def has_values(self) -> bool:
        return any(v.strip() for v in self.values) or bool(self.flat and self.flat.strip())


def row_from_block(block: Block, order: int = 0) -> Row:
    """Split a table row into label cells and the value cells after the last label."""
    cells = [clean_cell(c) for c in block.cells]
    last_label = -1
    for i, c in enumerate(cells):
        if c and not is_value_like(c):
            last_label = i
    labels: list[str] = []
    for i in range(last_label + 1):
        c = cells[i]
        if c and not is_value_like(c) and (not labels or labels[-1] != c):
            labels.append(c)
    values = [c for i, c in enumerate(cells) if i > last_label and not block.cont[i]]
    return Row(labels=labels, values=values, order=order, cells=cells, cont=list(block.cont))


def anchor_row(row: Row, identify: Callable[[str], str | None]) -> tuple[str | None, Row]:
    """Identify a row by the rightmost label cell that names a template row, and read the values from
    the cells after it: text standing in a value cell (markup, notes) stays a value (VAL-001) instead
    of being taken for the row's label."""
    rid = identify(row.label) if row.label else None
    if rid is not None or not row.cells:
        return rid, row
    for i in range(len(row.cells) - 1, -1, -1):
        text = row.cells[i]
        if not text or is_value_like(text) or row.cont[i]:
            continue
        found = identify(text)
        if found is not None:
            labels = [c for j, c in enumerate(row.cells[: i + 1]) if c and not is_value_like(c)]
            values = [c for j, c in enumerate(row.cells) if j > i and not row.cont[j]]
            return found, Row(
                labels=labels, values=values, order=row.order, cells=row.cells, cont=row.cont
            )
    return None, row


# ------------------------------------------------------------------------------------- anchoring


def _anchor_pattern(phrase: str) -> str:
    """A regex for a label in running text: any whitespace between characters, either bracket width,
    either form of the item number's dot."""
    parts: list[str] = []
    for ch in halfwidth(phrase):
        if ch.isspace():
            continue
        if ch in "()":
            parts.append(r"[（(]" if ch == "(" else r"[）)]")
        elif ch in ".、":
            parts.append(r"[.．、]")
        elif ch in ",，":
            parts.append(r"[,，]")
        elif ch in ":：":
            parts.append(r"[:：]")
        elif ch == "/":
            parts.append(r"[/／]")
        else:
            parts.append(re.escape(ch))
    return r"\s*".join(parts)


@dataclass(frozen=True, slots=True)
class Anchor:
    phrase: str
    header: bool = False
    """A header phrase (column title, block title): no values follow it."""


class AnchorSet:
    """Compiled label phrases of one table kind, for cutting running text into rows."""

    def __init__(self, anchors: list[Anchor]) -> None:
        # Longest phrases first so that "2.其他法律行政法规禁止公开" wins over the header "其他".
        self.anchors = sorted(anchors, key=lambda a: -len(a.phrase))
        self.regex = re.compile("|".join(f"({_anchor_pattern(a.phrase)})" for a in self.anchors))

    def cut(self, text: str, order: int = 0) -> list[Row]:
        """Rows from running text, or [] when the text is not a run of labels and numbers."""
        hits: list[tuple[int, int, Anchor]] = []
        pos = 0
        while True:
            m = self.regex.search(text, pos)
            if m is None:
                break
            idx = m.lastindex - 1 if m.lastindex else 0
            hits.append((m.start(), m.end(), self.anchors[idx]))
            pos = m.end()
        if not hits or (len(hits) == 1 and text[: hits[0][0]].strip()):
            return []
        rows: list[Row] = []
        for i, (start, end, anchor) in enumerate(hits):
            stop = hits[i + 1][0] if i + 1 < len(hits) else len(text)
            segment = text[end:stop]
            if not _value_text(segment):
                return []
            if anchor.header:
                rows.append(Row(labels=[text[start:end]], values=[], order=order))
                if any(ch.isdigit() for ch in segment):
                    # numbers after the last column title: a row whose label is the header above
                    rows.append(Row(labels=[], values=segment.split(), flat=segment, order=order))
            else:
                rows.append(Row(labels=[text[start:end]], values=segment.split(), flat=segment, order=order))
        return rows


_VALUE_TEXT = re.compile(r"^[\s\d０-９.．,，/／\-－—+无%元万件个]*$")


def _value_text(segment: str) -> bool:
    return bool(_VALUE_TEXT.match(segment))
