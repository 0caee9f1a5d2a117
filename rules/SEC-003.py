"""SEC-003: section headings in the template's wording and numbering."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from auditor.engine.api import Context, Outcome, Violation
from auditor.templates import SECTION_HEADINGS, SECTION_HEADINGS_2019


def check(ctx: Context, params: Mapping[str, Any]) -> Iterator[Outcome]:
    wordings = (
        SECTION_HEADINGS_2019 if ctx.doc.year is not None and ctx.doc.year <= 2020 else SECTION_HEADINGS
    )
    for section in ctx.doc.sections:
        if section.similarity >= 1.0 and section.numbering_ok:
            continue
        template = f"{section.key}、{wordings[section.key]}"
        if not section.heading:
            # The content is there (recognised by its sub-headings) but its heading is not written.
            first = section.text.strip().splitlines()[0][:30] if section.text.strip() else ""
            deviation = f"缺失（该部分内容从“{first}”开始），格式为“{template}”"
            evidence = f"无标题；内容从“{first}”开始"
        else:
            deviation = f"写作“{section.heading}”，格式为“{template}”"
            evidence = f"“{section.heading}”，格式为“{template}”"
        yield Violation(evidence=evidence, section=section.key, values={"deviation": deviation})
