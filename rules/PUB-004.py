"""PUB-004: a report that largely repeats the same body's report of the year before.

Similarity is the share of this report's passages of ``shingle`` characters (digits removed, so that
new figures do not hide copied text) that also occur in last year's report.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from auditor.engine.api import Context, Outcome, Violation
from auditor.model import Document

_NOISE = re.compile(r"[\s\d\W_]+")



class PARAMS(BaseModel):
    """The parameters of PUB-004 (checked when the rule is loaded)."""

    model_config = ConfigDict(extra="forbid")
    sections: list[Literal["一", "二", "三", "四", "五", "六"]] = Field(
        default=["一", "五", "六"], min_length=1
    )
    threshold: float = Field(default=0.8, gt=0, le=1, description="与上年报告相同片段的比例达到多少即报出")
    shingle: int = Field(default=5, ge=2, description="片段长度（字数）")


def _compared(doc: Document, sections: list[str]) -> str:
    """The text of the compared sections, without digits, spaces and punctuation."""
    return _NOISE.sub("", "".join(s.text for s in doc.sections if s.key in sections))


_KEPT, _KEPT_CHARS = 16, 20_000
_SETS: dict[tuple[str, int], set[str]] = {}
"""The passage sets made last, by text: a report is compared as this year's and as last year's (for
the next year's report), and a batch often holds a body's reports of several years, one checked after
the other.  A set is never changed once made; the oldest is dropped past ``_KEPT``, and the set of a
text longer than ``_KEPT_CHARS`` is not kept (memory stays within a few MB)."""


def _passage_set(text: str, size: int) -> set[str]:
    found = _SETS.get((text, size))
    if found is None:
        found = {text[i : i + size] for i in range(max(0, len(text) - size + 1))}
        if len(text) > _KEPT_CHARS:
            return found
        if len(_SETS) >= _KEPT:
            del _SETS[next(iter(_SETS))]
        _SETS[(text, size)] = found
    return found


def check(ctx: Context, params: Mapping[str, Any]) -> Iterator[Outcome]:
    previous = ctx.previous
    if previous is None:
        return
    sections = list(params.get("sections", ["一", "五", "六"]))
    size = int(params.get("shingle", 5))
    mine = _passage_set(_compared(ctx.doc, sections), size)
    if not mine:
        return
    shared = len(mine & _passage_set(_compared(previous, sections), size)) / len(mine)
    if shared >= float(params.get("threshold", 0.8)):
        yield Violation(
            evidence=f"有{shared:.0%}的文字相同（比较第{'、'.join(sections)}部分，不计数字）",
            values={"previous_year": previous.year},
        )
