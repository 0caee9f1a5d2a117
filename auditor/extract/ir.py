"""The intermediate form every format reader produces: a flat sequence of blocks.

Readers (text, HTML, .docx, .pdf, legacy Word) only turn bytes into blocks; they know nothing of
sections or templates.  :mod:`auditor.extract.structure` turns blocks into the document model.

Conventions every reader follows (and every stage after it: a block's ``cells`` and ``cont`` lists
may be shared by several blocks, as the text reader's cache hands them out, so they are never
changed in place):

* A ``para`` block is one paragraph or line of running text, whitespace-trimmed, never empty.
* A ``row`` block is one row of a real table.  Merged cells are expanded: the text of a cell spanning
  several positions stands in each of them, and ``cont[i]`` is True for every position but the first
  (top-left) one, so labels can be read from copies while values are never counted twice.
* ``table`` numbers the physical tables of the document (0, 1, …); rows of the same table share it.
* An ``image`` block stands where the document has a picture (an image-only table is one of these inside
  sections 二–四); ``text`` holds its alt text or file name.
* ``meta`` carries what the container says besides the body: ``title`` (HTML <title>, docx core
  properties, PDF info), ``published`` candidates as (ISO date, source) pairs, ``encoding``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

BlockKind = Literal["para", "row", "image"]


_NOT_GIVEN: Any = object()
"""Block's constructor: a list argument left out (a fresh empty list then, as a default_factory)."""


@dataclass(slots=True, init=False)
class Block:
    kind: BlockKind
    text: str = ""
    cells: list[str] = field(default_factory=list)
    cont: list[bool] = field(default_factory=list)
    table: int | None = None
    heading: int | None = None
    """Heading level when the format marks one (<h2>, "## ", a Word heading style)."""
    gap: int | None = None
    """Blank lines before this block in a plain-text export (None where the format has no lines).
    Exports that put every table cell on its own line separate cells and rows only by runs of blank
    lines, and an empty cell only lengthens a run: the table builders read blank cells from it."""

    def __init__(
        self,
        kind: BlockKind,
        text: str = "",
        cells: list[str] = _NOT_GIVEN,
        cont: list[bool] = _NOT_GIVEN,
        table: int | None = None,
        heading: int | None = None,
        gap: int | None = None,
    ) -> None:
        # written out rather than the dataclass's own with a __post_init__: a block is made for every
        # line of a report, and the second call cost a fifth of making one
        self.kind = kind
        self.text = text
        self.cells = cells = [] if cells is _NOT_GIVEN else cells
        if cont is _NOT_GIVEN:
            cont = []
        if kind == "row" and len(cont) != len(cells):
            cont = [False] * len(cells)  # a row's cells are none of them merged unless told
        self.cont = cont
        self.table = table
        self.heading = heading
        self.gap = gap


@dataclass(slots=True)
class RawDocument:
    blocks: list[Block]
    format: str
    encoding: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)


class ReadError(Exception):
    """A document that cannot be read at all; the message is a one-line reason in Chinese or English."""


class NotAReport(ReadError):
    """Readable, but not an annual report (no section heading, no statistics table, or an image):
    in a folder of reports such a file is skipped with its reason, not counted as unreadable."""
