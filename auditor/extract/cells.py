"""Cell values: parsing the raw text of a cell, and recovering cells whose boundaries were lost.

Real exports sometimes run the cells of a row together ("713000074" for 71, 3, 0, 0, 0, 0, 74).  Such a
run is split only where exactly one split satisfies the row's own identities; otherwise the caller
reports the table as unreadable rather than guess.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from auditor.extract.textcodec import halfwidth, squash
from auditor.model import Cell, CellKind

PLACEHOLDERS = frozenset({"/", "-", "--", "---", "无", "\\", "／", "－", "—", "——", "一"})
"""Written where a count is zero or not applicable; the arithmetic treats them as 0."""

_UNITS = "万元|元|件|个|条|项|宗|次|人|%"
_NUMBER = re.compile(
    rf"^(?P<sign>[-+]?)(?P<int>\d{{1,3}}(?:,\d{{3}})+|\d+)(?P<frac>\.\d+)?(?P<unit>{_UNITS})?$"
)
_PART = re.compile(r"^-?(?:0|[1-9]\d*)(?:\.\d+)?$")

MAX_SPLITS = 20000
"""Upper bound on the candidate splits enumerated for one run of digits (keeps bad input cheap)."""


_COUNT_UNITS = frozenset({"件", "个", "条", "项", "宗", "次", "人"})
"""Units of a count: a cell "12件" is a number written with a word (VAL-001), its value 12 used."""
_FULLWIDTH_DIGITS = re.compile(r"[０-９]")
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_NUMBER = re.compile(r"^[零〇一二两三四五六七八九十百千万]{1,12}$")
MAX_CELL_CHARS = 200
"""A cell longer than this is text: no count is written with more characters (bounds the parsing)."""


def parse_cell(raw: str) -> Cell:
    """The parsed form of a cell's text (the raw text is kept as written)."""
    kind, value, unit, reading = _parse(raw)
    return Cell(raw=raw, kind=kind, value=value, unit=unit, reading=reading)


@lru_cache(maxsize=4096)
def _parse(raw: str) -> tuple[CellKind, Decimal | None, str | None, str | None]:
    cell = _parse_uncached(raw)
    return cell.kind, cell.value, cell.unit, cell.reading


def _parse_uncached(raw: str) -> Cell:
    squashed = squash(raw)
    text = halfwidth(squashed)
    if not text:
        return Cell(raw=raw, kind="blank")
    if text in PLACEHOLDERS or raw.strip() in PLACEHOLDERS:
        return Cell(raw=raw, kind="placeholder")
    if len(text) > MAX_CELL_CHARS:
        return Cell(raw=raw, kind="text")
    m = _NUMBER.match(text.replace("，", ","))
    if m:
        try:
            value = Decimal(f"{m.group('sign')}{m.group('int').replace(',', '')}{m.group('frac') or ''}")
        except InvalidOperation:
            return Cell(raw=raw, kind="text")
        unit = m.group("unit")
        if unit in _COUNT_UNITS:
            return Cell(raw=raw, kind="text", value=value, unit=unit, reading="数字带单位")
        if _FULLWIDTH_DIGITS.search(squashed):
            return Cell(raw=raw, kind="text", value=value, unit=unit, reading="全角数字")
        return Cell(raw=raw, kind="number", value=value, unit=unit)
    unit = next((u for u in sorted(_COUNT_UNITS) if text.endswith(u) and len(text) > 1), None)
    words = text[: -len(unit)] if unit else text
    if _CN_NUMBER.match(words):
        number = chinese_number(words)
        if number is not None:
            return Cell(raw=raw, kind="text", value=Decimal(number), unit=unit, reading="中文数字")
    return Cell(raw=raw, kind="text")


def chinese_number(text: str) -> int | None:
    """The value of a number written in Chinese numerals ("十二" 12, "一百零五" 105, "两千" 2000,
    "三万五千" 35000), or None when the characters do not form one."""
    if "万" in text:
        high, _, low = text.partition("万")
        if "万" in low or not high:
            return None
        top = chinese_number(high)
        rest = chinese_number(low) if low else 0
        if top is None or rest is None or rest >= 10000:
            return None
        return top * 10000 + rest
    if all(ch in _CN_DIGITS for ch in text):
        # digit by digit ("一二" 12) only for more than one character: a lone "一" is a dash
        return int("".join(str(_CN_DIGITS[ch]) for ch in text)) if len(text) > 1 else _CN_DIGITS[text]
    total, digit, last_unit = 0, None, 10000
    for ch in text:
        if ch in _CN_DIGITS:
            if digit is not None and _CN_DIGITS[ch] != 0:
                return None
            digit = _CN_DIGITS[ch] if _CN_DIGITS[ch] else None
        elif ch in _CN_UNITS:
            unit = _CN_UNITS[ch]
            if unit >= last_unit or (digit is None and not (unit == 10 and last_unit == 10000)):
                return None
            total += (digit if digit is not None else 1) * unit
            digit, last_unit = None, unit
        else:
            return None
    return total + (digit or 0)


def is_value_like(raw: str) -> bool:
    """True for a number, a blank or a placeholder, or a number written otherwise ("十二", "12件"):
    what may stand in a numeric cell."""
    kind, value, _, _ = _parse(raw)
    return kind != "text" or value is not None


def split_candidates(tokens: Sequence[str], n: int, group: int | None = None) -> list[list[str]]:
    """Every way to cut the whitespace-separated ``tokens`` into exactly ``n`` numbers.

    A part is "0" or a number without a leading zero (exporters drop separators, not digits), with an
    optional sign and decimal fraction; tokens already separated stay separate.  With ``group``, every
    consecutive group of that many parts must end with the sum of the others (the row identity of T3,
    the three 总计 of T4), which prunes the search as it goes.
    """
    toks = [t for t in tokens if t]
    suffix_chars = [0] * (len(toks) + 1)
    for i in range(len(toks) - 1, -1, -1):
        suffix_chars[i] = suffix_chars[i + 1] + len(toks[i])
    results: list[list[str]] = []
    parts: list[str] = []

    def dfs(ti: int, pos: int) -> None:
        if len(results) >= MAX_SPLITS:
            return
        if ti == len(toks):
            if len(parts) == n:
                results.append(list(parts))
            return
        token = toks[ti]
        need = n - len(parts)
        if need < len(toks) - ti or need > len(token) - pos + suffix_chars[ti + 1]:
            return
        for end in range(pos + 1, len(token) + 1):
            head = token[pos:end]
            if not _PART.match(head):
                if head.lstrip("-").startswith("0") and len(head.lstrip("-")) > 1 and "." not in head:
                    break  # a leading zero never becomes valid by growing
                continue
            parts.append(head)
            if not (
                group and len(parts) % group == 0 and not row_sum_valid([Decimal(x) for x in parts[-group:]])
            ):
                if end == len(token):
                    dfs(ti + 1, 0)
                else:
                    dfs(ti, end)
            parts.pop()

    dfs(0, 0)
    return results


def unique_split(tokens: Sequence[str], n: int, group: int | None = None) -> tuple[list[str] | None, int]:
    """The one split of ``tokens`` into ``n`` numbers (see :func:`split_candidates`), and how many
    splits were possible; (None, count) when none or several are.  Tokens that are already ``n``
    separate numbers are taken as written."""
    clean = [t for t in tokens if t]
    if len(clean) == n and all(_PART.match(t) for t in clean):
        return list(clean), 1
    candidates = split_candidates(clean, n, group)
    if len(candidates) == 1:
        return candidates[0], 1
    return None, len(candidates)


def row_sum_valid(values: list[Decimal]) -> bool:
    """T3 row identity: the last value (总计) is the sum of the others."""
    return sum(values[:-1], Decimal(0)) == values[-1]
