"""Rows of a table as the table builders read them, from real table rows or from running text.

A :class:`Row` is a label (the most specific label cell, plus the block label when a merged cell
carries it) and the value cells after it.  Rows come from row blocks, or — for exports that lost the
table layout — from a paragraph cut at the known row labels (label anchoring).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import compress

from auditor.extract.cells import is_value_like
from auditor.extract.ir import Block
from auditor.extract.textcodec import clean_cell, halfwidth


@dataclass(slots=True)
class Row:
    """One row as the table builders read it.  Its lists may be shared with other rows and blocks
    (:func:`row_from_block`'s cache): give a row new lists, never change them in place."""

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
    gap: int | None = None
    """For a paragraph: the blank lines before it in a text export (see :attr:`Block.gap`)."""
    gaps: list[int] | None = None
    """For a row gathered from a stream of one-cell lines (:func:`stream_rows`): the blank lines
    before each value line in ``values``, then, when known, the blank lines after the last one."""
    after_header: bool = False
    """A stream row without a label whose values follow the column titles (T4)."""
    stream_end: bool = False
    """A stream row that ends its section: nothing follows it, so cells it lacks can only be blank."""

    @property
    def label(self) -> str:
        return self.labels[-1] if self.labels else ""

    # "some value cell is not blank" as one join and one strip: the cells joined hold a character
    # that is not whitespace exactly when one of them does (half the cost of stripping each)

    @property
    def is_header(self) -> bool:
        return bool(self.labels) and self.flat is None and not "".join(self.values).strip()

    @property
    def has_values(self) -> bool:
        return bool("".join(self.values).strip()) or bool(self.flat and self.flat.strip())

    @property
    def all_blank(self) -> bool:
        """A labelled row whose value cells are there but all empty: a grid row of empty cells, or a
        stream row whose run of blank lines holds empty cells.  Blank is a value (VAL-003), so such a
        row is a row of the table, not a missing one."""
        if not self.labels or self.has_values:
            return False
        return bool(self.values) or bool(self.gaps) or (self.stream_end and self.gaps is not None)


@lru_cache(maxsize=8192)
def _is_label(cell: str) -> bool:
    """Whether a (trimmed) cell is a label: not empty, not value-like.  Cached: the cells of reports
    repeat (the template's labels, small counts) and every row's cells are asked this more than once."""
    return bool(cell) and not is_value_like(cell)


def row_from_block(block: Block, order: int = 0) -> Row:
    """Split a table row into label cells and the value cells after the last label."""
    if True in block.cont:
        return _merged_row(block, order)
    # No merged cell (nearly every row): the split depends on the cells' texts alone, and rows repeat
    # across reports (the template's header rows, rows of zeros), so it is looked up by the texts.
    # The lists are the cached split's, shared by every row of the same texts, as ``cont`` is the
    # block's own: nothing changes a row's lists in place (a row that gathers values, _Stream's
    # open row, is made with lists of its own), and copying them cost a third of making the row.
    # Arguments by position: keywords cost a third more.
    labels, values, cells = _row_lists(tuple(block.cells))
    return Row(labels, values, None, order, None, None, cells, block.cont)


@lru_cache(maxsize=8192)
def _row_lists(texts: tuple[str, ...]) -> tuple[list[str], list[str], list[str]]:
    """(label cells, value cells, trimmed cells) of a row without merged cells, as lists that are
    never changed (:func:`row_from_block`)."""
    # the split uncached: a row missing here is missing there too (it is cached for merged rows)
    cells, labels, after = _split_row.__wrapped__(texts)
    return list(labels), list(cells[after:]), list(cells)


@lru_cache(maxsize=8192)
def _split_row(texts: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...], int]:
    """(trimmed cells, label cells, position past the last label) of a row without merged cells."""
    # map() and compress() over the cached helpers: the calls stay in C
    cells = tuple(map(clean_cell, texts))
    is_label = list(map(_is_label, cells))
    after = len(cells) - is_label[::-1].index(True) if True in is_label else 0  # past the last label
    labels: list[str] = []
    for cell in compress(cells[:after], is_label):
        if not labels or labels[-1] != cell:
            labels.append(cell)
    return cells, tuple(labels), after


def _merged_row(block: Block, order: int) -> Row:
    """:func:`row_from_block` for a row with merged cells: their copies are no values."""
    cells, labels, after = _split_row(tuple(block.cells))
    cont = list(block.cont)
    values = [c for c, merged in zip(cells[after:], cont[after:], strict=False) if not merged]
    return Row(list(labels), values, None, order, cells=list(cells), cont=cont)


def anchor_row(row: Row, identify: Callable[[str], str | None]) -> tuple[str | None, Row]:
    """Identify a row by the rightmost label cell that names a template row, and read the values from
    the cells after it: text standing in a value cell (markup, notes) stays a value (VAL-001) instead
    of being taken for the row's label."""
    label = row.labels[-1] if row.labels else ""  # Row.label, read once (every row comes here)
    rid = identify(label) if label else None
    if rid is not None or not row.cells:
        return rid, row
    for i in range(len(row.cells) - 1, -1, -1):
        text = row.cells[i]
        if row.cont[i] or not _is_label(text):
            continue
        found = identify(text)
        if found is not None:
            labels = [c for c in row.cells[: i + 1] if _is_label(c)]
            tail = zip(row.cells[i + 1 :], row.cont[i + 1 :], strict=False)
            values = [c for c, merged in tail if not merged]
            return found, Row(labels=labels, values=values, order=row.order, cells=row.cells, cont=row.cont)
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


# ------------------------------------------------------------------------------ one-cell-per-line streams


def is_value_line(text: str) -> bool:
    """A line that is one value cell: a number, a placeholder, a number with its unit or written
    otherwise (VAL-001 reads it), never a label or a sentence."""
    flat = text.strip()
    return bool(flat) and len(flat) <= 24 and (_value_text(flat) or is_value_like(flat))


def stream_rows(rows: list[Row], anchors: AnchorSet) -> tuple[list[Row], GapModel | None]:
    """Rows from a section's blocks, whatever separates the cells, and the export's gap model.

    Paragraphs are cut at the template's labels (:meth:`AnchorSet.cut`), so a table written as running
    text or with one label per line is found.  A paragraph that is a single value attaches to the row
    of the label line before it (or, after column titles, to a row without a label): exports that put
    every cell on its own line become rows of the template's shape.  Such rows keep the blank-line run
    before each value (``gaps``) so that empty cells, which only lengthen a run, can be placed.
    """
    if all(row.para is None for row in rows):
        return list(rows), None  # grid rows only: each passes as it is, no blank-line run to model
    stream = _Stream(anchors)
    for row in rows:
        stream.add(row)
    return stream.finish()


class _Stream:
    """The state of :func:`stream_rows` while it reads a section's rows in order."""

    def __init__(self, anchors: AnchorSet) -> None:
        self.anchors = anchors
        self.out: list[Row] = []
        self.open_row: Row | None = None  # the row whose value lines are being gathered
        self.after_header = False  # the last line was a column title: values start a row without a label
        self.seen = _GapCounts()

    def add(self, row: Row) -> None:
        if row.para is None:
            self._grid_row(row)
        elif (self.open_row is not None or self.after_header) and is_value_line(row.para):
            self._value_line(row, row.para)
        else:
            self._text_line(row, row.para)

    def finish(self) -> tuple[list[Row], GapModel | None]:
        if self.open_row is not None:
            self.open_row.stream_end = True
        _close(self.open_row, None)
        return self.out, self.seen.model()

    def _grid_row(self, row: Row) -> None:
        open_row = self.open_row
        if open_row is not None and not open_row.values and not row.labels and row.has_values:
            # a label on its own line, then its row without the label (a PDF conversion): one row
            open_row.values, open_row.flat, open_row.gaps = list(row.values), None, None
            open_row.cells, open_row.cont = [open_row.label, *row.cells], [False, *row.cont]
            self.open_row = None
            return
        _close(open_row, None)
        self.open_row, self.after_header = None, False
        self.seen.previous = None
        self.out.append(row)

    def _value_line(self, row: Row, text: str) -> None:
        gap = row.gap if row.gap is not None else -1
        open_row = self.open_row
        if open_row is None:
            open_row = self.open_row = Row(labels=[], values=[], flat="", order=row.order, after_header=True)
            open_row.gaps = [] if row.gap is not None else None
            self.out.append(open_row)
        open_row.values.append(text.strip())
        open_row.flat = " ".join(open_row.values)
        if open_row.gaps is not None:
            open_row.gaps.append(gap)
        self.seen.line(gap, "value")

    def _text_line(self, row: Row, text: str) -> None:
        gap = row.gap if row.gap is not None else -1
        cut = self.anchors.cut(text, row.order)
        if not cut and self.after_header and self.open_row is None and _header_word(text):
            # a short line among the column titles that is not the template's wording ("社会组织" for
            # "社会公益组织"): a column title as written, kept so that FMT-006 can name the deviation
            self.out.append(Row(labels=[text.strip()], values=[], order=row.order))
            return
        _close(self.open_row, gap)
        self.open_row, self.after_header = None, False
        self.out.extend(cut)
        if not cut:
            self.seen.previous = None
            return
        self.seen.line(gap, "label")
        last = cut[-1]
        if last.flat is not None and not last.flat.strip() and last.labels:
            # a label alone on its line: its values are the lines that follow
            self.open_row = last
            last.values, last.flat = [], ""
            last.gaps = [] if row.gap is not None else None
        elif last.flat is None and last.labels:
            self.after_header = True


_HEADER_WORD = re.compile(r"[\u4e00-\u9fff]{2,8}")


def _header_word(text: str) -> bool:
    """A line that can be a column title: a few Chinese characters, no digit, no sentence."""
    return _HEADER_WORD.fullmatch(text.strip()) is not None


def _close(row: Row | None, gap: int | None) -> None:
    """Record the blank-line run after a stream row's last line (None: the section ends there)."""
    if row is not None and row.gaps is not None and gap is not None and gap >= 0:
        row.gaps.append(gap)


@dataclass(slots=True)
class _GapCounts:
    """Blank-line runs seen between the lines of a table stream."""

    between: list[int] = field(default_factory=list)
    row_ends: list[int] = field(default_factory=list)
    label_gaps: list[int] = field(default_factory=list)
    previous: str | None = None

    def line(self, gap: int, kind: str) -> None:
        if gap >= 0 and self.previous is not None:
            self.between.append(gap)
            if kind == "label":
                self.label_gaps.append(gap)
                if self.previous == "value":
                    self.row_ends.append(gap)
        self.previous = kind

    def model(self) -> GapModel | None:
        if not self.between:
            return None
        # the cell separator is the shortest run between two lines of the table: row ends and empty
        # cells only lengthen runs (a wrapped label's lines are not labels, so never counted here)
        cell = min(self.between)
        if self.row_ends:
            return GapModel(cell, _mode(self.row_ends))
        # no value line at all (a table of blanks): the shortest longer run is the one between header
        # rows; the longer ones after labels hold empty cells
        longer = [g for g in self.label_gaps if g > cell]
        return GapModel(cell, min(longer) if longer else None)


@dataclass(frozen=True, slots=True)
class GapModel:
    """How one text export separates cells: ``cell`` blank lines between the cells of a row, ``row``
    blank lines after a row's last cell.  An empty cell is an empty line of its own, so it lengthens
    the run it stands in by ``cell + 1``."""

    cell: int
    row: int | None

    def place(self, row: Row, width: int) -> list[str] | None:
        """The row's ``width`` cells with its empty cells where the blank-line runs put them, or None
        when the runs do not give exactly one placement."""
        if row.gaps is None or any(len(v.split()) != 1 for v in row.values):
            return None
        cells = self._with_inner_blanks(row, row.gaps)
        if cells is None:
            return None
        missing = width - len(cells)
        if missing < 0:
            return None
        if missing:
            return self._with_trailing_blanks(row, row.gaps, cells, width)
        return cells

    def _with_inner_blanks(self, row: Row, gaps: list[int]) -> list[str] | None:
        """The row's values with the empty cells each blank-line run before a value holds."""
        step = self.cell + 1
        cells: list[str] = []
        for i, value in enumerate(row.values):
            base = self.cell
            if i == 0 and row.after_header:
                if self.row is None:
                    return None
                base = self.row
            extra = gaps[i] - base
            if extra < 0 or extra % step:
                return None
            cells.extend([""] * (extra // step))
            cells.append(value)
        return cells

    def _with_trailing_blanks(
        self, row: Row, gaps: list[int], cells: list[str], width: int
    ) -> list[str] | None:
        """``cells`` completed to ``width`` by the empty cells the run after the row holds."""
        values, missing = row.values, width - len(cells)
        if not values and row.stream_end and len(gaps) == 0:
            # a label closing the section with no value after it: its cells can only be blank
            return [""] * width
        # empty cells at the end show only in the run after the row, when it is known
        if len(gaps) <= len(values) or self.row is None:
            return None
        if gaps[len(values)] - self.row != missing * (self.cell + 1):
            return None
        return cells + [""] * missing


def _mode(values: list[int]) -> int:
    counts: dict[int, int] = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    return max(counts, key=lambda v: (counts[v], -v))


_VALUE_TEXT = re.compile(r"^[\s\d０-９.．,，/／\-－—+无%元万件个]*$")


def _value_text(segment: str) -> bool:
    return bool(_VALUE_TEXT.match(segment))
