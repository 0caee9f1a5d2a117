"""SEC-005: 总体情况 reports each of its five aspects as such.

An aspect counts when the section reports it: a sub-heading names it ("（四）平台建设"), or, in a section
not organised by aspects, a sentence speaks of it.  A word of the aspect that only says how something
else was done does not report it: "通过门户网站主动公开…" reports 主动公开, not 平台建设.  In a section
organised by aspects (two or more sub-headings name one), an aspect without a sub-heading counts only
where a sentence leads with it, not where its word appears inside another aspect's paragraph.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any

from auditor.engine.api import (
    Context,
    Outcome,
    Violation,
    any_of,
    heading_as_written,
)
from auditor.engine.shapes.base import quote_start
from auditor.engine.shapes.scan import Scan

REQUIRES = ("section 一 written",)
"""The engine runs the check only when this holds (declared in the rule file's ``requires``)."""

_HEAD = (
    r"\s*(?:[（(]\s*[一二三四五六七八九十\d]{1,2}\s*[)）]|[一二三四五六七八九十]{1,2}[是、]|\d{1,2}\s*[.、．])"
    r"\s*(?P<head>[^。；：:\n]{2,30})"
)
_SUBHEADING = re.compile(r"(?:^|[\n。；])" + _HEAD)
_LATER_SUBHEADING = re.compile(r"[\n。；]" + _HEAD)
"""A sub-heading after the start of the text: the same pattern without "^", which ``re`` tries at every
character, while it jumps from one of these three characters to the next."""
_CLAUSE_BREAK = re.compile(r"[，,：:]")
_CHANNEL = re.compile(r"(?:通过|依托|利用|借助|经由|运用|在)[^，。；、：:\n]{0,14}$")
"""A word that follows these within its clause names the means, not the topic."""
_SENTENCE = re.compile(r"[^。；;！!？?\n]+")


def _patterns(words: Any) -> tuple[Scan, ...]:
    return tuple(Scan.of(re.compile(w)) for w in ([words] if isinstance(words, str) else words))


_Aspects = tuple[tuple[str, tuple[Scan, ...], tuple[re.Pattern[str], ...]], ...]
"""(aspect, its words' patterns, the patterns that find a sub-heading naming it: one, joined, when
they can be)."""


class _Compiled:
    """A rule file's aspects compiled, and which aspects a sub-heading names, by sub-heading (reports
    use the same few: "（一）主动公开", "（二）依申请公开" …).  A plain class: a rule module is not
    imported under its name, which a dataclass's string annotations would need."""

    __slots__ = ("aspects", "heads")

    def __init__(self, aspects: _Aspects) -> None:
        self.aspects = aspects
        self.heads: dict[str, frozenset[str]] = {}

    def named_by(self, head: str | None) -> frozenset[str]:
        if head is None:
            return frozenset()
        found = self.heads.get(head)
        if found is None:
            if len(self.heads) >= _HEADS_KEPT:
                self.heads.clear()
            found = self.heads[head] = frozenset(
                name for name, _, heads in self.aspects if any(p.search(head) for p in heads)
            )
        return found


_HEADS_KEPT = 4096


@lru_cache(maxsize=64)
def _compiled(aspects: tuple[tuple[str, tuple[str, ...]], ...]) -> _Compiled:
    """The aspects' patterns, compiled once per rule file rather than once per report."""
    compiled = []
    for name, words in aspects:
        scans = _patterns(words)
        patterns = tuple(scan.pattern for scan in scans)
        joined = any_of(patterns)
        compiled.append((name, scans, (joined,) if joined is not None else patterns))
    return _Compiled(tuple(compiled))


def _aspects(params: Mapping[str, Any]) -> _Compiled:
    return _compiled(
        tuple(
            (str(name), (words,) if isinstance(words, str) else tuple(words))
            for name, words in params["aspects"].items()
        )
    )


def _reported(text: str, patterns: tuple[Scan, ...], leading_only: bool) -> bool:
    """Whether a sentence of ``text`` speaks of the aspect (in its first clause when ``leading_only``)."""
    # a phrase whose words ``text`` lacks is in none of its sentences (Scan.words): most aspects of a
    # long section are looked for with a few phrases only, and many with none
    live = [scan for scan in patterns if not scan.absent(text)]
    if not live:
        return False
    for sentence in _SENTENCE.finditer(text):
        part = sentence.group(0)
        if leading_only:
            part = _CLAUSE_BREAK.split(part, maxsplit=1)[0]
        for scan in live:
            for m in scan.finditer(part):
                if not _CHANNEL.search(part[max(0, m.start() - 16) : m.start()]):
                    return True
    return False


def _parts(text: str) -> list[tuple[str | None, str]]:
    """The section cut at its sub-headings: (sub-heading or None for the opening text, text)."""
    # _SUBHEADING.finditer(text): tried at the start, then (where "^" cannot match) from the end of
    # what was found there
    first = _SUBHEADING.match(text)
    marks = [first] if first is not None else []
    marks += _LATER_SUBHEADING.finditer(text, first.end() if first is not None else 0)
    parts: list[tuple[str | None, str]] = [(None, text[: marks[0].start() if marks else len(text)])]
    for pos, m in enumerate(marks):
        end = marks[pos + 1].start() if pos + 1 < len(marks) else len(text)
        parts.append((m.group("head"), text[m.start() : end]))
    return parts


def check(ctx: Context, params: Mapping[str, Any]) -> Iterator[Outcome]:
    section = ctx.written_section("一")
    compiled = _aspects(params)
    aspects = compiled.aspects
    text = section.text
    parts = _parts(text)
    # The aspects each sub-heading names, found once per part.
    naming = [compiled.named_by(head) for head, _ in parts]
    named: set[str] = set().union(*naming)
    by_aspect = len(named) >= 2
    # Organised by aspects: the paragraphs under another aspect's sub-heading report that aspect only.
    free = text
    if by_aspect:
        free = "\n".join(body for (_, body), names in zip(parts, naming, strict=True) if not names)
    for name, patterns, _ in aspects:
        if name in named or _reported(free, patterns, leading_only=by_aspect):
            continue
        quoted = quote_start(text) if text.strip() else "（无正文）"
        yield Violation(
            evidence=f"“{heading_as_written(section)}”：{quoted}",
            section="一",
            values={"aspect": name},
            key=name,
        )
