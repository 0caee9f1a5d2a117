"""Cell values: parsing the raw text of a cell, and recovering cells whose boundaries were lost.

Real exports sometimes run the cells of a row together ("713000074" for 71, 3, 0, 0, 0, 0, 74).  Such a
run is split only where exactly one split satisfies the row's own identities; otherwise the caller
reports the table as unreadable rather than guess.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation

from auditor.extract.textcodec import halfwidth, squash
from auditor.model import Cell

PLACEHOLDERS = frozenset({"/", "-", "--", "---", "无", "\\", "／", "－", "—", "——", "一"})
"""Written where a count is zero or not applicable; the arithmetic treats them as 0."""

_UNITS = "万元|元|件|个|条|项|宗|次|人|%"
_NUMBER = re.compile(
    rf"^(?P<sign>[-+]?)(?P<int>\d{{1,3}}(?:,\d{{3}})+|\d+)(?P<frac>\.\d+)?(?P<unit>{_UNITS})?$"
)
_PART = re.compile(r"^-?(?:0|[1-9]\d*)(?:\.\d+)?$")

MAX_SPLITS = 20000
"""Upper bound on the candidate splits enumerated for one run of digits (keeps bad input cheap)."""


def parse_cell(raw: str) -> Cell:
    """The parsed form of a cell's text (the raw text is kept as written)."""
    text = halfwidth(squash(raw))
    if not text:
        return Cell(raw=raw, kind="blank")
    if text in PLACEHOLDERS or raw.strip() in PLACEHOLDERS:
        return Cell(raw=raw, kind="placeholder")
    m = _NUMBER.match(text.replace("，", ","))
    if m:
        try:
            value = Decimal(f"{m.group('sign')}{m.group('int').replace(',', '')}{m.group('frac') or ''}")
        except InvalidOperation:
            return Cell(raw=raw, kind="text")
        return Cell(raw=raw, kind="number", value=value, unit=m.group("unit"))
    return Cell(raw=raw, kind="text")


def is_value_like(raw: str) -> bool:
    """True for a number, a blank or a placeholder: what may stand in a numeric cell."""
    return parse_cell(raw).kind != "text"


def split_candidates(tokens: Sequence[str], n: int) -> list[list[str]]:
    """Every way to cut the whitespace-separated ``tokens`` into exactly ``n`` numbers.

    A part is "0" or a number without a leading zero (exporters drop separators, not digits), with an
    optional sign and decimal fraction.  Tokens already separated stay separate.
    """
    tokens = [t for t in tokens if t]
    results: list[list[str]] = []

    def cuts(token: str, parts: int) -> list[list[str]]:
        if parts == 1:
            return [[token]] if _PART.match(token) else []
        out: list[list[str]] = []
        for i in range(1, len(token)):
            head = token[:i]
            if not _PART.match(head):
                continue
            for rest in cuts(token[i:], parts - 1):
                out.append([head, *rest])
        return out

    def walk(i: int, remaining: int, acc: list[str]) -> None:
        if len(results) >= MAX_SPLITS:
            return
        if i == len(tokens):
            if remaining == 0:
                results.append(list(acc))
            return
        left_after = len(tokens) - i - 1
        token = tokens[i]
        max_parts = min(remaining - left_after, len(token.replace("-", "").replace(".", "")))
        for parts in range(1, max_parts + 1):
            for cut in cuts(token, parts):
                walk(i + 1, remaining - parts, acc + cut)

    walk(0, n, [])
    return results


def unique_split(
    tokens: Sequence[str], n: int, valid: Callable[[list[Decimal]], bool] | None = None
) -> tuple[list[str] | None, int]:
    """The one split of ``tokens`` into ``n`` numbers that ``valid`` accepts, and how many were valid.

    Returns (None, count) when no split or more than one split is valid.  When the tokens are already
    ``n`` separate valid numbers they are taken as written.
    """
    clean = [t for t in tokens if t]
    if len(clean) == n and all(_PART.match(t) for t in clean):
        return list(clean), 1
    candidates = split_candidates(clean, n)
    if valid is not None:
        candidates = [c for c in candidates if valid([Decimal(x) for x in c])]
    if len(candidates) == 1:
        return candidates[0], 1
    return None, len(candidates)


def row_sum_valid(values: list[Decimal]) -> bool:
    """T3 row identity: the last value (总计) is the sum of the others."""
    return sum(values[:-1], Decimal(0)) == values[-1]


def grouped_sum_valid(group: int) -> Callable[[list[Decimal]], bool]:
    """T4 identity: each group of ``group`` values ends with the sum of the group's others."""

    def valid(values: list[Decimal]) -> bool:
        return all(
            row_sum_valid(values[i : i + group]) for i in range(0, len(values), group)
        )

    return valid
