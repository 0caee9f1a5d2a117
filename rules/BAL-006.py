"""BAL-006: T2 现行有效件数 (Y) = 现行有效件数 (Y−1) + 本年制发件数 (Y) − 本年废止件数 (Y).

Only the 2021 format has 现行有效件数, so both years must use it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from auditor.engine.api import (
    Context,
    NotEvaluated,
    Outcome,
    Violation,
    YearPair,
    format_number,
    row_label,
)


class PARAMS(BaseModel):
    """The parameters of BAL-006 (checked when the rule is loaded)."""

    model_config = ConfigDict(extra="forbid")
    rows: list[Literal["rules", "normative"]] = Field(default=["rules", "normative"], min_length=1,
                                                      description="核对表二哪些行（规章、规范性文件）")
    tolerance: int | float = Field(default=0, ge=0, description="允许的差额")


def check(ctx: Context, params: Mapping[str, Any]) -> Iterator[Outcome]:
    pair = ctx.across_years("T2")
    if isinstance(pair, NotEvaluated):
        yield pair
    if not isinstance(pair, YearPair):
        return
    table, before, last_year = pair
    if table.template != "2021" or before.template != "2021":
        yield NotEvaluated(f"{last_year}、{ctx.doc.year}年度的表二不都是2021年格式，没有可衔接的现行有效件数")
        return
    tolerance = Decimal(str(params.get("tolerance", 0)))
    for row in params.get("rows", ["rules", "normative"]):
        last, issued, repealed = (
            before.value(row, "in_force"),
            table.value(row, "issued"),
            table.value(row, "repealed"),
        )
        now = table.value(row, "in_force")
        expected = last + issued - repealed
        if abs(now - expected) > tolerance:
            yield Violation(
                evidence=(
                    f"{last_year}年 {format_number(last)} + 本年制发 {format_number(issued)} − "
                    f"本年废止 {format_number(repealed)} = {format_number(expected)}，"
                    f"本年现行有效 {format_number(now)}"
                ),
                section="二",
                table="T2",
                row=row_label(table, row),
                column="现行有效件数",
                cells=(("T2", row, "issued"), ("T2", row, "repealed"), ("T2", row, "in_force")),
                values={"previous_year": last_year},
                key=row,
            )
