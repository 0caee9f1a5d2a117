"""Pattern scans made cheaper without changing what they find.

A pattern that opens with a lookbehind ("(?<!公开)办结") is tried by ``re`` at every character of the
text; one that opens with words jumps to them.  A :class:`Scan` keeps the pattern less the lookbehinds
it opens with (its *quick* pattern), lets it find the places where the pattern can match, and tries the
pattern there alone: ``match`` at a position still looks behind it, so the pattern matches at a place
exactly when the quick one does and its lookbehinds hold there.  The results are those of the
pattern's own ``search`` and ``finditer``.

Most texts hold no match of most patterns: a Scan also keeps words one of which every match contains
(:func:`required_words`, "申请" for "收到…申请N件"), and a text without any of them is not scanned — a
substring test costs a fraction of a regex scan, and a text the words are absent from has no match.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

try:  # the parser of ``re`` itself: what it reads as a literal is what the pattern must match
    import re._constants as _sre
    import re._parser as _sre_parser
except ImportError:  # pragma: no cover - another Python: no words, every text is scanned
    _sre_parser = None

_BACKREFERENCE = re.compile(r"\(\?P=|\\[1-9]|\(\?\(")
"""Backreferences and conditional groups: they name groups by number, which dropping a group shifts."""


def _class_end(pattern: str, start: int) -> int:
    """The index after the character class that opens at ``start`` (escapes inside skipped)."""
    at = start + (2 if pattern.startswith("[^", start) else 1)
    at += 1 if pattern.startswith("]", at) else 0  # "[]…]": the first ] is a character
    while at < len(pattern) and pattern[at] != "]":
        at += 2 if pattern[at] == "\\" else 1
    return at + 1


def _group_end(pattern: str, start: int) -> int | None:
    """The index after the group that opens at ``start`` (escapes and character classes skipped)."""
    depth = 0
    at = start
    while at < len(pattern):
        ch = pattern[at]
        if ch == "\\":
            at += 2
            continue
        if ch == "[":
            at = _class_end(pattern, at)
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return at + 1
        at += 1
    return None


def without_leading_lookbehinds(pattern: re.Pattern[str]) -> re.Pattern[str] | None:
    """``pattern`` less the lookbehind assertions it opens with; None when it opens with none, or when
    dropping them could change what the rest matches (a backreference or a conditional may name a
    group by its number).  Where ``pattern`` matches, the rest matches at the same place."""
    source = pattern.pattern
    at = 0
    while source.startswith(("(?<!", "(?<="), at):
        end = _group_end(source, at)
        if end is None:
            return None
        at = end
    if at == 0 or at == len(source) or _BACKREFERENCE.search(source):
        return None
    try:
        return re.compile(source[at:], pattern.flags)
    except re.error:
        return None


Words = tuple[str, ...]
"""Words one of which a text must contain (empty: nothing required)."""


def _words(items: Sequence[Any]) -> list[Words]:
    """The requirements of a parsed sequence: every match of it contains one word of each."""
    found: list[Words] = []
    run: list[str] = []
    for op, arg in items:
        if op is _sre.LITERAL:
            run.append(chr(arg))
            continue
        if run:  # any other item (a class, a lookaround, a group) ends the run of literal characters
            found.append(("".join(run),))
            run = []
        found += _inner_words(op, arg)
    if run:
        found.append(("".join(run),))
    return found


def _inner_words(op: Any, arg: Any) -> list[Words]:
    """The requirements of one item that is not a literal: a group, a repeat at least once, a choice
    of which each branch requires words.  Lookarounds and classes require none."""
    if op is _sre.SUBPATTERN:
        _, added, _, inner = arg
        return [] if added & _sre.SRE_FLAG_IGNORECASE else _words(inner)
    if op is _sre.ATOMIC_GROUP:
        return _words(arg)
    if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT):
        least, _, inner = arg
        return _words(inner) if least >= 1 else []
    if op is _sre.BRANCH:
        options = [_best(_words(branch)) for branch in arg[1]]
        return [tuple(dict.fromkeys(w for words in options for w in words))] if all(options) else []
    return []


def _best(requirements: list[Words]) -> Words:
    """The requirement most likely to be missing from a text: longest shortest word, then fewest."""
    return max(requirements, key=lambda words: (min(map(len, words)), -len(words)), default=())


def required_words(pattern: re.Pattern[str]) -> Words:
    """Words one of which every match of ``pattern`` contains: those of its literal text outside any
    optional part, lookaround or case-insensitive part (``"(?:收到|受理)…申请(?P<n>\\d+)件"``: "申请").
    Empty when it has none, when it ignores case, or when ``re``'s parser is not at hand."""
    if _sre_parser is None or pattern.flags & re.IGNORECASE:
        return ()
    try:
        return _best(_words(_sre_parser.parse(pattern.pattern, pattern.flags)))
    except Exception:  # noqa: BLE001 - a parser of another Python version: no words, scan every text
        return ()


@dataclass(frozen=True, slots=True)
class Scan:
    """A pattern with its quick pattern (None when it opens with no lookbehind, or when dropping them
    could change what it matches) and the words one of which every match contains: ``search`` and
    ``finditer`` give the pattern's own results."""

    pattern: re.Pattern[str]
    quick: re.Pattern[str] | None
    words: Words = ()

    @classmethod
    def of(cls, pattern: re.Pattern[str]) -> Scan:
        return cls(pattern, without_leading_lookbehinds(pattern), required_words(pattern))

    def absent(self, text: str) -> bool:
        """True when ``text`` holds none of the words: the pattern has no match in it."""
        for word in self.words:
            if word in text:
                return False
        return bool(self.words)

    def search(self, text: str) -> re.Match[str] | None:
        """``pattern.search(text)``: the leftmost place where the quick pattern matches and the
        pattern does."""
        if self.absent(text):
            return None
        quick = self.quick
        if quick is None:
            return self.pattern.search(text)
        at = 0
        while (hit := quick.search(text, at)) is not None:
            match = self.pattern.match(text, hit.start())
            if match is not None:
                return match
            at = hit.start() + 1
        return None

    def finditer(self, text: str) -> list[re.Match[str]]:
        """``list(pattern.finditer(text))``: the leftmost match, then the next from its end."""
        if self.absent(text):
            return []
        return list(self.scan(text))

    def scan(self, text: str) -> Iterable[re.Match[str]]:
        """``pattern.finditer(text)``, for a caller that tested the words itself (the text holds one)."""
        quick = self.quick
        if quick is None:
            return self.pattern.finditer(text)
        found: list[re.Match[str]] = []
        at = 0
        while (hit := quick.search(text, at)) is not None:
            match = self.pattern.match(text, hit.start())
            if match is None:
                at = hit.start() + 1
            elif match.end() == match.start():
                # finditer's rules for an empty match next to another are its own: let it find them
                return list(self.pattern.finditer(text))
            else:
                found.append(match)
                at = match.end()
        return found
