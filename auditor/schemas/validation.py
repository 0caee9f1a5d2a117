"""Run a schema over a cells frame and return its failures as plain records, never a pandas dump."""

from __future__ import annotations

import copy
from collections.abc import Mapping

import numpy as np
import pandas as pd
import pandera.pandas as pa

from auditor.schemas.checks import TABLES_OF_CHECK
from auditor.schemas.frames import LABEL_SEPARATOR
from auditor.schemas.spec import Failure

__all__ = ["Failure", "validate"]

_Rank = tuple[int, str, int]


def _cell_failure(check: str, doc: int, label: object) -> Failure:
    """The failure of one record: its table, row and column read from its cell's label (a label that
    is not a template cell's, in a frame built otherwise, is kept whole as the row)."""
    parts = str(label).split(LABEL_SEPARATOR)
    if len(parts) != 4:
        return Failure(check, doc, str(label), None, None)
    kind, _, row, col = parts
    return Failure(check, doc, row, col, kind)


def _not_run(check: str, tables: Mapping[str, tuple[str, ...]]) -> list[Failure]:
    """A check that could not run: one record per table kind it concerns (one with no table for a
    check the schema does not list, e.g. a dtype check: it concerns every table of the frame)."""
    kinds: tuple[str | None, ...] = tables.get(check, (None,))
    return [Failure(check, None, None, None, kind) for kind in kinds]


def _collect(
    found: dict[Failure, _Rank],
    frame: pd.DataFrame,
    cases: pd.DataFrame,
    tables: Mapping[str, tuple[str, ...]],
) -> None:
    """The failures of pandera's own checks (types, columns), one per (check, record).

    pandera lists a failing record once per column of the frame, and sorts its cases with an unstable
    sort: the order is rebuilt by the caller, from each failure's rank.
    """
    docs, cells = frame["doc"].to_numpy(), frame["cell"].array
    cases = cases[["check", "check_number", "index"]].drop_duplicates()
    for check, number, position in cases.itertuples(index=False, name=None):
        rank = -1 if number is None or pd.isna(number) else int(number)
        if position is None or pd.isna(position):
            for failure in _not_run(str(check), tables):
                found.setdefault(failure, (rank, str(check), -1))
        else:
            at = int(position)
            found.setdefault(_cell_failure(str(check), int(docs[at]), cells[at]), (rank, str(check), at))


def _run_check(
    found: dict[Failure, _Rank],
    frame: pd.DataFrame,
    number: int,
    check: pa.Check,
    tables: Mapping[str, tuple[str, ...]],
) -> None:
    """The failures of the schema's check ``number``: one per failing record, or, when the check
    raises or gives no verdict per record, one "could not run" record per table it concerns."""
    name = str(check.name)
    try:
        result = check(frame)
    except Exception:  # noqa: BLE001 - a check that cannot run makes its tables "not evaluated"
        result = None
    output = None if result is None else result.check_output
    if isinstance(output, pd.Series) and output.index.equals(frame.index):
        if bool(result.check_passed):  # type: ignore[union-attr]  # result is set when output is
            return
        docs, cells = frame["doc"].to_numpy(), frame["cell"].array
        for at in np.flatnonzero(~output.to_numpy(dtype=bool)).tolist():
            found.setdefault(_cell_failure(name, int(docs[at]), cells[at]), (number, name, at))
        return
    if result is not None and bool(result.check_passed):
        return
    for failure in _not_run(name, tables):
        found.setdefault(failure, (number, name, -1))


def _typed(schema: pa.DataFrameSchema) -> pa.DataFrameSchema:
    """``schema`` less its checks: the columns, their types and strictness, which pandera validates."""
    typed = copy.copy(schema)
    typed.checks = []
    return typed


def validate(frame: pd.DataFrame, schema: pa.DataFrameSchema) -> list[Failure]:
    """All failures of ``schema`` on ``frame``, in the schema's check order and then the frame's order.

    pandera validates the columns (lazily: one pass collects every failure); the schema's checks are
    then run one by one (each pandera's own ``Check``, called on the whole frame) and their failing
    records read from the boolean each gives per record.  pandera's lazy failure path would turn each
    failing check into a failure-cases frame (the failing rows stacked over every column, then
    consolidated with the others): about 1 ms per failing check of a batch, for records read here
    from the same booleans.  ``inplace=True``: the frame is built for this call and is not kept, so
    pandera need not copy it.
    """
    tables: Mapping[str, tuple[str, ...]] = (schema.metadata or {}).get(TABLES_OF_CHECK, {})
    found: dict[Failure, _Rank] = {}
    try:
        _typed(schema).validate(frame, lazy=True, inplace=True)
    except pa.errors.SchemaErrors as exc:
        _collect(found, frame, exc.failure_cases, tables)
    for number, check in enumerate(schema.checks):
        _run_check(found, frame, number, check, tables)
    return sorted(found, key=found.__getitem__)
