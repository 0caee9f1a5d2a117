"""Tables of the document model as pandas DataFrames.

:func:`cells_frame` is the form pandera validates: one record per template cell of each table
(``doc``, ``row`` and ``col`` ids, the cell's ``value`` as a float for people, the same value exact as
``scaled`` ten-thousandths or, where that does not fit, as the Decimal in ``exact``, the cell's
``kind`` and ``raw`` text, and whether the column allows negative values or decimals).  One frame holds
the tables of a whole batch, so a schema validates many documents in one call.

The frame is built column by column: the template's positions, row and column ids, signed and decimal
flags are computed once per version (:func:`_layout`) and repeated per table; row, column and kind
are categoricals whose categories are the template's ids, so the dtype states which ids a record may
hold.  :func:`table_frame` is the same table as a grid for people: rows = template row ids, columns =
template column ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

import numpy as np
import numpy.typing as npt
import pandas as pd

from auditor.model import Cell, Table
from auditor.schemas.spec import CELL_KINDS, MISSING
from auditor.schemas.values import ROW_TOTAL, SCALE, ZERO, derived_total, scaled
from auditor.templates import TableSpec

KIND_DTYPE = pd.CategoricalDtype(list(CELL_KINDS))
"""The kinds a cell record may have (the model's four, and missing)."""
_KIND_CODE: dict[str, int] = {kind: code for code, kind in enumerate(CELL_KINDS)}
_MISSING_CODE = _KIND_CODE[MISSING]
_NUMBER_KINDS = frozenset({"number", "text"})

FRAME_COLUMNS: tuple[str, ...] = (
    "doc", "row", "col", "value", "scaled", "exact", "kind", "raw", "signed", "decimal",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Layout:
    """The template cells of one version, in order, as the columns of one table's records."""

    keys: tuple[tuple[str, str], ...]
    rows: npt.NDArray[np.int16]
    """Code of each position's row id among ``row_dtype``'s categories."""
    cols: npt.NDArray[np.int16]
    signed: npt.NDArray[np.bool_]
    decimal: npt.NDArray[np.bool_]
    totals: tuple[int, ...]
    """Positions of the 总计 column of T3/T4, where a blank cell may stand for its row's sum."""
    row_dtype: pd.CategoricalDtype
    col_dtype: pd.CategoricalDtype


@lru_cache(maxsize=16)
def layout(spec: TableSpec) -> Layout:
    """The layout of a template version, built once per process."""
    row_ids = [r.id for r in spec.rows]
    col_ids = [c.id for c in spec.columns]
    columns = {c.id: c for c in spec.columns}
    keys = tuple(spec.required_cells())
    return Layout(
        keys=keys,
        rows=np.array([row_ids.index(row) for row, _ in keys], dtype=np.int16),
        cols=np.array([col_ids.index(col) for _, col in keys], dtype=np.int16),
        signed=np.array([columns[col].signed for _, col in keys], dtype=bool),
        decimal=np.array([columns[col].decimal for _, col in keys], dtype=bool),
        totals=tuple(
            at for at, (_, col) in enumerate(keys) if col == ROW_TOTAL and spec.kind in ("T3", "T4")
        ),
        row_dtype=pd.CategoricalDtype(row_ids),
        col_dtype=pd.CategoricalDtype(col_ids),
    )


def _numbers(cells: list[Cell | None]) -> list[Decimal | None]:
    """Each cell's value for arithmetic, None where it holds none (see ``values.cell_number``)."""
    return [
        None
        if cell is None
        else cell.value
        if cell.kind in _NUMBER_KINDS
        else ZERO
        if cell.kind == "placeholder"
        else None
        for cell in cells
    ]


def _value_columns(
    numbers: list[Decimal | None],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64], npt.NDArray[np.object_]]:
    """``value`` (float, NaN where no value), ``scaled`` (exact ten-thousandths, 0 where no value or
    where the value does not fit) and ``exact`` (the Decimal where it does not fit, else None)."""
    ints: list[int] = []
    empty: list[int] = []
    unfit: list[tuple[int, Decimal]] = []
    for at, number in enumerate(numbers):
        if number is None:
            ints.append(0)
            empty.append(at)
            continue
        fitted = scaled(number)
        if fitted is None:
            ints.append(0)
            number = Decimal(number)  # a model built by hand may hold an int
            if number.is_finite():
                unfit.append((at, number))
            else:
                empty.append(at)
        else:
            ints.append(fitted)
    whole = np.array(ints, dtype=np.int64)
    value = whole / SCALE
    value[empty] = np.nan
    exact = np.full(len(numbers), None, dtype=object)
    for at, number in unfit:
        value[at] = float(number)
        exact[at] = number
    return value, whole, exact


def cells_frame(tables: Sequence[tuple[int, Table]], spec: TableSpec) -> pd.DataFrame:
    """One record per template cell of every table, keyed by the caller's document numbers."""
    plan = layout(spec)
    kinds: list[int] = []
    raws: list[str] = []
    numbers: list[Decimal | None] = []
    for _, table in tables:
        get = table.cells.get
        cells = [get(key) for key in plan.keys]
        values = _numbers(cells)
        for at in plan.totals:
            cell = cells[at]
            if cell is not None and cell.kind == "blank":
                derived = derived_total(table, *plan.keys[at])
                if derived is not None:
                    values[at] = derived
        kinds.extend([_MISSING_CODE if cell is None else _KIND_CODE[cell.kind] for cell in cells])
        raws.extend(["" if cell is None else cell.raw for cell in cells])
        numbers.extend(values)
    count = len(tables)
    value, whole, exact = _value_columns(numbers)
    return pd.DataFrame(
        {
            "doc": np.repeat(np.array([doc for doc, _ in tables], dtype=np.int64), len(plan.keys)),
            "row": pd.Categorical.from_codes(np.tile(plan.rows, count), dtype=plan.row_dtype),
            "col": pd.Categorical.from_codes(np.tile(plan.cols, count), dtype=plan.col_dtype),
            "value": value,
            "scaled": whole,
            "exact": exact,
            "kind": pd.Categorical.from_codes(np.array(kinds, dtype=np.int8), dtype=KIND_DTYPE),
            "raw": raws,
            "signed": np.tile(plan.signed, count),
            "decimal": np.tile(plan.decimal, count),
        }
    )


def table_frame(table: Table, spec: TableSpec) -> pd.DataFrame:
    """One table as a grid: rows = template row ids, columns = (value | raw, template column id)."""
    cells = cells_frame([(0, table)], spec)
    cells = cells.assign(row=cells["row"].astype(object), col=cells["col"].astype(object))
    grid = cells.pivot(index="row", columns="col", values=["value", "raw"])
    return grid.reindex(index=[r.id for r in spec.rows]).reindex(
        columns=[(part, c.id) for part in ("value", "raw") for c in spec.columns]
    )
