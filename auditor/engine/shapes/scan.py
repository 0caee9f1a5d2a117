"""Pattern scans made cheaper without changing what they find.

A pattern that opens with a lookbehind ("(?<!公开)办结") is tried by ``re`` at every character of the
text; one that opens with words jumps to them.  A :class:`Scan` keeps the pattern less the lookbehinds
it opens with (its *quick* pattern), lets it find the places where the pattern can match, and tries the
pattern there alone: ``match`` at a position still looks behind it, so the pattern matches at a place
exactly when the quick one does and its lookbehinds hold there.  The results are those of the
pattern's own ``search`` and ``finditer``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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


@dataclass(frozen=True, slots=True)
class Scan:
    """A pattern with its quick pattern (None when it opens with no lookbehind, or when dropping them
    could change what it matches): ``search`` and ``finditer`` give the pattern's own results."""

    pattern: re.Pattern[str]
    quick: re.Pattern[str] | None

    @classmethod
    def of(cls, pattern: re.Pattern[str]) -> Scan:
        return cls(pattern, without_leading_lookbehinds(pattern))

    def search(self, text: str) -> re.Match[str] | None:
        """``pattern.search(text)``: the leftmost place where the quick pattern matches and the
        pattern does."""
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
        quick = self.quick
        if quick is None:
            return list(self.pattern.finditer(text))
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
