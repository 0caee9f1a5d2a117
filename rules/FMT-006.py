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
from auditor.templates import TableSpec

_BRACKETED = re.compile(r"[（(][^（）()]*[）)]")
_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|\d+[.、．]?)")
_NOT_WORDS = re.compile(r"[\s\W_]+")


@lru_cache(maxsize=4096)
def normalise(label: str) -> str:
    """A label reduced to its words: no brackets' content, numbering, punctuation or spaces."""
    text = label
    while _BRACKETED.search(text):
        text = _BRACKETED.sub("", text)
    text = _NUMBERING.sub("", "".join(text.split()))  # before punctuation goes: "一、" is numbering
    return _NUMBERING.sub("", _NOT_WORDS.sub("", text.replace("·", " ")))


@lru_cache(maxsize=256)
def _wordings(label: str) -> frozenset[str]:
    """The template's wording of a label.  T4's row labels join the printed header levels with "·";
    each level alone is also right."""
    return frozenset({normalise(label), *(normalise(part) for part in label.split("·"))})


@lru_cache(maxsize=8192)
def _conforms(written: str, template: str, block: str | None, axis: str) -> bool:
    """Whether a written label is the template's wording.  A label that was lost (blank) or that a
    conversion broke along the template's own line breaks is not a deviation of wording (FMT-005
    speaks of labels that could not be read): a column header printed on two lines ("结果/维持",
    "商业/企业") keeps one of its lines; a long row label wrapped in its cell keeps a piece of it."""
    words = normalise(written)
    wordings = _wordings(template)
    if block and words.startswith(normalise(block)):
        # A T3 sub-row written with its merged block cell in front ("（三）不予公开1.属于国家秘密"),
        # as the template prints them side by side: the wording is the sub-row's after the block.
        words = _NUMBERING.sub("", words[len(normalise(block)) :]) or words
    if words in wordings or not words:
        return True
    if axis == "column":
        return len(words) >= 2 and any(w.startswith(words) or w.endswith(words) for w in wordings)
    return len(words) >= 4 and any(len(w) >= 12 and words in w for w in wordings)


_Template = dict[str, tuple[str, str, str | None]]
"""Row or column id -> (the template's wording, as shown, the block of a T3 sub-row)."""
_TEMPLATES: dict[int, tuple[TableSpec, _Template, _Template]] = {}
"""The wordings of a template version, read once (a spec is a module constant; it is kept in the value
so that its id stays its own)."""


def _templates(spec: TableSpec) -> tuple[_Template, _Template]:
    known = _TEMPLATES.get(id(spec))
    if known is None:
        rows = {r.id: (spec.row(r.id).label, spec.row(r.id).display, spec.row(r.id).block) for r in spec.rows}
        cols = {c.id: (spec.col(c.id).label, spec.col(c.id).label, None) for c in spec.columns}
        known = _TEMPLATES[id(spec)] = (spec, rows, cols)
    return known[1], known[2]


_Label = tuple[str, str, str, str, str, str | None]
"""(行 or 列, axis, the label as written, the template's wording, as shown, the block of a sub-row)."""
_VERDICTS: dict[tuple[int, tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]], list[_Label]] = {}
"""The deviating labels of a table, by its template version and labels as written: reports written from
the same template file repeat them, and a table's labels are read once for all of them."""
_VERDICTS_KEPT = 1024


def _deviating(spec: TableSpec, table: Table) -> list[_Label]:
    key = (id(spec), tuple(table.row_labels.items()), tuple(table.col_labels.items()))
    found = _VERDICTS.get(key)
    if found is None:
        rows, cols = _templates(spec)  # keeps the spec, and so its id, alive
        labels: list[_Label] = [("行", "row", written, *rows[i]) for i, written in key[1]]
        labels += [("列", "column", written, *cols[i]) for i, written in key[2]]
        found = [label for label in labels if not _conforms(label[2], label[3], label[5], label[1])]
        if len(_VERDICTS) >= _VERDICTS_KEPT:
            _VERDICTS.clear()
        _VERDICTS[key] = found
    return found


def _deviations(table: Table) -> Iterator[Violation]:
    for what, axis, written, template, shown, _ in _deviating(table_spec(table), table):
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
