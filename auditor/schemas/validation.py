"""Run a schema over a cells frame and return its failures as plain records, never a pandas dump."""

from __future__ import annotations

from collections.abc import Mapping

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


def _failures(
    frame: pd.DataFrame, cases: pd.DataFrame, tables: Mapping[str, tuple[str, ...]]
) -> list[Failure]:
    """One failure per (check, record), in the schema's check order and then the frame's order.

    pandera lists a failing record once per column of the frame, and sorts its cases with an unstable
    sort: the order is rebuilt here so that findings come in template order, run after run.
    """
    docs, cells = frame["doc"].to_numpy(), frame["cell"].array
    cases = cases[["check", "check_number", "index"]].drop_duplicates()
    found: dict[Failure, _Rank] = {}
    for check, number, position in cases.itertuples(index=False, name=None):
        rank = -1 if number is None or pd.isna(number) else int(number)
        if position is None or pd.isna(position):
            for failure in _not_run(str(check), tables):
                found.setdefault(failure, (rank, str(check), -1))
        else:
            at = int(position)
            found.setdefault(_cell_failure(str(check), int(docs[at]), cells[at]), (rank, str(check), at))
    return sorted(found, key=found.__getitem__)


def validate(frame: pd.DataFrame, schema: pa.DataFrameSchema) -> list[Failure]:
    """All failures of ``schema`` on ``frame`` (lazy validation: one pass collects every failure).

    ``inplace=True``: the frame is built for this call and is not kept, so pandera need not copy it.
    """
    try:
        schema.validate(frame, lazy=True, inplace=True)
    except pa.errors.SchemaErrors as exc:
        return _failures(frame, exc.failure_cases, (schema.metadata or {}).get(TABLES_OF_CHECK, {}))
    return []
