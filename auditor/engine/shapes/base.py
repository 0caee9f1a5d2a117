"""What every shape shares: the compiled form and checked access to a rule's parameters."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditor.engine.api import Context, Outcome, quote
from auditor.schemas import Identity, ValueTest

_ABSENT = object()


@dataclass(frozen=True, slots=True)
class CompiledShape:
    """A shape with its parameters bound: the check, and the pandera checks it contributes."""

    check: Callable[[Context], Iterable[Outcome]]
    schema_checks: tuple[Identity | ValueTest, ...] = ()
    needs: tuple[str, ...] = ()
    """Requirements the check relies on (added to the rule's ``requires`` where the file leaves them out)."""
    needs_each: tuple[str, ...] = ()
    """Parts the check takes one at a time (the rule file lists them in ``requires_each``)."""


@dataclass(frozen=True, slots=True)
class Params:
    """A rule's shape parameters, read with type checks that fail with a one-line reason."""

    rule_id: str
    values: Mapping[str, Any]
    folder: Path
    """The folder of the rule file (python shapes load their module from it)."""

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = _ABSENT) -> Any:
        if key not in self.values:
            if default is _ABSENT:
                raise ValueError(f"shape parameter '{key}' is required")
            return default
        value = self.values[key]
        if not isinstance(value, kind):
            names = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
            raise TypeError(f"shape parameter '{key}' must be {names}, not {type(value).__name__}")
        return value

    def strings(self, key: str, default: Any = _ABSENT) -> tuple[str, ...]:
        """A list of strings (a single string is taken as a list of one)."""
        value = self.get(key, (list, str), default)
        items = [value] if isinstance(value, str) else list(value)
        if not all(isinstance(v, (str, int)) for v in items):
            raise ValueError(f"shape parameter '{key}' must be a list of strings")
        return tuple(str(v) for v in items)

    def one_of(self, key: str, choices: Iterable[str], default: Any = _ABSENT) -> str:
        value = str(self.get(key, (str, int), default))
        allowed = tuple(choices)
        if value not in allowed:
            raise ValueError(f"shape parameter '{key}' must be one of {', '.join(allowed)}, not '{value}'")
        return value


TABLE_KINDS = ("T2", "T3", "T4")


_SPACE = re.compile(r"\s")


def quote_start(text: str, limit: int = 60) -> str:
    """:func:`auditor.engine.api.quote` of ``text``, made from its start alone when that is enough: a
    section's text runs to thousands of characters and the quote shows ``limit`` of them.  When the
    start holds more than ``limit`` characters that are not spaces, the whole text's quote is the
    start's: collapsing the spaces of a start gives the start of the collapsed text."""
    start = text[: 4 * limit]
    if len(start) < len(text) and len(_SPACE.sub("", start)) > limit:
        return quote(start, limit)
    return quote(text, limit)
