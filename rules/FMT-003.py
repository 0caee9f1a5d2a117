"""FMT-003: a table kind that appears more than once (often both template versions)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from auditor.engine.api import TABLE_SECTION, Context, Outcome, Violation
from auditor.templates import TABLE_NAMES

_VERSION_NAMES = {"2021": "2021年版", "2019": "2019年版", "unknown": "版本不明"}


def check(ctx: Context, params: Mapping[str, Any]) -> Iterator[Outcome]:
    for kind, name in TABLE_NAMES.items():
        tables = ctx.doc.tables_of(kind)
        if len(tables) > 1:
            versions = "、".join(_VERSION_NAMES[t.template] for t in tables)
            yield Violation(
                evidence=f"依次为{versions}",
                section=TABLE_SECTION[kind],
                table=kind,
                values={"name": name, "count": len(tables)},
            )
