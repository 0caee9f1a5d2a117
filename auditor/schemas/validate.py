"""Run a schema over a cells frame and return its failures as plain records, never a pandas dump."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa


@dataclass(frozen=True, slots=True)
class Failure:
    """One failing cell of one check.

    ``doc`` is None when the check itself could not run (pandera reports the exception instead of
    cases): every document of the frame is then "not evaluated" for that check.
    """

    check: str
    doc: int | None
    row: str | None
    column: str | None


def _failures(frame: pd.DataFrame, cases: pd.DataFrame) -> list[Failure]:
    docs, rows, cols = frame["doc"].to_numpy(), frame["row"].to_numpy(), frame["col"].to_numpy()
    found: dict[Failure, None] = {}
    for check, position in zip(cases["check"], cases["index"], strict=True):
        if position is None or pd.isna(position):
            found[Failure(str(check), None, None, None)] = None
        else:
            at = int(position)
            found[Failure(str(check), int(docs[at]), str(rows[at]), str(cols[at]))] = None
    return list(found)


def validate(frame: pd.DataFrame, schema: pa.DataFrameSchema) -> list[Failure]:
    """All failures of ``schema`` on ``frame`` (lazy validation: one pass collects every failure)."""
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        return _failures(frame, exc.failure_cases)
    return []
