"""SEC-004: a section that is there but says nothing (empty, a bare placeholder such as "无", or only the
template's bracketed instruction "（文字描述）" left in place)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from auditor.engine.api import Context, Outcome, Violation, bare_placeholder, quote

_NOT_WORDS = re.compile(r"[\s\W_]+")


def check(ctx: Context, params: Mapping[str, Any]) -> Iterator[Outcome]:
    placeholders = set(params.get("placeholders", [""]))
    may_say_none = set(params.get("may_say_none", []))
    for key in params.get("sections", []):
        section = ctx.section(key)
        if section is None:
            continue
        words = _NOT_WORDS.sub("", section.text)
        said = placeholders if key not in may_say_none else {""}
        if words == "" or bare_placeholder(section.text, said):
            yield Violation(
                evidence=f"正文为{quote(section.text)}" if words else "标题下没有正文",
                section=key,
            )
