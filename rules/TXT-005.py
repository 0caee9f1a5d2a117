"""TXT-005: a stated percentage of a result ("予以公开10件，占83.3%") against count ÷ （七）总计."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from auditor.engine.api import Context, NotEvaluated, Outcome, Violation, format_number, quote
from auditor.schemas import arithmetic_value


def _tolerance(stated: str) -> Decimal:
    """One unit in the last written place: 83.3% may be 83.33… rounded or cut."""
    decimals = len(stated.partition(".")[2])
    return Decimal(1).scaleb(-decimals)


def check(ctx: Context, params: Mapping[str, Any]) -> Iterator[Outcome]:
    pattern = re.compile(params["pattern"])
    found = [(key, match) for key, text in ctx.section_texts() for match in pattern.finditer(text)]
    if not found:
        return
    table = ctx.table("T3")
    if isinstance(table, NotEvaluated):
        yield table
        return
    total = arithmetic_value(table, "total", "total")  # a blank 总计 counts as the sum of its row
    if total == 0:
        return
    for key, match in found:
        share = Decimal(match["n"]) * 100 / total
        stated = Decimal(match["p"])
        if abs(share - stated) > _tolerance(match["p"]):
            yield Violation(
                evidence=(
                    f"文中{quote(match[0], 50)}，"
                    f"按表三（七）总计{format_number(total)}件算为{share:.1f}%"
                ),
                section=key,
                table="T3",
                row="（七）总计",
                column="总计",
                cells=(("T3", "total", "total"),),
                key=f"{key}:{match.start()}",
            )
