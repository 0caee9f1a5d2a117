"""A cell's value for arithmetic, and how the cell records hold it exactly (no pandas here).

Numbers can be long (a cell may hold up to 200 characters of digits, see :data:`auditor.DECIMAL_PRECISION`)
and must stay exact: a float would round 9007199254740993 to …992 and make a balanced row look
unbalanced, or a 60-digit imbalance look balanced.  A cell record therefore holds its value as an
integer number of ten-thousandths (:data:`SCALE`) when that is exact and small enough for int64 sums
(:data:`FIT`), which is every value of a real report, and keeps the :class:`~decimal.Decimal` only for
the few that do not fit (:func:`scaled_values`).
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from itertools import filterfalse

from auditor.model import Table
from auditor.templates import spec_for

ROW_TOTAL = "total"
"""The column of T3 and T4 that is the sum of the other columns of its row (the template's 总计)."""

SCALE = 10_000
"""Values are held in ten-thousandths: amounts in 万元 are written with up to four decimals."""

FIT = 10**15
"""Largest magnitude of a scaled value held as int64 (10^11 in the report's units): a sum of up to 9,000
such terms stays within int64, far more than any identity has."""

FIT_DIGITS = 12
"""A value of 10^12 or more (in the report's units) never fits: checked before any conversion."""

EMPTY = -(2**62)
"""Marks a record with no value (blank, text, missing) in a list of scaled values: outside ±FIT."""
UNFIT = 2**62
"""Marks a value that does not fit a scaled int (kept as a Decimal): outside ±FIT."""

_SCALED: dict[object, int] = {None: EMPTY}
"""Memo of :func:`scaled_values` (a report's counts repeat: 0, 1, 2 …); cleared when it grows large."""
_SCALED_LIMIT = 50_000


def _scale(value: Decimal) -> int:
    value = Decimal(value)  # a model built by hand may hold an int
    if not value.is_finite():
        return EMPTY
    if value and value.adjusted() >= FIT_DIGITS:  # never fits; and int() of 1E+999999 would be slow
        return UNFIT
    whole = int(value)
    if whole == value:
        number = whole * SCALE
    else:
        shifted = value * SCALE  # exact: DECIMAL_PRECISION digits
        number = int(shifted)
        if number != shifted:
            return UNFIT
    return number if -FIT <= number <= FIT else UNFIT


def _scaled_one(value: Decimal | None) -> int:
    try:
        return _SCALED[value]
    except KeyError:
        if len(_SCALED) >= _SCALED_LIMIT:
            _SCALED.clear()
            _SCALED[None] = EMPTY
        found = _SCALED[value] = _scale(value)  # type: ignore[arg-type]
        return found
    except TypeError:  # a signalling NaN cannot be hashed: it is no value either
        return EMPTY


def scaled_values(numbers: list[Decimal | None]) -> list[int]:
    """Each value in ten-thousandths (exact, within ±FIT); :data:`EMPTY` where there is none (None or
    not finite), :data:`UNFIT` where it does not fit (the caller keeps the Decimal)."""
    try:
        # A batch brings a few values not seen before (an amount, a large count): those alone are
        # scaled, once each; the list is walked in C (no Python call per value).
        new = set(filterfalse(_SCALED.__contains__, numbers))
    except TypeError:  # a signalling NaN cannot be hashed: value by value
        return [_scaled_one(number) for number in numbers]
    if new:
        if len(_SCALED) + len(new) > _SCALED_LIMIT:
            _SCALED.clear()
            _SCALED[None] = EMPTY
            new = set(numbers)
        for number in new:
            _SCALED[number] = _scale(number)  # type: ignore[arg-type]
    return list(map(_SCALED.__getitem__, numbers))


def derived_total(table: Table, row: str, col: str) -> Decimal | None:
    """The value a blank 总计 cell stands for: the sum of its row's other cells, or None.

    Real reports leave the 总计 of a row blank while its applicant (T3) or outcome (T4) cells hold
    numbers (README: "272 + 3 = 275 (the 总计 cells of those rows are blank)").  A blank total is not a
    stated 0: it is reported once as blank (VAL-003), and every other piece of arithmetic (the column
    identities, the text's claims) uses the sum of the row's parts, which the evidence says.  Only a
    blank (not a missing, unread cell) is derived, and only when every part of the row was read and at
    least one holds a number; otherwise the arithmetic keeps its usual reading (blank = 0).
    """
    if col != ROW_TOTAL or table.kind not in ("T3", "T4"):
        return None
    cell = table.cells.get((row, col))
    if cell is None or cell.kind != "blank":
        return None
    parts = [table.cells.get((row, c)) for c in part_columns(table.kind, table.template)]
    if any(p is None or (p.kind == "text" and p.value is None) for p in parts):
        return None
    if not any(p is not None and p.value is not None for p in parts):
        return None
    return sum((p.number for p in parts if p is not None), Decimal(0))


@lru_cache(maxsize=16)
def part_columns(kind: str, version: str) -> tuple[str, ...]:
    """The columns of a T3/T4 version whose sum is the row's 总计."""
    spec = spec_for(kind, version)
    return tuple(c.id for c in spec.columns if c.id != ROW_TOTAL) if spec is not None else ()


def arithmetic_value(table: Table, row: str, col: str) -> Decimal:
    """A cell's value for arithmetic: :meth:`Table.value`, or the derived total of a blank 总计."""
    if col != ROW_TOTAL:  # the common case, asked tens of times per report by the text checks
        return table.value(row, col)
    derived = derived_total(table, row, col)
    return derived if derived is not None else table.value(row, col)
