"""pandera schemas for T2/T3/T4: types, template rows and columns, and the rule base's checks.

A schema has one pandera check per identity and per value test, each named by the rule that owns it
(see :mod:`auditor.schemas.spec`), and each vectorised over the whole frame of a batch: an identity
signs its terms by their row (or column) code, sums them per document and column (or row) in one
pass (:func:`_group_sums`), and fails the anchor cell of every group whose sum is not exactly 0.  The
arithmetic is on the exact ``scaled`` integers; the rare values kept as Decimals (``exact``) are
summed as Decimals in their own groups only.  Nothing is compared with a tolerance.  The template's
ids are the categories of the row, column and kind dtypes, so the dtype checks are the membership
checks (they replace one ``isin`` check per key column).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

import numpy as np
import numpy.typing as npt
import pandas as pd
import pandera.pandas as pa

from auditor.schemas.frames import KIND_DTYPE, layout
from auditor.schemas.spec import CELL_KINDS, MISSING, VALUE_TESTS, Identity, ValueTest
from auditor.schemas.values import SCALE
from auditor.templates import TableSpec

__all__ = [
    "CELL_KINDS",
    "VALUE_TESTS",
    "Identity",
    "ValueTest",
    "build_schema",
    "identity_check",
    "value_check",
]

CheckFn = Callable[[pd.DataFrame], "pd.Series[bool]"]


def _unfit(frame: pd.DataFrame) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.object_]]:
    """Positions of the records whose value is kept as a Decimal, and the ``exact`` column."""
    exact = frame["exact"].to_numpy()
    return np.flatnonzero(pd.notna(exact)), exact


def _signs(identity: Identity, ids: Sequence[str]) -> npt.NDArray[np.int64]:
    """+1 for a left term, -1 for a right one, 0 otherwise, by category code; one more 0 at the end
    so that the code -1 of a missing id reads 0."""
    signs = np.zeros(len(ids) + 1, dtype=np.int64)
    for at, term in enumerate(ids):
        if term in identity.left:
            signs[at] = 1
        elif term in identity.right:
            signs[at] = -1
    return signs


def identity_check(identity: Identity, spec: TableSpec) -> pa.Check:
    """left = right within each document; a failure is reported on the anchor cell of its column
    (per="column") or row (per="row").  Blanks and text count as 0, a blank 总计 as its row's sum."""
    plan = layout(spec)
    terms, groups = ("row", "col") if identity.per == "column" else ("col", "row")
    term_ids = list((plan.row_dtype if terms == "row" else plan.col_dtype).categories)
    group_count = len((plan.col_dtype if terms == "row" else plan.row_dtype).categories)
    signs = _signs(identity, term_ids)
    anchor = term_ids.index(identity.anchor)

    def check(frame: pd.DataFrame) -> pd.Series[bool]:
        term_codes = frame[terms].cat.codes.to_numpy()
        group_codes = frame[groups].cat.codes.to_numpy()
        at = np.flatnonzero((signs[term_codes] != 0) & (group_codes >= 0))
        keys = _doc_numbers(frame["doc"].to_numpy()[at]) * group_count + group_codes[at]
        sign = signs[term_codes[at]]
        sums = _group_sums(keys, sign * frame["scaled"].to_numpy()[at])
        unequal = sums != 0
        unfit, exact = _unfit(frame)
        if len(unfit):
            _exact_sums(unequal, sums, keys, sign, exact[at])
        passed = np.ones(len(frame), dtype=bool)
        anchors = term_codes[at] == anchor
        passed[at[anchors]] = ~unequal[keys[anchors]]
        return pd.Series(passed, index=frame.index)

    return pa.Check(check, name=identity.name, ignore_na=False)


def _doc_numbers(docs: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Small non-negative numbers, one per document: the caller's own when they are dense enough (the
    rule base numbers a batch's documents 0, 1, 2 …), else their ranks."""
    if len(docs) and docs.min() >= 0 and docs.max() <= 4 * len(docs):
        return docs
    return np.unique(docs, return_inverse=True)[1].astype(np.int64)


FLOAT_EXACT = 2**53
"""Below this, every integer and every partial sum of integers is exact in a float64."""


def _group_sums(keys: npt.NDArray[np.int64], terms: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The exact sum of ``terms`` per key: a float bincount when no partial sum can reach 2^53 (every
    real report), else an integer scatter-add."""
    size = int(keys.max()) + 1 if len(keys) else 0
    if float(np.abs(terms).sum(dtype=np.float64)) < FLOAT_EXACT / 2:  # half: the float sum is itself rounded
        return np.bincount(keys, weights=terms, minlength=size).astype(np.int64)
    sums = np.zeros(size, dtype=np.int64)
    np.add.at(sums, keys, terms)
    return sums


def _exact_sums(
    unequal: npt.NDArray[np.bool_],
    sums: npt.NDArray[np.int64],
    keys: npt.NDArray[np.intp],
    sign: npt.NDArray[np.int64],
    exact: npt.NDArray[np.object_],
) -> None:
    """Redo, in Decimals, the sum of every group that holds a value kept as a Decimal."""
    held = pd.notna(exact)
    for key in np.unique(keys[held]):
        members = np.flatnonzero((keys == key) & held)
        total = Decimal(int(sums[key])) + SCALE * sum(
            (int(sign[m]) * exact[m] for m in members), Decimal(0)
        )
        unequal[key] = total != 0


def _allowed(frame: pd.DataFrame, by_column: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    """Per record, what the template allows in its column (``by_column``: by column code, with one
    more False at the end for the code -1 of a missing id)."""
    return np.asarray(by_column[frame["col"].cat.codes.to_numpy()], dtype=np.bool_)


def _negative(spec: TableSpec) -> CheckFn:
    signed = np.append(layout(spec).col_signed, False)

    def check(frame: pd.DataFrame) -> pd.Series[bool]:
        negative = frame["scaled"].to_numpy() < 0
        unfit, exact = _unfit(frame)
        for at in unfit:
            negative[at] = exact[at] < 0
        return pd.Series(~negative | _allowed(frame, signed), index=frame.index)

    return check


def _non_integer(spec: TableSpec) -> CheckFn:
    decimal = np.append(layout(spec).col_decimal, False)

    def check(frame: pd.DataFrame) -> pd.Series[bool]:
        fraction = frame["scaled"].to_numpy() % SCALE != 0
        unfit, exact = _unfit(frame)
        for at in unfit:
            fraction[at] = exact[at] != exact[at].to_integral_value()
        return pd.Series(~fraction | _allowed(frame, decimal), index=frame.index)

    return check


def _text(spec: TableSpec) -> CheckFn:
    def check(frame: pd.DataFrame) -> pd.Series[bool]:
        return frame["kind"] != "text"

    return check


def _blank(spec: TableSpec) -> CheckFn:
    def check(frame: pd.DataFrame) -> pd.Series[bool]:
        return ~frame["kind"].isin(["blank", MISSING])

    return check


_VALUE_CHECKS: dict[str, Callable[[TableSpec], CheckFn]] = {
    "text": _text,
    "blank": _blank,
    "negative": _negative,
    "non_integer": _non_integer,
}


def value_check(test: ValueTest, spec: TableSpec) -> pa.Check:
    """The pandera check of one value test on a template version: a boolean per cell record.
    Negative values pass in signed columns (2019 本年增/减), fractions in amount columns."""
    return pa.Check(_VALUE_CHECKS[test.test](spec), name=test.name, ignore_na=False)


def build_schema(spec: TableSpec, checks: Sequence[Identity | ValueTest]) -> pa.DataFrameSchema:
    """The schema of one table version: typed cell records whose rows and columns are the template's,
    with the identities and value tests (of the rule base) that concern this table."""
    identities = [
        restricted
        for c in checks
        if isinstance(c, Identity) and c.table == spec.kind and (restricted := c.for_spec(spec)) is not None
    ]
    tests = [c for c in checks if isinstance(c, ValueTest) and spec.kind in c.tables]
    plan = layout(spec)
    return pa.DataFrameSchema(
        {
            "doc": pa.Column("int64"),
            "row": pa.Column(plan.row_dtype),
            "col": pa.Column(plan.col_dtype),
            "value": pa.Column("float64", nullable=True),
            "scaled": pa.Column("int64"),
            "exact": pa.Column(object, nullable=True),
            "kind": pa.Column(KIND_DTYPE),
        },
        checks=[identity_check(i, spec) for i in identities] + [value_check(t, spec) for t in tests],
        strict=True,
        name=f"{spec.kind}-{spec.version}",
    )
