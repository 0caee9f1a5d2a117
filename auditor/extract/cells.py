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
_CN_DIGITS = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9
}  # fmt: skip
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_NUMBER = re.compile(r"^[零〇一二两三四五六七八九十百千万]{1,12}$")
MAX_CELL_CHARS = 200
"""A cell longer than this is text: no count is written with more characters (bounds the parsing)."""


def parse_cell(raw: str) -> Cell:
    """The parsed form of a cell's text (the raw text is kept as written)."""
    # positional: Cell's fields after raw are (kind, value, unit, recovered, reading), the order
    # _parse returns them in; keyword passing costs a measurable share of a report's extraction
    return Cell(raw, *_parse(raw))


@lru_cache(maxsize=8192)
def shared_cell(raw: str) -> Cell:
    """The parsed form of a cell's text, one object for every caller that asks for the same text.

    For cells kept as read: most of a report's cells, and each the same few texts ("0", "", "/").
    The object is shared between tables and documents, so it is never changed: a caller that marks
    a cell's recovery (``recovered``) takes :func:`parse_cell`'s fresh cell or a copy.  Sharing also
    lets a pickled document (the workers' spool) write a repeated cell once."""
    return Cell(raw, *_parse(raw))


@lru_cache(maxsize=4096)
def _parse(raw: str) -> tuple[CellKind, Decimal | None, str | None, None, str | None]:
    """Cell's fields after ``raw``, cached (a fresh Cell is made per call: callers set ``recovered``)."""
    cell = _parse_uncached(raw)
    return cell.kind, cell.value, cell.unit, None, cell.reading


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
    kind, value, _, _, _ = _parse(raw)
    return kind != "text" or value is not None


MAX_PART_DIGITS = 15
"""A number cut from a run of digits has at most this many characters: no count or amount in a report
comes near 10^15, and the bound keeps the search linear in the run's length."""
MAX_SPLIT_STEPS = 30_000
"""Work allowed for splitting one run (a run with no fitting split would otherwise take exponential
time); beyond it the split is refused (:class:`SplitTooHard`) and the table reported unreadable."""


class SplitTooHard(Exception):
    """Splitting a run of digits would take more than :data:`MAX_SPLIT_STEPS`: the caller reports the
    row as unreadable (FMT-005) instead of guessing or stalling."""


def split_candidates(tokens: Sequence[str], n: int, group: int | None = None) -> list[list[str]]:
    """Every way to cut the whitespace-separated ``tokens`` into exactly ``n`` numbers.

    A part is "0" or a number without a leading zero (exporters drop separators, not digits), with an
    optional sign and decimal fraction, of at most :data:`MAX_PART_DIGITS` characters; tokens already
    separated stay separate.  With ``group``, every consecutive group of that many parts must end with
    the sum of the others (the row identity of T3, the three 总计 of T4), which prunes the search as it
    goes.  Positions from which no completion exists are remembered, so a run that has no split is
    refused in time linear in its length; raises :class:`SplitTooHard` past :data:`MAX_SPLIT_STEPS`.
    """
    toks = [t for t in tokens if t]
    if n <= 0 or len(toks) > n or sum(map(len, toks)) > n * MAX_PART_DIGITS:
        return []
    splitter = _Splitter(toks, n, group)
    splitter.dfs(0, 0)
    return splitter.results


class _Splitter:
    """The depth-first search of :func:`split_candidates`: ``parts`` is the split so far, ``dead`` the
    states at a group boundary from which no completion exists, ``steps`` the work done."""

    def __init__(self, toks: list[str], n: int, group: int | None) -> None:
        self.toks, self.n, self.group = toks, n, group
        self.suffix_chars = [0] * (len(toks) + 1)
        for i in range(len(toks) - 1, -1, -1):
            self.suffix_chars[i] = self.suffix_chars[i + 1] + len(toks[i])
        self.results: list[list[str]] = []
        self.parts: list[str] = []
        self.dead: set[tuple[int, int, int]] = set()  # (token, position, parts so far)
        self.steps = 0

    def tick(self) -> None:
        self.steps += 1
        if self.steps > MAX_SPLIT_STEPS:
            raise SplitTooHard

    def dfs(self, ti: int, pos: int) -> bool:
        """Extend ``parts`` from token ``ti`` at ``pos``; True when some completion was found."""
        self.tick()
        if len(self.results) >= MAX_SPLITS:
            return True
        if ti == len(self.toks):
            if len(self.parts) == self.n:
                self.results.append(list(self.parts))
                return True
            return False
        if not self._feasible(ti, pos):
            return False
        # the state decides the rest alone when no group is open (its earlier parts are settled)
        key = (ti, pos, len(self.parts))
        boundary = not self.group or len(self.parts) % self.group == 0
        if boundary and key in self.dead:
            return False
        ends = self._ends(self.toks[ti], pos)
        if ends is None:
            return False
        found = self._extend(ti, pos, ends)
        if boundary and not found:
            self.dead.add(key)
        return found

    def _feasible(self, ti: int, pos: int) -> bool:
        """Whether the parts still needed fit in the tokens and characters left."""
        need = self.n - len(self.parts)
        return len(self.toks) - ti <= need <= len(self.toks[ti]) - pos + self.suffix_chars[ti + 1]

    def _ends(self, token: str, pos: int) -> range | tuple[int, ...] | None:
        """Where the next part may end; None when no part can stand here."""
        group = self.group
        if group and len(self.parts) % group == group - 1:
            # the group's last part is the sum of the others: only that number can stand here
            total = sum((Decimal(x) for x in self.parts[len(self.parts) - group + 1 :]), Decimal(0))
            written = _plain(total)
            if written is None or not token.startswith(written, pos):
                return None
            return (pos + len(written),)
        return range(pos + 1, min(len(token), pos + MAX_PART_DIGITS) + 1)

    def _extend(self, ti: int, pos: int, ends: range | tuple[int, ...]) -> bool:
        token = self.toks[ti]
        found = False
        for end in ends:
            self.tick()
            head = token[pos:end]
            if not _PART.match(head):
                if head.lstrip("-").startswith("0") and len(head.lstrip("-")) > 1 and "." not in head:
                    break  # a leading zero never becomes valid by growing
                continue
            self.parts.append(head)
            if self._group_holds():
                found |= self.dfs(ti + 1, 0) if end == len(token) else self.dfs(ti, end)
            self.parts.pop()
        return found

    def _group_holds(self) -> bool:
        """False when the parts just closed a group whose last part is not the sum of the others."""
        group, parts = self.group, self.parts
        if not group or len(parts) % group:
            return True
        return row_sum_valid([Decimal(x) for x in parts[-group:]])


def _plain(value: Decimal) -> str | None:
    """A sum as an exporter writes it ("12", "3.5"), or None when it cannot stand in a run."""
    if value < 0 or value.adjusted() >= MAX_PART_DIGITS:
        return None
    integral = value.to_integral_value()
    return f"{integral:f}" if value == integral else f"{value.normalize():f}"


def unique_split(tokens: Sequence[str], n: int, group: int | None = None) -> tuple[list[str] | None, int]:
    """The one split of ``tokens`` into ``n`` numbers (see :func:`split_candidates`), and how many
    splits were possible; (None, count) when none or several are, (None, -1) when the search was
    refused as too hard (:class:`SplitTooHard`).  Tokens that are already ``n``
    separate numbers are taken as written."""
    clean = [t for t in tokens if t]
    if len(clean) == n and all(_PART.match(t) for t in clean):
        return list(clean), 1
    try:
        candidates = split_candidates(clean, n, group)
    except SplitTooHard:
        return None, -1
    if len(candidates) == 1:
        return candidates[0], 1
    return None, len(candidates)


def row_sum_valid(values: list[Decimal]) -> bool:
    """T3 row identity: the last value (总计) is the sum of the others."""
    return sum(values[:-1], Decimal(0)) == values[-1]
