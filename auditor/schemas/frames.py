"""Tables of the document model as pandas DataFrames.

:func:`batch_frame` is the form pandera validates: one record per template cell of each table of a
batch, whatever its kind and template version (``doc``, the caller's document number; ``cell``, the
template cell; the cell's ``value`` as a float for people, the same value exact as ``scaled``
ten-thousandths or, where that does not fit, as the Decimal in ``exact``; the cell's ``kind``).  One
frame holds every table of a batch, so one schema validates a batch in one call: pandera's cost per
call (its container, column and failure-case machinery, a few milliseconds) is paid once per batch
rather than once per table kind and version.  :func:`cells_frame` is the same for the tables of one
template version.

``cell`` is a categorical whose categories are the template cells of every version the frame may
hold, labelled ``kind/version/row/column`` (:func:`cell_label`): the dtype states which cells a record
may be, so pandera's dtype check is the check that every record is a cell of its template.  What the
template says of a cell (its table, row and column, negative values or decimals allowed, a 总计) is
not repeated per record: the checks read it from the :class:`Layout` by the cell's code.

The frame is built column by column: the template's cells are laid out once per set of versions
(:func:`layout`) and repeated per table.  :func:`table_frame` is one table as a grid for people: rows
= template row ids, columns = template column ids, with each cell's raw text beside its value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from itertools import repeat
from operator import attrgetter, itemgetter
from typing import TypeVar

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

LABEL_SEPARATOR = "/"
"""Joins kind, version, row and column in a cell's label (template ids never contain it)."""


def cell_label(spec: TableSpec, row: str, col: str) -> str:
    """The category of a template cell in the ``cell`` column, e.g. ``T3/2021/new/natural``."""
    return LABEL_SEPARATOR.join((spec.kind, spec.version, row, col))


@dataclass(frozen=True, slots=True)
class Layout:
    """The template cells of some versions, in order: the categories of ``cell`` and, by a record's
    cell code, what its template says of it.  The arrays indexed by code have one more entry at the
    end, read by the code -1 of a missing value (False or 0: such a record is in no check's terms)."""

    specs: tuple[TableSpec, ...]
    starts: tuple[int, ...]
    """Code of the first cell of each version (its cells follow in :meth:`TableSpec.required_cells` order)."""
    keys: tuple[tuple[tuple[str, str], ...], ...]
    """Each version's (row, column) cells."""
    getters: tuple[Callable[[Mapping[tuple[str, str], Cell]], Sequence[Cell]], ...]
    """Each version's cells of a table that has all of them, in one call (KeyError if one is missing)."""
    cell_dtype: pd.CategoricalDtype
    table_of: npt.NDArray[np.int16]
    """By code: the position of its version in ``specs``."""
    signed: npt.NDArray[np.bool_]
    """By code: negative values allowed (2019 本年增/减)."""
    decimal: npt.NDArray[np.bool_]
    """By code: fractions allowed (amounts in 万元)."""
    is_total: npt.NDArray[np.bool_]
    """By code: the 总计 column of T3/T4, where a blank cell may stand for its row's sum."""

    def codes(self, spec: TableSpec) -> npt.NDArray[np.int16]:
        """The cell codes of one table of ``spec``, in its records' order."""
        at = self.specs.index(spec)
        return np.arange(self.starts[at], self.starts[at] + len(self.keys[at]), dtype=np.int16)


def _getter(keys: tuple[tuple[str, str], ...]) -> Callable[[Mapping[tuple[str, str], Cell]], Sequence[Cell]]:
    if len(keys) == 1:  # itemgetter of one key returns the item, not a tuple
        return lambda cells: (cells[keys[0]],)
    return itemgetter(*keys)


@lru_cache(maxsize=16)
def layout(specs: tuple[TableSpec, ...]) -> Layout:
    """The layout of some template versions, built once per process."""
    starts: list[int] = []
    keys: list[tuple[tuple[str, str], ...]] = []
    labels: list[str] = []
    table_of: list[int] = []
    signed: list[bool] = []
    decimal: list[bool] = []
    is_total: list[bool] = []
    for at, spec in enumerate(specs):
        columns = {c.id: c for c in spec.columns}
        cells = tuple(spec.required_cells())
        starts.append(len(labels))
        keys.append(cells)
        for row, col in cells:
            labels.append(cell_label(spec, row, col))
            table_of.append(at)
            signed.append(columns[col].signed)
            decimal.append(columns[col].decimal)
            is_total.append(col == ROW_TOTAL and spec.kind in ("T3", "T4"))
    return Layout(
        specs=specs,
        starts=tuple(starts),
        keys=tuple(keys),
        getters=tuple(map(_getter, keys)),
        cell_dtype=pd.CategoricalDtype(labels),
        table_of=np.array(table_of + [-1], dtype=np.int16),
        signed=np.array(signed + [False], dtype=bool),
        decimal=np.array(decimal + [False], dtype=bool),
        is_total=np.array(is_total + [False], dtype=bool),
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


@dataclass(slots=True)
class _Records:
    """The records of a frame as they are gathered, group by group."""

    cells: list[Cell]
    kinds: list[npt.NDArray[np.int8]]
    codes: list[npt.NDArray[np.int16]]
    docs: list[npt.NDArray[np.int64]]
    derived: dict[int, Decimal]

    def add(self, plan: Layout, spec: TableSpec, tables: Sequence[tuple[int, Table]]) -> None:
        """One record per template cell of each of ``tables`` (all of version ``spec``)."""
        at = plan.specs.index(spec)
        keys, base = plan.keys[at], len(self.cells)
        size, count = len(keys), len(tables)
        get = plan.getters[at]
        for _, table in tables:
            try:
                self.cells.extend(get(table.cells))  # the common case: the table has every cell
            except KeyError:
                self.cells.extend(map(table.cells.get, keys, repeat(_ABSENT, size)))
        kinds = np.fromiter(map(_KIND_CODE.__getitem__, map(_KIND, self.cells[base:])), np.int8, size * count)
        codes = plan.codes(spec)
        # a blank 总计 stands for its row's sum (derived_total): only blank cells of that column are looked at
        for k in np.flatnonzero((kinds == _BLANK_CODE) & np.tile(plan.is_total[codes], count)).tolist():
            total = derived_total(tables[k // size][1], *keys[k % size])
            if total is not None:
                self.derived[base + k] = total
        self.kinds.append(kinds)
        self.codes.append(np.tile(codes, count))
        self.docs.append(np.repeat(np.array([doc for doc, _ in tables], dtype=np.int64), size))


_G = TypeVar("_G", bound=np.generic)


def _joined(parts: list[npt.NDArray[_G]], dtype: type[_G]) -> npt.NDArray[_G]:
    return np.concatenate(parts) if parts else np.empty(0, dtype=dtype)


def batch_frame(
    groups: Mapping[TableSpec, Sequence[tuple[int, Table]]], specs: tuple[TableSpec, ...]
) -> pd.DataFrame:
    """One record per template cell of every table, keyed by the caller's document numbers; the
    tables grouped by template version (each a version of ``specs``, the schema's), in that order."""
    plan = layout(specs)
    records = _Records([], [], [], [], {})
    for spec, tables in groups.items():
        records.add(plan, spec, tables)
    kinds = _joined(records.kinds, np.int8)
    value, whole, exact = _value_columns(records.cells, kinds, records.derived)
    return pd.DataFrame(
        {
            "doc": _joined(records.docs, np.int64),
            "cell": pd.Categorical.from_codes(_joined(records.codes, np.int16), dtype=plan.cell_dtype),
            "value": value,
            "scaled": whole,
            "exact": exact,
            "kind": pd.Categorical.from_codes(kinds, dtype=KIND_DTYPE),
        }
    )


def cells_frame(tables: Sequence[tuple[int, Table]], spec: TableSpec) -> pd.DataFrame:
    """The frame of tables of one template version (validated by ``build_schema(spec, …)``)."""
    return batch_frame({spec: tables}, (spec,))


def table_frame(table: Table, spec: TableSpec) -> pd.DataFrame:
    """One table as a grid: rows = template row ids, columns = (value | raw, template column id)."""
    keys = layout((spec,)).keys[0]
    cells = cells_frame([(0, table)], spec)
    raws = [cell.raw if (cell := table.cells.get(key)) is not None else "" for key in keys]
    cells = cells.assign(row=[row for row, _ in keys], col=[col for _, col in keys], raw=raws)
    grid = cells.pivot(index="row", columns="col", values=["value", "raw"])
    return grid.reindex(index=[r.id for r in spec.rows]).reindex(
        columns=[(part, c.id) for part in ("value", "raw") for c in spec.columns]
    )
