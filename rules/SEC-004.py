"""SEC-004: a section that is there but says nothing (empty, a bare placeholder such as "无", or only the
template's bracketed instruction "（文字描述）" left in place)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from auditor.engine.api import Context, Outcome, Violation, bare_placeholder
from auditor.engine.shapes.base import quote_start

_NOT_WORDS = re.compile(r"[\s\W_]+")


def check(ctx: Context, params: Mapping[str, Any]) -> Iterator[Outcome]:
    placeholders = set(params.get("placeholders", [""]))
    may_say_none = set(params.get("may_say_none", []))
    for key in params.get("sections", []):
        section = ctx.section(key)
        if section is None:
            continue
        # no word at all: the whole text is spaces and punctuation (one scan that stops at the first
        # word, where removing them would copy the whole section)
        wordless = not section.text or _NOT_WORDS.fullmatch(section.text) is not None
        said = placeholders if key not in may_say_none else {""}
        if wordless or bare_placeholder(section.text, said):
            yield Violation(
                evidence="标题下没有正文" if wordless else f"正文为{quote_start(section.text)}",
                section=key,
            )
