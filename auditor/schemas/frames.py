"""Tables of the document model as pandas DataFrames.

:func:`cells_frame` is the form pandera validates: one record per template cell of each table
(``doc``, ``row`` and ``col`` ids, the numeric ``value``, the cell's ``kind`` and ``raw`` text, and
whether the column allows negative values or decimals).  One frame holds the tables of a whole batch,
so a schema validates many documents in one call; every check's output is a boolean per record,
pandera's fast path.  :func:`table_frame` is the same table as a grid for people: rows = template row
ids, columns = template column ids.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from functools import lru_cache

import numpy as np
import pandas as pd

from auditor.model import Cell, Table
from auditor.templates import TableSpec, spec_for

MISSING = "missing"
"""Kind of a template cell the table does not have."""


def cell_value(cell: Cell | None) -> float:
    """The value for arithmetic: placeholders ("/", "—", "无") are 0; numbers written otherwise their
    value; blanks, other text and absent cells NaN."""
    if cell is None:
        return math.nan
    if cell.kind == "placeholder":
        return 0.0
    if cell.kind in ("number", "text") and cell.value is not None:
        # a text cell with a value is a number written otherwise ("十二", "12件"): VAL-001 reports
        # it, and the arithmetic uses the value it writes, as the finding's evidence says
        return float(cell.value)
    return math.nan


ROW_TOTAL = "total"
"""The column of T3 and T4 that is the sum of the other columns of its row (the template's 总计)."""


def derived_total(table: Table, row: str, col: str) -> Decimal | None:
    """The value a blank 总计 cell stands for: the sum of its row's other cells, or None.

    Real reports leave the 总计 of a row blank while its applicant (T3) or outcome (T4) cells hold
    numbers (README: "272 + 3 = 275 (the 总计 cells of those rows are blank)").  A blank total is not a
    stated 0: it is reported once as blank (VAL-003), and every other piece of arithmetic (the column
    identities, the text's claims) uses the sum of the row's parts, which the evidence says.  Only a
    blank (not a missing, unread cell) is derived, and only when every part of the row was read and at
    least one holds a number; otherwise the arithmetic keeps its usual reading (blank = 0).
    """
    if col != ROW_TOTAL or table.kind not in ("T3", "T4"):
        return None
    cell = table.cells.get((row, col))
    if cell is None or cell.kind != "blank":
        return None
    parts = [table.cells.get((row, c)) for c in _part_columns(table.kind, table.template)]
    if any(p is None or (p.kind == "text" and p.value is None) for p in parts):
        return None
    if not any(p is not None and p.value is not None for p in parts):
        return None
    return sum((p.number for p in parts if p is not None), Decimal(0))


@lru_cache(maxsize=16)
def _part_columns(kind: str, version: str) -> tuple[str, ...]:
    spec = spec_for(kind, version)
    return tuple(c.id for c in spec.columns if c.id != ROW_TOTAL) if spec is not None else ()


def arithmetic_value(table: Table, row: str, col: str) -> Decimal:
    """A cell's value for arithmetic: :meth:`Table.value`, or the derived total of a blank 总计."""
    derived = derived_total(table, row, col)
    return derived if derived is not None else table.value(row, col)


@lru_cache(maxsize=16)
def _positions(spec: TableSpec) -> tuple[list[str], list[str], list[bool], list[bool]]:
    """Row id, column id, signed and decimal of every template cell of a version, in order."""
    columns = {c.id: c for c in spec.columns}
    cells = spec.required_cells()
    return (
        [row for row, _ in cells],
        [col for _, col in cells],
        [columns[col].signed for _, col in cells],
        [columns[col].decimal for _, col in cells],
    )


def cells_frame(tables: Sequence[tuple[int, Table]], spec: TableSpec) -> pd.DataFrame:
    """One record per template cell of every table, keyed by the caller's document numbers."""
    rows, cols, signed, decimal = _positions(spec)
    keys = list(zip(rows, cols, strict=True))
    values: list[float] = []
    kinds: list[str] = []
    raws: list[str] = []
    for _, table in tables:
        get = table.cells.get
        for key in keys:
            cell = get(key)
            derived = derived_total(table, *key) if cell is not None and cell.kind == "blank" else None
            values.append(float(derived) if derived is not None else cell_value(cell))
            kinds.append(cell.kind if cell is not None else MISSING)
            raws.append(cell.raw if cell is not None else "")
    count = len(tables)
    return pd.DataFrame(
        {
            "doc": np.repeat(np.array([doc for doc, _ in tables], dtype="int64"), len(keys)),
            "row": rows * count,
            "col": cols * count,
            "value": np.array(values, dtype="float64"),
            "kind": kinds,
            "raw": raws,
            "signed": signed * count,
            "decimal": decimal * count,
        }
    )


def table_frame(table: Table, spec: TableSpec) -> pd.DataFrame:
    """One table as a grid: rows = template row ids, columns = (value | raw, template column id)."""
    cells = cells_frame([(0, table)], spec)
    grid = cells.pivot(index="row", columns="col", values=["value", "raw"])
    return grid.reindex(index=[r.id for r in spec.rows]).reindex(
        columns=[(part, c.id) for part in ("value", "raw") for c in spec.columns]
    )
