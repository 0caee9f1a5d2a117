"""PUB-004: a report that largely repeats the same body's report of the year before.

Similarity is the share of this report's passages of ``shingle`` characters (digits removed, so that
new figures do not hide copied text) that also occur in last year's report.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
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


def _passages(text: str, size: int) -> Iterable[str]:
    """The passages of ``size`` characters, one at each character (a repeated one again)."""
    return (text[i : i + size] for i in range(max(0, len(text) - size + 1)))


def check(ctx: Context, params: Mapping[str, Any]) -> Iterator[Outcome]:
    previous = ctx.previous
    if previous is None:
        return
    sections = list(params.get("sections", ["一", "五", "六"]))
    size = int(params.get("shingle", 5))
    text = _compared(ctx.doc, sections)
    mine = {text[i : i + size] for i in range(max(0, len(text) - size + 1))}
    if not mine:
        return
    # last year's passages are only looked up in this year's, not gathered in a set of their own
    shared = len(mine.intersection(_passages(_compared(previous, sections), size))) / len(mine)
    if shared >= float(params.get("threshold", 0.8)):
        yield Violation(
            evidence=f"有{shared:.0%}的文字相同（比较第{'、'.join(sections)}部分，不计数字）",
            values={"previous_year": previous.year},
        )
