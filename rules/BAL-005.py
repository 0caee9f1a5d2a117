"""BAL-005: this year's 二、上年结转 equals last year's 四、结转下年度继续办理, column by column."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from auditor.engine.api import Context, NotEvaluated, Outcome, Violation, cell_text, col_label, usable_table
from auditor.templates import T3_COLUMNS


def check(ctx: Context, params: Mapping[str, Any]) -> Iterator[Outcome]:
    previous = ctx.previous
    if previous is None:
        return
    table = ctx.table("T3")
    if isinstance(table, NotEvaluated):
        yield table
        return
    before = usable_table(previous, "T3")
    if isinstance(before, NotEvaluated):
        yield NotEvaluated(f"{previous.year}年度报告的{before.reason}")
        return
    for col in (c.id for c in T3_COLUMNS):
        if table.value("carried", col) != before.value("carry_next", col):
            yield Violation(
                evidence=(
                    f"本年 二、上年结转 {cell_text(table.cell('carried', col))} ≠ "
                    f"{previous.year}年 四、结转下年度继续办理 {cell_text(before.cell('carry_next', col))}"
                ),
                section="三",
                table="T3",
                row="二、上年结转政府信息公开申请数量",
                column=col_label(table, col),
                cells=(("T3", "carried", col),),
                values={"previous_year": previous.year},
                key=col,
            )
