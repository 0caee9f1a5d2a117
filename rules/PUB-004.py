"""PUB-004: a report that largely repeats the same body's report of the year before.

Similarity is the share of this report's passages of ``shingle`` characters (digits removed, so that
new figures do not hide copied text) that also occur in last year's report.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from auditor.engine.api import Context, Outcome, Violation
from auditor.model import Document

_NOISE = re.compile(r"[\s\d\W_]+")


def _passages(doc: Document, sections: list[str], size: int) -> set[str]:
    text = _NOISE.sub("", "".join(s.text for s in doc.sections if s.key in sections))
    return {text[i : i + size] for i in range(max(0, len(text) - size + 1))}


def check(ctx: Context, params: Mapping[str, Any]) -> Iterator[Outcome]:
    previous = ctx.previous
    if previous is None:
        return
    sections = list(params.get("sections", ["一", "五", "六"]))
    size = int(params.get("shingle", 5))
    mine = _passages(ctx.doc, sections, size)
    if not mine:
        return
    shared = len(mine & _passages(previous, sections, size)) / len(mine)
    if shared >= float(params.get("threshold", 0.8)):
        yield Violation(
            evidence=f"有{shared:.0%}的文字相同（比较第{'、'.join(sections)}部分，不计数字）",
            values={"previous_year": previous.year},
        )
