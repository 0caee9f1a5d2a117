"""Tables of the document model as pandas DataFrames.

:func:`cells_frame` is the form pandera validates: one record per template cell of each table
(``doc``, ``row`` and ``col`` ids, the cell's ``value`` as a float for people, the same value exact as
``scaled`` ten-thousandths or, where that does not fit, as the Decimal in ``exact``, the cell's
``kind``).  One frame holds the tables of a whole batch, so a schema validates many documents in one
call.  What the template says of a column (negative values or decimals allowed) is not repeated per
record: the checks read it from the template by the column's code (:class:`Layout`).

The frame is built column by column: the template's positions and their row and column codes are
computed once per version (:func:`layout`) and repeated per table; row, column and kind
are categoricals whose categories are the template's ids, so the dtype states which ids a record may
hold.  :func:`table_frame` is the same table as a grid for people: rows = template row ids, columns =
template column ids, with each cell's raw text beside its value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from itertools import repeat
from operator import attrgetter

import numpy as np
import numpy.typing as npt
import pandas as pd

from auditor.model import Cell, Table
from auditor.schemas.spec import CELL_KINDS, MISSING
from auditor.schemas.values import EMPTY, ROW_TOTAL, SCALE, UNFIT, derived_total, scaled_values
from auditor.templates import TableSpec

KIND_DTYPE = pd.CategoricalDtype(list(CELL_KINDS))
"""The kinds a cell record may have (the model's four, and missing)."""
_KIND_CODE: dict[str, int] = {kind: code for code, kind in enumerate(CELL_KINDS)}
_MISSING_CODE = _KIND_CODE[MISSING]
_BLANK_CODE = _KIND_CODE["blank"]
_PLACEHOLDER_CODE = _KIND_CODE["placeholder"]

@dataclass(frozen=True, slots=True)
class Layout:
    """The template cells of one version, in order, as the columns of one table's records."""

    keys: tuple[tuple[str, str], ...]
    rows: npt.NDArray[np.int16]
    """Code of each position's row id among ``row_dtype``'s categories."""
    cols: npt.NDArray[np.int16]
    col_signed: npt.NDArray[np.bool_]
    """By column code: negative values allowed (2019 本年增/减)."""
    col_decimal: npt.NDArray[np.bool_]
    """By column code: fractions allowed (amounts in 万元)."""
    is_total: npt.NDArray[np.bool_]
    """The positions of the 总计 column of T3/T4, where a blank cell may stand for its row's sum."""
    row_dtype: pd.CategoricalDtype
    col_dtype: pd.CategoricalDtype


@lru_cache(maxsize=16)
def layout(spec: TableSpec) -> Layout:
    """The layout of a template version, built once per process."""
    row_ids = [r.id for r in spec.rows]
    col_ids = [c.id for c in spec.columns]
    keys = tuple(spec.required_cells())
    return Layout(
        keys=keys,
        rows=np.array([row_ids.index(row) for row, _ in keys], dtype=np.int16),
        cols=np.array([col_ids.index(col) for _, col in keys], dtype=np.int16),
        col_signed=np.array([c.signed for c in spec.columns], dtype=bool),
        col_decimal=np.array([c.decimal for c in spec.columns], dtype=bool),
        is_total=np.array([col == ROW_TOTAL and spec.kind in ("T3", "T4") for _, col in keys], dtype=bool),
        row_dtype=pd.CategoricalDtype(row_ids),
        col_dtype=pd.CategoricalDtype(col_ids),
    )


_ABSENT = Cell("", MISSING)  # type: ignore[arg-type]  # a template cell the table does not have
_KIND = attrgetter("kind")
_VALUE = attrgetter("value")


def _value_columns(
    cells: list[Cell], kinds: npt.NDArray[np.int8], derived: dict[int, Decimal]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64], npt.NDArray[np.object_]]:
    """``value`` (float, NaN where no value), ``scaled`` (exact ten-thousandths, 0 where no value or
    where the value does not fit) and ``exact`` (the Decimal where it does not fit, else None).

    A record's value is its cell's (numbers, and text that writes a number otherwise, e.g. "十二",
    "12件": VAL-001 reports it and the arithmetic uses the value it writes, as the finding's evidence
    says), 0 for a placeholder ("/", "—", "无"), none for a blank, a missing cell or other text (0 in
    identities; the value tests report them), or the ``derived`` sum of a blank 总计.
    """
    numbers: list[Decimal | None] = list(map(_VALUE, cells))
    for at, total in derived.items():
        numbers[at] = total
    whole = np.array(scaled_values(numbers), dtype=np.int64)
    placeholder = kinds == _PLACEHOLDER_CODE
    blank = (kinds == _BLANK_CODE) | (kinds == _MISSING_CODE)
    blank[list(derived)] = False
    whole[placeholder] = 0
    empty = ((whole == EMPTY) & ~placeholder) | blank
    unfit = np.flatnonzero((whole == UNFIT) & ~placeholder & ~blank)
    whole[empty] = 0
    whole[unfit] = 0
    value = whole / SCALE
    value[empty] = np.nan
    exact = np.full(len(numbers), None, dtype=object)
    for at in unfit.tolist():
        number = Decimal(numbers[at])  # type: ignore[arg-type]  # an int in a hand-built model
        value[at] = float(number)
        exact[at] = number
    return value, whole, exact


def cells_frame(tables: Sequence[tuple[int, Table]], spec: TableSpec) -> pd.DataFrame:
    """One record per template cell of every table, keyed by the caller's document numbers."""
    plan = layout(spec)
    size, count = len(plan.keys), len(tables)
    cells: list[Cell] = []
    for _, table in tables:
        cells.extend(map(table.cells.get, plan.keys, repeat(_ABSENT, size)))
    kinds = np.fromiter(map(_KIND_CODE.__getitem__, map(_KIND, cells)), dtype=np.int8, count=len(cells))
    # a blank 总计 stands for its row's sum (derived_total): only blank cells of that column are looked at
    derived: dict[int, Decimal] = {}
    for at in np.flatnonzero((kinds == _BLANK_CODE) & np.tile(plan.is_total, count)).tolist():
        total = derived_total(tables[at // size][1], *plan.keys[at % size])
        if total is not None:
            derived[at] = total
    value, whole, exact = _value_columns(cells, kinds, derived)
    return pd.DataFrame(
        {
            "doc": np.repeat(np.array([doc for doc, _ in tables], dtype=np.int64), size),
            "row": pd.Categorical.from_codes(np.tile(plan.rows, count), dtype=plan.row_dtype),
            "col": pd.Categorical.from_codes(np.tile(plan.cols, count), dtype=plan.col_dtype),
            "value": value,
            "scaled": whole,
            "exact": exact,
            "kind": pd.Categorical.from_codes(kinds, dtype=KIND_DTYPE),
        }
    )


def table_frame(table: Table, spec: TableSpec) -> pd.DataFrame:
    """One table as a grid: rows = template row ids, columns = (value | raw, template column id)."""
    cells = cells_frame([(0, table)], spec)
    raws = [cell.raw if (cell := table.cells.get(key)) is not None else "" for key in layout(spec).keys]
    cells = cells.assign(row=cells["row"].astype(object), col=cells["col"].astype(object), raw=raws)
    grid = cells.pivot(index="row", columns="col", values=["value", "raw"])
    return grid.reindex(index=[r.id for r in spec.rows]).reindex(
        columns=[(part, c.id) for part in ("value", "raw") for c in spec.columns]
    )
