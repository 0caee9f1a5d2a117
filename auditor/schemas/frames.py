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

import pandas as pd

from auditor.model import Cell, Table
from auditor.templates import TableSpec

MISSING = "missing"
"""Kind of a template cell the table does not have."""
CELL_COLUMNS: tuple[str, ...] = ("doc", "row", "col", "value", "kind", "raw", "signed", "decimal")


def cell_value(cell: Cell | None) -> float:
    """The value for arithmetic: placeholders ("/", "—", "无") are 0; blanks, text and absent cells NaN."""
    if cell is None:
        return math.nan
    if cell.kind == "placeholder":
        return 0.0
    if cell.kind == "number" and cell.value is not None:
        return float(cell.value)
    return math.nan


def cells_frame(tables: Sequence[tuple[int, Table]], spec: TableSpec) -> pd.DataFrame:
    """One record per template cell of every table, keyed by the caller's document numbers."""
    columns = {c.id: c for c in spec.columns}
    positions = [(row, columns[col]) for row, col in spec.required_cells()]
    records = []
    for doc, table in tables:
        for row, col in positions:
            cell = table.cells.get((row, col.id))
            kind = cell.kind if cell is not None else MISSING
            raw = cell.raw if cell is not None else ""
            records.append((doc, row, col.id, cell_value(cell), kind, raw, col.signed, col.decimal))
    frame = pd.DataFrame.from_records(records, columns=list(CELL_COLUMNS))
    return frame.astype({"doc": "int64", "value": "float64", "signed": bool, "decimal": bool})


def table_frame(table: Table, spec: TableSpec) -> pd.DataFrame:
    """One table as a grid: rows = template row ids, columns = (value | raw, template column id)."""
    cells = cells_frame([(0, table)], spec)
    grid = cells.pivot(index="row", columns="col", values=["value", "raw"])
    return grid.reindex(index=[r.id for r in spec.rows]).reindex(
        columns=[(part, c.id) for part in ("value", "raw") for c in spec.columns]
    )
