"""VAL-005: a fee amount that looks written in 元 where the template asks for 万元."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from auditor.engine.api import Context, NotEvaluated, Outcome, Violation, cell_text, col_label, row_label

_YUAN = re.compile(r"(?<!万)元")


def check(ctx: Context, params: Mapping[str, Any]) -> Iterator[Outcome]:
    table = ctx.table("T2")
    if isinstance(table, NotEvaluated):
        yield table
        return
    limit = Decimal(str(params.get("max_wan", 50000)))
    for row, col in params.get("cells", []):
        cell = table.cell(row, col)
        if cell is None:
            continue
        in_yuan = cell.unit == "元" or bool(_YUAN.search(cell.raw))
        if in_yuan or (cell.value is not None and cell.value > limit):
            reason = "单元格注明“元”" if in_yuan else f"超过{limit}万元"
            yield Violation(
                evidence=f"填写为{cell_text(cell)}，{reason}",
                section="二",
                table="T2",
                row=row_label(table, row),
                column=col_label(table, col),
                cells=(("T2", row, col),),
            )
