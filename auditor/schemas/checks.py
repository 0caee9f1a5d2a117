"""pandera schemas for T2/T3/T4: types, template cells, and the rule base's checks.

A schema covers some template versions (:func:`batch_schema`; all of them in the rule base, so that a
batch is validated in one call) or one (:func:`build_schema`).  It has one pandera check per identity
and per value test, each named by the rule that owns it (see :mod:`auditor.schemas.spec`), and each
vectorised over the whole frame of a batch: an identity signs its terms by their cell code, sums them
per document and group (a column of a version, or a row) in one pass (:func:`_group_sums`), and fails
the anchor cell of every group whose sum is not exactly 0.  The arithmetic is on the exact ``scaled``
integers; the rare values kept as Decimals (``exact``) are summed as Decimals in their own groups only.
Nothing is compared with a tolerance.  The template cells are the categories of the ``cell`` dtype, so
the dtype check is the membership check (a record is a cell of its template version).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import numpy.typing as npt
import pandas as pd
import pandera.pandas as pa

from auditor.schemas.frames import KIND_DTYPE, Layout, batch_frame, layout
from auditor.schemas.spec import CELL_KINDS, MISSING, VALUE_TESTS, Identity, ValueTest
from auditor.schemas.values import SCALE
from auditor.templates import TableSpec

__all__ = [
    "CELL_KINDS",
    "TABLES_OF_CHECK",
    "VALUE_TESTS",
    "Identity",
    "ValueTest",
    "batch_schema",
    "build_schema",
    "identity_check",
    "value_check",
]

TABLES_OF_CHECK = "tables_of_check"
"""Key of the schema's metadata: check name -> the table kinds it concerns (for a check that cannot run)."""

CheckFn = Callable[[pd.DataFrame], "pd.Series[bool]"]


def _unfit(frame: pd.DataFrame) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.object_]]:
    """Positions of the records whose value is kept as a Decimal, and the ``exact`` column."""
    exact = frame["exact"].to_numpy()
    return np.flatnonzero(pd.notna(exact)), exact


def _layout_of(specs: TableSpec | tuple[TableSpec, ...]) -> Layout:
    """The layout of one template version or of some."""
    return layout(specs if isinstance(specs, tuple) else (specs,))


@dataclass(frozen=True, slots=True)
class _Terms:
    """An identity by cell code (one more entry at the end for the code -1 of a missing value): the
    sign of each term (+1 left, -1 right, 0 not a term), its group (a column of a version for
    per="column", a row for per="row") and whether it is its group's anchor."""

    sign: npt.NDArray[np.int64]
    group: npt.NDArray[np.int64]
    anchor: npt.NDArray[np.bool_]
    group_count: int


def _terms(identity: Identity, plan: Layout) -> _Terms:
    size = len(plan.table_of)
    sign = np.zeros(size, dtype=np.int64)
    group = np.zeros(size, dtype=np.int64)
    anchor = np.zeros(size, dtype=bool)
    groups: dict[tuple[int, str], int] = {}
    for at, spec in enumerate(plan.specs):
        restricted = identity.for_spec(spec) if spec.kind == identity.table else None
        if restricted is None:
            continue
        for code, (row, col) in enumerate(plan.keys[at], start=plan.starts[at]):
            term, key = (row, col) if identity.per == "column" else (col, row)
            if term not in restricted.left and term not in restricted.right:
                continue
            sign[code] = 1 if term in restricted.left else -1
            group[code] = groups.setdefault((at, key), len(groups))
            anchor[code] = term == restricted.anchor
    return _Terms(sign, group, anchor, max(len(groups), 1))


def identity_check(identity: Identity, specs: TableSpec | tuple[TableSpec, ...]) -> pa.Check:
    """left = right within each document and table; a failure is reported on the anchor cell of its
    column (per="column") or row (per="row").  Blanks and text count as 0, a blank 总计 as its row's
    sum.  The identity is restricted to the terms each version has (:meth:`Identity.for_spec`)."""
    terms = _terms(identity, _layout_of(specs))

    def check(frame: pd.DataFrame) -> pd.Series[bool]:
        codes = frame["cell"].cat.codes.to_numpy()
        at = np.flatnonzero(terms.sign[codes] != 0)
        codes = codes[at]
        keys = _doc_numbers(frame["doc"].to_numpy()[at]) * terms.group_count + terms.group[codes]
        sign = terms.sign[codes]
        sums = _group_sums(keys, sign * frame["scaled"].to_numpy()[at])
        unequal = sums != 0
        unfit, exact = _unfit(frame)
        if len(unfit):
            _exact_sums(unequal, sums, keys, sign, exact[at])
        passed = np.ones(len(frame), dtype=bool)
        anchors = terms.anchor[codes]
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


def _where(
    test: ValueTest, plan: Layout, allowed: npt.NDArray[np.bool_] | None = None
) -> npt.NDArray[np.bool_]:
    """By cell code: the cells ``test`` looks at (those of its tables, less those whose column
    ``allowed`` what the test reports), with one more False at the end for the code -1."""
    kinds = np.array([spec.kind in test.tables for spec in plan.specs] + [False], dtype=bool)
    where = kinds[plan.table_of]
    return where & ~allowed if allowed is not None else where


def _passed(
    frame: pd.DataFrame, failing: npt.NDArray[np.bool_], where: npt.NDArray[np.bool_]
) -> pd.Series[bool]:
    """A value test's verdict per record: False where a record ``failing`` is a cell the test looks at
    (``where``, by cell code)."""
    return pd.Series(~(failing & where[frame["cell"].cat.codes.to_numpy()]), index=frame.index)


_TEXT_CODE = CELL_KINDS.index("text")
_BLANK_CODES = np.array([kind in ("blank", MISSING) for kind in CELL_KINDS] + [False], dtype=bool)


def _negative(where: npt.NDArray[np.bool_]) -> CheckFn:
    def check(frame: pd.DataFrame) -> pd.Series[bool]:
        negative = frame["scaled"].to_numpy() < 0
        unfit, exact = _unfit(frame)
        for at in unfit:
            negative[at] = exact[at] < 0
        return _passed(frame, negative, where)

    return check


def _non_integer(where: npt.NDArray[np.bool_]) -> CheckFn:
    def check(frame: pd.DataFrame) -> pd.Series[bool]:
        fraction = frame["scaled"].to_numpy() % SCALE != 0
        unfit, exact = _unfit(frame)
        for at in unfit:
            fraction[at] = exact[at] != exact[at].to_integral_value()
        return _passed(frame, fraction, where)

    return check


def _text(where: npt.NDArray[np.bool_]) -> CheckFn:
    def check(frame: pd.DataFrame) -> pd.Series[bool]:
        text = frame["kind"].cat.codes.to_numpy() == _TEXT_CODE
        return _passed(frame, text, where)

    return check


def _blank(where: npt.NDArray[np.bool_]) -> CheckFn:
    def check(frame: pd.DataFrame) -> pd.Series[bool]:
        blank = _BLANK_CODES[frame["kind"].cat.codes.to_numpy()]
        return _passed(frame, blank, where)

    return check


def value_check(test: ValueTest, specs: TableSpec | tuple[TableSpec, ...]) -> pa.Check:
    """The pandera check of one value test: a boolean per cell record, True outside the test's tables.
    Negative values pass in signed columns (2019 本年增/减), fractions in amount columns."""
    plan = _layout_of(specs)
    if test.test == "negative":
        fn = _negative(_where(test, plan, plan.signed))
    elif test.test == "non_integer":
        fn = _non_integer(_where(test, plan, plan.decimal))
    else:
        fn = (_text if test.test == "text" else _blank)(_where(test, plan))
    return pa.Check(fn, name=test.name, ignore_na=False)


def build_schema(spec: TableSpec, checks: Sequence[Identity | ValueTest]) -> pa.DataFrameSchema:
    """The schema of one table version (validates :func:`~auditor.schemas.frames.cells_frame`)."""
    return batch_schema((spec,), checks)


def batch_schema(specs: tuple[TableSpec, ...], checks: Sequence[Identity | ValueTest]) -> pa.DataFrameSchema:
    """The schema of the tables of some template versions (validates
    :func:`~auditor.schemas.frames.batch_frame` of the same ``specs``): typed cell records, each a
    cell of its template version, with the identities and value tests (of the rule base) that
    concern these tables, identities first, each in the order given."""
    identities = [
        c
        for c in checks
        if isinstance(c, Identity) and any(s.kind == c.table and c.for_spec(s) is not None for s in specs)
    ]
    tests = [c for c in checks if isinstance(c, ValueTest) and any(s.kind in c.tables for s in specs)]
    tables: dict[str, set[str]] = {}
    for identity in identities:
        tables.setdefault(identity.name, set()).add(identity.table)
    for test in tests:
        tables.setdefault(test.name, set()).update(s.kind for s in specs if s.kind in test.tables)
    plan = layout(specs)
    schema = pa.DataFrameSchema(
        {
            "doc": pa.Column("int64"),
            "cell": pa.Column(plan.cell_dtype),
            "value": pa.Column("float64", nullable=True),
            "scaled": pa.Column("int64"),
            "exact": pa.Column(object, nullable=True),
            "kind": pa.Column(KIND_DTYPE),
        },
        checks=[identity_check(i, specs) for i in identities] + [value_check(t, specs) for t in tests],
        strict=True,
        name="+".join(f"{s.kind}-{s.version}" for s in specs),
        metadata={TABLES_OF_CHECK: {name: tuple(sorted(kinds)) for name, kinds in tables.items()}},
    )
    # pandera registers its pandas backends and imports their modules (26 of them, 12 ms of CPU with
    # compiled bytecode, 35 ms without) on a schema's first validation: done here, in the process
    # that builds the rule base, the audit workers forked from it share them instead of each paying.
    schema.validate(batch_frame({}, specs), lazy=True)
    return schema
