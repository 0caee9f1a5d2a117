"""FMT-004: sections 二, 三 and 四 each carry their table."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from auditor.engine.api import Context, Outcome, Violation, heading_as_written
from auditor.engine.shapes.base import quote_start
from auditor.templates import SECTION_TABLE


def check(ctx: Context, params: Mapping[str, Any]) -> Iterator[Outcome]:
    for key, kind in SECTION_TABLE.items():
        section = ctx.section(key)
        if section is not None and not ctx.doc.tables_of(kind):
            text = f"，正文为{quote_start(section.text)}" if section.text.strip() else "，也没有正文"
            yield Violation(
                evidence=f"“{heading_as_written(section)}”下没有表格{text}", section=key, table=kind
            )
