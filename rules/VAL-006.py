"""VAL-006: 规章 reported by a body of a 区/县 or below (only provinces and 设区的市 make 规章)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from auditor.engine.api import Context, NotEvaluated, Outcome, Violation, cell_text, table_spec
from auditor.level import body_name


class PARAMS(BaseModel):
    """The parameters of VAL-006 (checked when the rule is loaded)."""

    model_config = ConfigDict(extra="forbid")
    county_or_below: str = Field(default="区|县", description="名称含这些字的机关属区县及以下（正则）")
    not_county: str = Field(default="自治区|地区", description="判断前先从名称中删去的字（正则）")


def check(ctx: Context, params: Mapping[str, Any]) -> Iterator[Outcome]:
    name = body_name(ctx.doc.title, ctx.doc.agency)
    plain = re.sub(params.get("not_county", "自治区|地区"), "", name)
    if ctx.level != "township" and not re.search(params.get("county_or_below", "区|县"), plain):
        return
    table = ctx.table("T2")
    if isinstance(table, NotEvaluated):
        yield table
        return
    spec = table_spec(table)
    cols = [c for c in spec.columns_of("rules") if table.value("rules", c) != 0]
    if cols:
        parts = "，".join(f"{spec.col(c).label} {cell_text(table.cell('rules', c))}" for c in cols)
        yield Violation(
            evidence=f"{name or '该机关'}的表二“规章”行：{parts}",
            section="二",
            table="T2",
            row="规章",
            column="、".join(spec.col(c).label for c in cols),
            cells=tuple(("T2", "rules", c) for c in cols),
        )
