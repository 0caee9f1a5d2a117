"""pandera schemas for T2/T3/T4: types, template rows and columns, and the rule base's checks.

The checks are data (:class:`Identity`, :class:`ValueTest`) named by the rule id that owns them; the
engine builds them from the rule files, so an identity is written once, in its rule.  pandera reports
each failure tagged with that name (see :mod:`auditor.schemas.validate`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import pandera.pandas as pa

from auditor.schemas.frames import MISSING
from auditor.templates import ColSpec, TableSpec

TOLERANCE = 1e-6
"""Sums and integrality are compared with this tolerance (amounts in 万元 carry decimals)."""

CELL_KINDS: tuple[str, ...] = ("number", "placeholder", "blank", "text", MISSING)
ValueTestName = Literal["text", "blank", "negative", "non_integer"]
VALUE_TESTS: tuple[str, ...] = ("text", "blank", "negative", "non_integer")


@dataclass(frozen=True, slots=True)
class Identity:
    """left = right: sums over rows in every column (per="column"), or over columns in every row."""

    name: str
    table: str
    per: Literal["row", "column"]
    left: tuple[str, ...]
    right: tuple[str, ...]

    def for_spec(self, spec: TableSpec) -> Identity | None:
        """The identity restricted to the terms this template version has (None if a side is empty).

        One rule may name the rows of both versions: （六） in 2019, （六）1–3 in 2021.
        """
        known = {r.id for r in spec.rows} if self.per == "column" else {c.id for c in spec.columns}
        left = tuple(t for t in self.left if t in known)
        right = tuple(t for t in self.right if t in known)
        if not left or not right:
            return None
        return Identity(self.name, self.table, self.per, left, right)

    @property
    def anchor(self) -> str:
        """Where a failure is reported: the first right-hand row (per column) or column (per row)."""
        return self.right[0]


@dataclass(frozen=True, slots=True)
class ValueTest:
    """A test on every required cell of the named tables."""

    name: str
    tables: tuple[str, ...]
    test: ValueTestName

    def applies_to(self, col: ColSpec) -> bool:
        """Negative values are allowed in signed columns (2019 本年增/减), fractions in amounts."""
        if self.test == "negative":
            return not col.signed
        if self.test == "non_integer":
            return not col.decimal
        return True


def identity_check(identity: Identity) -> pa.Check:
    """left = right within each document; a failure is reported on the anchor cell of its column
    (per="column") or row (per="row").  Blanks and text count as 0."""
    terms, groups, anchor_field = (
        ("row", ["doc", "col"], "row") if identity.per == "column" else ("col", ["doc", "row"], "col")
    )
    left, right = list(identity.left), list(identity.right)

    def check(frame: pd.DataFrame) -> pd.Series:
        keys = frame[terms]
        sign = np.where(keys.isin(left), 1.0, np.where(keys.isin(right), -1.0, 0.0))
        signed = frame["value"].fillna(0.0) * sign
        diff = signed.groupby([frame[g] for g in groups], sort=False).transform("sum")
        return (diff.abs() <= TOLERANCE) | (frame[anchor_field] != identity.anchor)

    return pa.Check(check, name=identity.name, ignore_na=False)


def value_check(test: ValueTest) -> pa.Check:
    """The pandera check of one value test: a boolean per cell record."""
    if test.test == "text":
        return pa.Check(lambda f: f["kind"] != "text", name=test.name, ignore_na=False)
    if test.test == "blank":
        return pa.Check(lambda f: ~f["kind"].isin(["blank", MISSING]), name=test.name, ignore_na=False)
    if test.test == "negative":
        return pa.Check(lambda f: ~(f["value"] < -TOLERANCE) | f["signed"], name=test.name, ignore_na=False)
    return pa.Check(
        lambda f: ~((f["value"] - f["value"].round()).abs() > TOLERANCE) | f["decimal"],
        name=test.name,
        ignore_na=False,
    )


def build_schema(spec: TableSpec, checks: Sequence[Identity | ValueTest]) -> pa.DataFrameSchema:
    """The schema of one table version: typed cell records whose rows and columns are the template's,
    with the identities and value tests (of the rule base) that concern this table."""
    identities = [
        restricted
        for c in checks
        if isinstance(c, Identity) and c.table == spec.kind and (restricted := c.for_spec(spec)) is not None
    ]
    tests = [c for c in checks if isinstance(c, ValueTest) and spec.kind in c.tables]
    return pa.DataFrameSchema(
        {
            "doc": pa.Column(int),
            "row": pa.Column(str, pa.Check.isin([r.id for r in spec.rows])),
            "col": pa.Column(str, pa.Check.isin([c.id for c in spec.columns])),
            "value": pa.Column(float, nullable=True),
            "kind": pa.Column(str, pa.Check.isin(CELL_KINDS)),
            "raw": pa.Column(str),
            "signed": pa.Column(bool),
            "decimal": pa.Column(bool),
        },
        checks=[identity_check(i) for i in identities] + [value_check(t) for t in tests],
        strict=True,
        name=f"{spec.kind}-{spec.version}",
    )
