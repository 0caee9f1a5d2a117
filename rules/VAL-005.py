"""VAL-005: a fee amount that looks written in 元 where the template asks for 万元.

What is plausible depends on who reports: a city government's 行政事业性收费 of 96,171.6 万元 is real,
the same figure from a district office is not.  The cell's own text decides first: "251000元" is
written in 元 (the classic defect), "96171.6万元" says its unit and is taken at its word; a bare
number is compared with the ceiling for the body's tier and level.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from auditor.engine.api import Context, Outcome, Violation, cell_text, col_label, row_label
from auditor.level import tier_of

REQUIRES = ("T2 readable",)
"""The engine runs the check only when this holds (declared in the rule file's ``requires``)."""

_YUAN = re.compile(r"(?<!万)元")
_WAN = re.compile(r"万元|万")
_TIER_NAMES = {
    "province": "省级",
    "city": "市级",
    "county": "县级",
    "township": "乡镇（街道）",
    "unknown": "",
}
_LEVEL_NAMES = {"government": "人民政府", "department": "部门", "township": ""}


def _ceiling(params: Mapping[str, Any], tier: str, level: str) -> Decimal:
    """The largest plausible amount in 万元 for a body of this tier and level."""
    table = params.get("max_wan", {})
    by_tier = table.get(tier, table.get("unknown", 1000000))
    value = by_tier.get(level, by_tier.get("department")) if isinstance(by_tier, dict) else by_tier
    return Decimal(str(value))


def check(ctx: Context, params: Mapping[str, Any]) -> Iterator[Outcome]:
    table = ctx.required_table("T2")
    tier = tier_of(ctx.doc.title, ctx.doc.agency, ctx.level)
    limit = _ceiling(params, tier, ctx.level)
    for row, col in params.get("cells", []):
        cell = table.cell(row, col)
        if cell is None or cell.kind != "number":
            continue  # a blank or unread cell says nothing of its unit (VAL-001/VAL-003 speak of it)
        header = table.col_labels.get(col, "")
        in_yuan = cell.unit == "元" or bool(_YUAN.search(cell.raw))
        header_yuan = bool(_YUAN.search(header)) and not _WAN.search(header)
        says_wan = cell.unit == "万元" or bool(_WAN.search(cell.raw))
        if in_yuan:
            reason = "单元格注明“元”"
        elif header_yuan and not says_wan:
            reason = f"栏目写作“{header}”，按元填报"
        elif not says_wan and cell.value is not None and cell.value > limit:
            body = f"{_TIER_NAMES[tier]}{_LEVEL_NAMES.get(ctx.level, '')}" or "该机关"
            reason = f"超过{body}收费金额的合理上限 {limit} 万元，疑似按元填写"
        else:
            continue
        yield Violation(
            evidence=f"填写为{cell_text(cell)}，{reason}",
            section="二",
            table="T2",
            row=row_label(table, row),
            column=col_label(table, col),
            cells=(("T2", row, col),),
        )
