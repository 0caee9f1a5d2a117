"""SEC-002: each section once, in the template's order."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from auditor.engine.api import Context, Outcome, Violation, heading_as_written
from auditor.model import SECTION_KEYS


def check(ctx: Context, params: Mapping[str, Any]) -> Iterator[Outcome]:
    doc = ctx.doc
    for heading in doc.extra_headings:
        yield Violation(evidence=f"重复或多余的标题“{heading}”", key=heading)
    found = sorted(doc.sections, key=lambda s: s.order)
    keys = [s.key for s in found]
    if keys != sorted(keys, key=SECTION_KEYS.index):
        yield Violation(
            evidence="实际顺序：" + "、".join(heading_as_written(s) for s in found), section=None, key="order"
        )
