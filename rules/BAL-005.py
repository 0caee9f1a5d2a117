"""BAL-005: this year's 二、上年结转 equals last year's 四、结转下年度继续办理, column by column."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from auditor.engine.api import Context, NotEvaluated, Outcome, Violation, YearPair, col_label, term_text
from auditor.schemas import arithmetic_value
from auditor.templates import T3_COLUMNS


def check(ctx: Context, params: Mapping[str, Any]) -> Iterator[Outcome]:
    pair = ctx.across_years("T3")
    if isinstance(pair, NotEvaluated):
        yield pair
    if not isinstance(pair, YearPair):
        return
    table, before, last_year = pair
    for col in (c.id for c in T3_COLUMNS):
        # a blank 总计 counts as the sum of its row, as in every identity (VAL-003 reports the blank)
        if arithmetic_value(table, "carried", col) != arithmetic_value(before, "carry_next", col):
            yield Violation(
                evidence=(
                    f"本年 二、上年结转 {term_text(table, 'carried', col)} ≠ "
                    f"{last_year}年 四、结转下年度继续办理 {term_text(before, 'carry_next', col)}"
                ),
                section="三",
                table="T3",
                row="二、上年结转政府信息公开申请数量",
                column=col_label(table, col),
                cells=(("T3", "carried", col),),
                values={"previous_year": last_year},
                key=col,
            )
