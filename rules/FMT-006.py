"""FMT-006: row and column labels in the template's wording.

Labels are compared after normalisation: whitespace, punctuation, numbering ("（一）", "1.") and
notes in brackets ("（单位：万元，保留4位小数）") do not count as a deviation; other wording does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any

from auditor.engine.api import TABLE_SECTION, Context, Outcome, Violation, table_spec
from auditor.model import Table

_BRACKETED = re.compile(r"[（(][^（）()]*[）)]")
_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+、|\d+[.、．]?)")
_NOT_WORDS = re.compile(r"[\s\W_]+")


@lru_cache(maxsize=4096)
def normalise(label: str) -> str:
    """A label reduced to its words: no brackets' content, numbering, punctuation or spaces."""
    text = label
    while _BRACKETED.search(text):
        text = _BRACKETED.sub("", text)
    text = _NOT_WORDS.sub("", text.replace("·", " "))
    return _NUMBERING.sub("", text)


@lru_cache(maxsize=256)
def _wordings(label: str) -> frozenset[str]:
    """T4's row labels join the printed header levels with "·"; each level alone is also right."""
    return frozenset({normalise(label), *(normalise(part) for part in label.split("·"))})


def _deviations(table: Table) -> Iterator[Violation]:
    spec = table_spec(table)
    labels = [
        ("行", "row", written, spec.row(i).label, spec.row(i).display)
        for i, written in table.row_labels.items()
    ]
    labels += [
        ("列", "column", written, spec.col(i).label, spec.col(i).label)
        for i, written in table.col_labels.items()
    ]
    for what, axis, written, template, shown in labels:
        if normalise(written) not in _wordings(template):
            yield Violation(
                evidence=f"“{written}”，格式为“{template}”",
                section=TABLE_SECTION[table.kind],
                table=table.kind,
                **{axis: shown},
                values={"what": f"{what}“{shown}”"},
                key=f"{axis}:{shown}",
            )


def check(ctx: Context, params: Mapping[str, Any]) -> Iterator[Outcome]:
    for table in ctx.doc.tables:
        if not table.image_only:
            yield from _deviations(table)
