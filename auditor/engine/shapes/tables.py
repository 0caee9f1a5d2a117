"""Shapes about the tables: an identity between cells, a test on every cell, the template version.

Identities and value tests run in pandera (batched over all documents of an audit); the checks here
turn pandera's failures into violations with the template's row and column wording and the arithmetic.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

from auditor.engine.api import (
    TABLE_SECTION,
    Context,
    NotEvaluated,
    Outcome,
    Violation,
    cell_text,
    col_label,
    row_label,
    short_row,
    table_spec,
    term_text,
)
from auditor.engine.shapes.base import TABLE_KINDS, CompiledShape, Params
from auditor.model import Table
from auditor.schemas import VALUE_TESTS, Failure, Identity, ValueTest, arithmetic_value
from auditor.templates import SPECS, TABLE_NAMES

_SHOWN_TERMS = 4
"""Identities with more terms than this show only the non-zero ones in their evidence."""


def _known_ids(kind: str, per: str) -> set[str]:
    specs = [spec for (k, _), spec in SPECS.items() if k == kind]
    if per == "column":
        return {r.id for spec in specs for r in spec.rows}
    return {c.id for spec in specs for c in spec.columns}


def _not_run_on_batch(ctx: Context, kind: str, check: str) -> NotEvaluated | None:
    """Why the pandera check of ``kind`` gave nothing for this document: it could not run on the batch."""
    if ctx.broken_checks and (check, kind) in ctx.broken_checks:  # most batches have none
        return NotEvaluated(f"{TABLE_NAMES[kind]}的核验未能运行", table=kind, section=TABLE_SECTION[kind])
    return None


def _term(table: Table, name: str, row: str, col: str) -> tuple[str, Decimal]:
    return f"{name} {term_text(table, row, col)}", arithmetic_value(table, row, col)


def _side(terms: list[tuple[str, Decimal]]) -> str:
    if len(terms) <= _SHOWN_TERMS:
        return " + ".join(text for text, _ in terms)
    shown = [text for text, value in terms if value != 0]
    if len(shown) < len(terms):
        shown.append("其余各项 0")
    return " + ".join(shown)


_NOTE = re.compile(r"(?<=\S)[（(][^（）()]*[）)]$")
_TOP_NUMBER = re.compile(r"[一二三四五六七八九十]+")


def _row_name(table: Table, row: str) -> str:
    """A row named as an officer reads it in arithmetic: "第一项" (a numeral alone reads as a minus
    sign), "（七）总计", "（二）部分公开", "（三）不予公开第1项"."""
    number = short_row(table, row)
    spec = table_spec(table).row(row)
    if spec.block:
        return f"{_NOTE.sub('', spec.block)}第{spec.number}项"
    if _TOP_NUMBER.fullmatch(number):
        return f"第{number}项"
    return _NOTE.sub("", spec.label)


def _identity_violation(table: Table, identity: Identity, where: str) -> Violation:
    """The failure of an identity in one column (per="column") or one row (per="row"), with its
    arithmetic written out: "第一项 0 + 第二项 0 ≠ （七）总计 2 + 第四项 0"."""
    if identity.per == "column":
        cells = [(r, where) for r in identity.left + identity.right]
        names = [_row_name(table, r) for r, _ in cells]
        row, col = identity.anchor, where
    else:
        cells = [(where, c) for c in identity.left + identity.right]
        names = [col_label(table, c) for _, c in cells]
        row, col = where, identity.anchor
    terms = [_term(table, name, r, c) for name, (r, c) in zip(names, cells, strict=True)]
    left, right = terms[: len(identity.left)], terms[len(identity.left) :]
    return Violation(
        evidence=f"{_side(left)} ≠ {_side(right)}",
        section=TABLE_SECTION[table.kind],
        table=table.kind,
        row=row_label(table, row),
        column=col_label(table, col),
        cells=tuple((table.kind, r, c) for r, c in cells),
        key=where,
    )


def identity(params: Params) -> CompiledShape:
    """left = right, summed over rows in each column (``per: column``) or over columns in each row.

    Row or column ids that a template version lacks are left out for that version, so one rule can
    name （六） (2019) and （六）1–3 (2021).  The rule requires the table readable (``requires: [T3
    readable]``).  Blanks and placeholders count as 0, except a blank 总计
    of a row whose parts hold numbers, which counts as their sum (see ``derived_total``): an identity
    never fails on a total that was left blank (VAL-003 reports the blank).
    """
    kind = params.one_of("table", TABLE_KINDS)
    per = params.one_of("per", ("row", "column"))
    left, right = params.strings("left"), params.strings("right")
    unknown = sorted(set(left + right) - _known_ids(kind, per))
    if unknown:
        raise ValueError(
            f"unknown {'row' if per == 'column' else 'column'} id(s) of {kind}: {', '.join(unknown)}"
        )
    rule = Identity(params.rule_id, kind, per, left, right)  # type: ignore[arg-type]

    def check(ctx: Context) -> Iterator[Outcome]:
        table = ctx.required_table(kind)
        broken = _not_run_on_batch(ctx, kind, rule.name)
        if broken is not None:
            yield broken
            return
        failures = ctx.failures.get((rule.name, kind))
        if not failures:
            return  # pandera found the identity holds: nothing to write out
        restricted = rule.for_spec(table_spec(table))  # remembered per identity and template version
        if restricted is None:
            return
        places = (f.column if per == "column" else f.row for f in failures)
        for where in dict.fromkeys(p for p in places if p):
            yield _identity_violation(table, restricted, where)

    return CompiledShape(check, (rule,), needs=(f"{kind} readable",))


def _value_violation(table: Table, row: str, failures: list[Failure]) -> Violation:
    failing = {f.column for f in failures}
    cols = [c for c in table_spec(table).columns_of(row) if c in failing]
    parts = [f"{col_label(table, c)} {cell_text(table.cell(row, c))}" for c in cols]
    return Violation(
        evidence=f"{row_label(table, row)}：{'，'.join(parts)}",
        section=TABLE_SECTION[table.kind],
        table=table.kind,
        row=row_label(table, row),
        column="、".join(col_label(table, c) for c in cols),
        cells=tuple((table.kind, row, c) for c in cols),
        key=row,
    )


def value(params: Params) -> CompiledShape:
    """Every required cell of ``tables`` passes ``test``: text (no text where a number belongs),
    blank (no blank or missing cell), negative (no negative value outside signed columns),
    non_integer (no fraction outside amount columns).  One violation per row, naming its cells.
    Each table is a part of its own (``requires_each: [T2 readable, …]``): an unreadable one is listed
    as not checked, the others are checked."""
    kinds = params.strings("tables")
    if not set(kinds) <= set(TABLE_KINDS):
        raise ValueError(f"shape parameter 'tables' must name tables among {', '.join(TABLE_KINDS)}")
    rule = ValueTest(params.rule_id, kinds, params.one_of("test", VALUE_TESTS))  # type: ignore[arg-type]

    def check(ctx: Context) -> Iterator[Outcome]:
        for kind in kinds:
            table = ctx.table(kind)
            if not isinstance(table, Table):
                continue  # requires_each: the engine lists this table as not checked
            broken = _not_run_on_batch(ctx, kind, rule.name)
            if broken is not None:
                yield broken
                continue
            by_row: dict[str, list[Failure]] = {}
            for failure in ctx.failures.get((rule.name, kind), []):
                if failure.row:
                    by_row.setdefault(failure.row, []).append(failure)
            for row, failures in by_row.items():
                yield _value_violation(table, row, failures)

    return CompiledShape(check, (rule,), needs_each=tuple(f"{kind} readable" for kind in kinds))


def _version_marker(table: Table) -> str:
    """What shows a table's version: T2's column headers, T3's （六） row(s)."""
    spec = table_spec(table)
    if table.kind == "T2":
        return "栏目：" + "、".join(
            re.sub(r"\s+", "", table.col_labels.get(c.id, c.label)) for c in spec.columns[:3]
        )
    rows = [r for r in spec.rows if r.id.startswith("other")]
    labels = [table.row_labels.get(r.id, r.display) for r in rows]
    if len(rows) == 1:
        return f"“{labels[0]}”一行，无细分项"
    return f"（六）其他处理分为{len(rows)}项：" + "、".join(labels)


def template_version(params: Params) -> CompiledShape:
    """Every table of ``tables`` is in the ``expected`` template version (2019 or 2021).

    Every occurrence counts, including a second copy of a table in the other format."""
    expected = params.one_of("expected", ("2019", "2021"))
    kinds = params.strings("tables", ["T2", "T3"])

    def check(ctx: Context) -> Iterator[Outcome]:
        for table in ctx.doc.tables:
            if table.kind in kinds and table.template not in (expected, "unknown"):
                yield Violation(
                    evidence=_version_marker(table),
                    section=TABLE_SECTION[table.kind],
                    table=table.kind,
                    values={"found": table.template, "expected": expected, "name": TABLE_NAMES[table.kind]},
                    key=table.template,
                )

    return CompiledShape(check)
