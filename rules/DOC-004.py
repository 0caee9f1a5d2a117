"""DOC-004: the statistics period is stated and is one whole calendar year."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from auditor.engine.api import Context, Outcome, Violation


def check(ctx: Context, params: Mapping[str, Any]) -> Iterator[Outcome]:
    doc = ctx.doc
    if doc.stats_period is None:
        written = f"（原文：“{doc.stats_period_text}”，无法识别）" if doc.stats_period_text else ""
        yield Violation(evidence=f"未写明统计期限{written}")
        return
    start, end = doc.stats_period
    whole_year = (
        start.year == end.year and (start.month, start.day) == (1, 1) and (end.month, end.day) == (12, 31)
    )
    if not whole_year:
        yield Violation(evidence=f"统计期限为{start.isoformat()}至{end.isoformat()}，不是完整的自然年")
