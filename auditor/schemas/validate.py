"""Run a schema over a cells frame and return its failures as plain records, never a pandas dump."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from auditor.schemas.spec import Failure

__all__ = ["Failure", "validate"]


def _failures(frame: pd.DataFrame, cases: pd.DataFrame) -> list[Failure]:
    """One failure per (check, record), in the schema's check order and then the frame's order.

    pandera lists a failing record once per column of the frame, and sorts its cases with an unstable
    sort: the order is rebuilt here so that findings come in template order, run after run.
    """
    docs, rows, cols = frame["doc"].to_numpy(), frame["row"].to_numpy(), frame["col"].to_numpy()
    cases = cases[["check", "check_number", "index"]].drop_duplicates()
    found: dict[Failure, tuple[int, str, int]] = {}
    for check, number, position in cases.itertuples(index=False, name=None):
        rank = -1 if number is None or pd.isna(number) else int(number)
        if position is None or pd.isna(position):
            found.setdefault(Failure(str(check), None, None, None), (rank, str(check), -1))
        else:
            at = int(position)
            failure = Failure(str(check), int(docs[at]), str(rows[at]), str(cols[at]))
            found.setdefault(failure, (rank, str(check), at))
    return sorted(found, key=found.__getitem__)


def validate(frame: pd.DataFrame, schema: pa.DataFrameSchema) -> list[Failure]:
    """All failures of ``schema`` on ``frame`` (lazy validation: one pass collects every failure).

    ``inplace=True``: the frame is built for this call and is not kept, so pandera need not copy it.
    """
    try:
        schema.validate(frame, lazy=True, inplace=True)
    except pa.errors.SchemaErrors as exc:
        return _failures(frame, exc.failure_cases)
    return []
