"""SEC-004: a section that is there but says nothing (empty, or a bare placeholder such as "无")."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from auditor.engine.api import Context, Outcome, Violation, quote

_NOT_WORDS = re.compile(r"[\s\W_]+")


def check(ctx: Context, params: Mapping[str, Any]) -> Iterator[Outcome]:
    placeholders = set(params.get("placeholders", [""]))
    may_say_none = set(params.get("may_say_none", []))
    for key in params.get("sections", []):
        section = ctx.section(key)
        if section is None:
            continue
        words = _NOT_WORDS.sub("", section.text)
        if words == "" or (words in placeholders and key not in may_say_none):
            yield Violation(
                evidence=f"正文为{quote(section.text)}" if words else "标题下没有正文",
                section=key,
            )
