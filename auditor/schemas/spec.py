"""What the schemas check, as plain data (no pandas here): the identities and value tests the rule
files declare, the kinds of a cell record, and a failure as the rule base reads it.

The checks are named by the rule id that owns them; the engine builds them from the rule files, so an
identity is written once, in its rule.  pandera reports each failure tagged with that name (see
:mod:`auditor.schemas.validation`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from auditor.templates import ColSpec, TableSpec

MISSING = "missing"
"""Kind of a template cell the table does not have."""

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

        One rule may name the rows of both versions: （六） in 2019, （六）1–3 in 2021.  Remembered per
        identity and spec (the table checks ask for every table of every report).
        """
        try:
            known_spec, restricted = _RESTRICTED[(self, id(spec))]
            if known_spec is spec:
                return restricted
        except KeyError:
            pass
        restricted = self._restricted(spec)
        if len(_RESTRICTED) >= _RESTRICTED_LIMIT:
            _RESTRICTED.clear()
        _RESTRICTED[(self, id(spec))] = (spec, restricted)
        return restricted

    def _restricted(self, spec: TableSpec) -> Identity | None:
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


_RESTRICTED: dict[tuple[Identity, int], tuple[TableSpec, Identity | None]] = {}
"""Memo of :meth:`Identity.for_spec`, by identity and spec (the spec kept: its id is only its own
while it lives)."""
_RESTRICTED_LIMIT = 1_000


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


@dataclass(frozen=True, slots=True)
class Failure:
    """One failing cell of one check.

    ``doc`` is None when the check itself could not run (pandera reports the exception instead of
    cases): every document of the frame whose ``table`` (or, where that is None, any table) it has is
    then "not evaluated" for that check.  ``table`` is the kind (T2, T3, T4) of the failing cell's
    table: one frame holds the tables of every kind of a batch.
    """

    check: str
    doc: int | None
    row: str | None
    column: str | None
    table: str | None = None
