"""DOC-003: the report year as the title, the statistics period and the body's own statements give it."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from auditor.engine.api import Context, Outcome, Violation, quote

_TITLE_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")



class PARAMS(BaseModel):
    """The parameters of DOC-003 (checked when the rule is loaded)."""

    model_config = ConfigDict(extra="forbid")
    statements: list[str] = Field(default=[], description="正文中说明报告年度的句子（正则，第一组为年份）")


def check(ctx: Context, params: Mapping[str, Any]) -> Iterator[Outcome]:
    doc = ctx.doc
    sources: list[tuple[str, set[int]]] = []
    if doc.title and (match := _TITLE_YEAR.search(doc.title)):
        sources.append((f"标题“{doc.title}”", {int(match[1])}))
    if doc.stats_period is not None:
        start, end = doc.stats_period
        sources.append((f"统计期限{start.isoformat()}至{end.isoformat()}", {start.year, end.year}))
    for pattern in params.get("statements", []):
        for match in re.finditer(pattern, doc.body):
            sources.append((f"正文{quote(match[0], 40)}", {int(match[1])}))
    years = {year for _, found in sources for year in found}
    if len(years) > 1:
        yield Violation(evidence="；".join(dict.fromkeys(text for text, _ in sources)))
