"""Helpers shared by the reader tests: the blocks a generated report must give back."""

from __future__ import annotations

from io import BytesIO

import docx

from auditor.extract.ir import Block, RawDocument
from auditor.samples.generate import SampleReport
from auditor.samples.layout import expand
from auditor.samples.render import table_layouts

Rows = list[tuple[list[str], list[bool]]]


def docx_bytes(document: docx.document.Document) -> bytes:
    """The bytes of a python-docx document as saved."""
    buf = BytesIO()
    document.save(buf)
    return buf.getvalue()


def expected_tables(r: SampleReport, *, wrapped: str = "\n") -> list[Rows]:
    """T2, T3, T4 as (cells, cont) rows; ``wrapped`` replaces the template's line breaks inside cells."""
    tables = []
    for layout in table_layouts(r).values():
        tables.append(
            [([t.replace("\n", wrapped) for t, _ in row], [c for _, c in row]) for row in expand(layout)]
        )
    return tables


def tables_of(raw: RawDocument) -> list[Rows]:
    """The row blocks of a reader's output grouped by their table index, in index order."""
    grouped: dict[int, Rows] = {}
    for b in raw.blocks:
        if b.kind == "row":
            assert b.table is not None
            grouped.setdefault(b.table, []).append((b.cells, b.cont))
    assert sorted(grouped) == list(range(len(grouped))), "table indices must be 0, 1, … in order"
    return [grouped[i] for i in sorted(grouped)]


def paras(raw: RawDocument) -> list[Block]:
    return [b for b in raw.blocks if b.kind == "para"]


def body_texts(r: SampleReport) -> list[str]:
    """The running text of a report in reading order (title, preamble, headings, paragraphs)."""
    texts = [r.title, *r.preamble]
    for heading, paragraphs in r.sections.values():
        texts.extend([heading, *paragraphs])
    return texts
