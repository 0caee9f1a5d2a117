"""Shapes about the wording: the title, and claims in the narrative checked against table cells."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from auditor.engine.api import (
    Context,
    NotEvaluated,
    Outcome,
    Violation,
    col_label,
    format_number,
    row_label,
    short_row,
    table_spec,
)
from auditor.engine.shapes.base import TABLE_KINDS, CompiledShape, Params
from auditor.engine.shapes.scan import Scan
from auditor.model import Table
from auditor.schemas import arithmetic_value, derived_total
from auditor.templates import SPECS, TABLE_NAMES, TableSpec

_CLAUSE_END = "。；;！？\n"
_ZERO = Decimal(0)


def _compile(pattern: str, what: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"{what}: bad pattern: {exc}") from None


def title_pattern(params: Params) -> CompiledShape:
    """The title, with the ``remove`` pattern deleted, must match ``must_match``."""
    must = _compile(params.get("must_match", str), "must_match")
    remove = _compile(params.get("remove", str, ""), "remove")

    def check(ctx: Context) -> Iterator[Outcome]:
        title = (ctx.doc.title or "").strip()
        if not title:
            yield Violation(evidence="未识别到报告标题")
            return
        residue = remove.sub("", title) if remove.pattern else title
        if not must.search(residue):
            yield Violation(evidence=f"标题：“{title}”")

    return CompiledShape(check)


Term = tuple[str, str]
"""(row id, column id) of a table cell."""


@dataclass(frozen=True, slots=True)
class Claim:
    """A sentence pattern whose number (group ``n``, or the constant ``value``) must equal one of
    the sums ``equals``.  Terms a template version lacks count as 0 (one claim serves both versions)."""

    scan: Scan
    """The pattern, and how it is scanned fast (see :mod:`auditor.engine.shapes.scan`)."""
    equals: tuple[tuple[Term, ...], ...]
    value: Decimal | None

    @property
    def pattern(self) -> re.Pattern[str]:
        return self.scan.pattern


def _expression(text: str, kind: str) -> tuple[Term, ...]:
    """ "new.total + carried.total" -> (("new", "total"), ("carried", "total")), ids checked."""
    specs = [spec for (k, _), spec in SPECS.items() if k == kind]
    rows = {r.id for spec in specs for r in spec.rows}
    cols = {c.id for spec in specs for c in spec.columns}
    terms: list[Term] = []
    for part in text.split("+"):
        row, _, col = part.strip().partition(".")
        if row not in rows or col not in cols:
            raise ValueError(f"'{part.strip()}' is not row.column of {kind}")
        terms.append((row, col))
    return tuple(terms)


def _claim(raw: object, kind: str, index: int) -> Claim:
    if not isinstance(raw, dict) or "pattern" not in raw or "equals" not in raw:
        raise ValueError(f"claim {index + 1} needs 'pattern' and 'equals'")
    pattern = _compile(str(raw["pattern"]), f"claim {index + 1}")
    value = raw.get("value")
    if value is None and "n" not in pattern.groupindex:
        raise ValueError(f"claim {index + 1}: the pattern needs a group (?P<n>…) or the claim a 'value'")
    equals = raw["equals"] if isinstance(raw["equals"], list) else [raw["equals"]]
    return Claim(
        Scan.of(pattern),
        tuple(_expression(str(e), kind) for e in equals),
        Decimal(str(value)) if value is not None else None,
    )


def _clause(text: str, start: int, end: int) -> str:
    """The clause around a match, for quoting."""
    left = max((text.rfind(c, 0, start) for c in _CLAUSE_END), default=-1) + 1
    rights = [i for c in _CLAUSE_END if (i := text.find(c, end)) >= 0]
    right = min(rights) if rights else len(text)
    clause = re.sub(r"\s+", " ", text[left:right]).strip()
    return clause if len(clause) <= 80 else re.sub(r"\s+", " ", text[start:end]).strip()


def _sum(table: Table, terms: tuple[Term, ...]) -> Decimal:
    """The terms' sum for arithmetic (each term's :func:`arithmetic_value`, added in order).  Only a
    blank cell can stand for another value (a blank 总计, see ``derived_total``): a cell with text is its
    number, a missing one 0, and ``arithmetic_value`` is asked about the blanks alone."""
    total = Decimal(0)
    cells = table.cells
    for term in terms:
        cell = cells.get(term)
        if cell is None:
            continue  # adding 0 to a sum begun at Decimal(0) changes neither its value nor its exponent
        if cell.kind == "blank":
            total += arithmetic_value(table, *term)
        else:
            value = cell.value  # Cell.number, without a property call per term
            total += value if value is not None else _ZERO
    return total


def _table_says(table: Table, terms: tuple[Term, ...], total: Decimal) -> tuple[str, str]:
    """What the table gives for a claim, in words — "为 275", or "相应栏目均为空" (a blank is never
    called 0 件) — and, for the evidence, which blank 总计 were read as the sum of their row."""
    derived = [(r, c) for r, c in terms if derived_total(table, r, c) is not None]
    cells = [table.cell(r, c) for r, c in terms]
    if not derived and all(c is None or c.kind == "blank" for c in cells):
        return "相应栏目均为空", ""
    names = "、".join(f"{short_row(table, r)}·{col_label(table, c)}" for r, c in derived)
    note = f"（其中{names}为空，按该行各栏之和计）" if derived else ""
    return f"为 {format_number(total)}", note


def _describe(table: Table, terms: tuple[Term, ...]) -> str:
    """ "一·总计", or "（三）第1项·总计 + …" for a sum."""
    return " + ".join(f"{short_row(table, r)}·{col_label(table, c)}" for r, c in terms)


@dataclass(frozen=True, slots=True)
class _Fit:
    """What a claim is compared with in a table of one template version."""

    usable: tuple[tuple[Term, ...], ...]
    """The sums of ``equals`` with at least one cell in this version."""
    present: tuple[Term, ...]
    """Their terms this version has, in order: a cell among them that was not read stops the claim."""
    shown: tuple[Term, ...]
    """The first usable sum's terms this version has: the sum the evidence writes out."""
    needed: frozenset[Term] = frozenset()
    """``present`` as a set: a table that has them all is told at once (the common case)."""


def _fit(claim: Claim, spec: TableSpec) -> _Fit:
    cells = spec.required_cell_set()
    usable = tuple(terms for terms in claim.equals if any(t in cells for t in terms))
    present = tuple(t for terms in usable for t in terms if t in cells)
    return _Fit(
        usable,
        present,
        tuple(t for t in usable[0] if t in cells) if usable else (),
        frozenset(present),
    )


def text_against_table(params: Params) -> CompiledShape:
    """Numbers stated in the narrative must equal the table: each claim's pattern is searched in
    every section's text; its number must equal one of the sums in ``equals`` ("row.col + row.col")."""
    kind = params.one_of("table", TABLE_KINDS)
    raw_claims = params.get("claims", list)
    if not raw_claims:
        raise ValueError("shape parameter 'claims' is empty")
    claims = [_claim(raw, kind, i) for i, raw in enumerate(raw_claims)]
    # The claims' fit to a template version, made once per version (a spec is a module constant; it is
    # kept in the value so that its id stays its own).
    fits: dict[int, tuple[TableSpec, list[_Fit]]] = {}

    def fits_of(spec: TableSpec) -> list[_Fit]:
        known = fits.get(id(spec))
        if known is None:
            known = fits[id(spec)] = (spec, [_fit(claim, spec) for claim in claims])
        return known[1]

    gated = [(i, *_first_and_others(claim.scan.words), claim.scan) for i, claim in enumerate(claims)]

    def check(ctx: Context) -> Iterator[Outcome]:
        found = _found(gated, ctx.section_texts())
        if not found:
            return
        table = ctx.table(kind)
        if isinstance(table, NotEvaluated):
            yield table
            return
        yield from _judge(claims, fits_of(table_spec(table)), table, found)

    return CompiledShape(check)


Found = tuple[int, str, str, re.Match[str]]
"""A claim found in the text: (claim position, section key, the section's text, the match)."""
Gated = tuple[int, str | None, tuple[str, ...], Scan]
"""A claim's position, the first of the words one of which its every match contains (None: no such
words), the others, and its scan."""


def _first_and_others(words: tuple[str, ...]) -> tuple[str | None, tuple[str, ...]]:
    return (words[0], words[1:]) if words else (None, ())


def _found(gated: list[Gated], texts: list[tuple[str, str]]) -> list[Found]:
    """Every claim's matches in every section's text, in section then claim order.  A claim whose
    words a text lacks has no match in it (:attr:`Scan.words`): the words are tested here, inline —
    most sections hold the words of few claims, and a call per claim and section costs more than the
    test."""
    found: list[Found] = []
    for key, text in texts:
        if not text:
            continue
        for i, word, others, scan in gated:
            if word is not None and word not in text and not (others and any(w in text for w in others)):
                continue
            for match in scan.scan(text):
                found.append((i, key, text, match))
    return found


def _stated_total(
    sums: dict[int, Decimal], usable: tuple[tuple[Term, ...], ...], table: Table, stated: Decimal
) -> Decimal | None:
    """None when ``stated`` equals one of the sums ``usable`` (made in order, until one does), else the
    first sum.  ``sums`` keeps each sum made for the table, by the identity of its terms (the claim's own
    tuple: hashing a tuple of terms costs more than adding a few cells)."""
    first: Decimal | None = None
    for terms in usable:
        total = sums.get(id(terms))
        if total is None:
            total = sums[id(terms)] = _sum(table, terms)
        if total is stated or total == stated:
            return None
        if first is None:
            first = total
    return first


def _judge(claims: list[Claim], fits: list[_Fit], table: Table, found: list[Found]) -> Iterator[Outcome]:
    """The claims found in one document's text against its table."""
    kind = table.kind
    cells = table.cells
    sums: dict[int, Decimal] = {}  # a sum is made once per table, however often it is claimed
    for i, key, text, match in found:
        fit = fits[i]
        if not fit.usable:
            yield NotEvaluated(
                f"{TABLE_NAMES[kind]}为{table.template}年格式，没有与“{match[0]}”对应的栏目", kind
            )
            continue
        if not cells.keys() >= fit.needed:
            unread = next(t for t in fit.present if cells.get(t) is None)
            # A cell that was not read is not 0: the claim cannot be compared with it.
            yield NotEvaluated(f"{TABLE_NAMES[kind]}的“{_describe(table, (unread,))}”未能读取", kind)
            continue
        claim = claims[i]
        stated = claim.value if claim.value is not None else Decimal(match.group("n"))
        actual = _stated_total(sums, fit.usable, table, stated)
        if actual is None:
            continue
        yield _contradiction(table, fit.shown, actual, (key, text, match), stated)


def _contradiction(
    table: Table,
    terms: tuple[Term, ...],
    actual: Decimal,
    where: tuple[str, str, re.Match[str]],
    stated: Decimal,
) -> Violation:
    """The violation of a claim whose number ``stated`` is not the table's: ``actual``, the sum of
    ``terms`` (the first usable sum)."""
    key, text, match = where
    kind = table.kind
    row, col = terms[0]
    says, note = _table_says(table, terms, actual)
    return Violation(
        evidence=(
            f"文中“{_clause(text, match.start(), match.end())}”，"
            f"{TABLE_NAMES[kind]} {_describe(table, terms)} {says}{note}"
        ),
        section=key,
        table=kind,
        row=row_label(table, row),
        column=col_label(table, col),
        cells=tuple((kind, r, c) for r, c in terms),
        values={
            "stated": format_number(stated),
            "actual": format_number(actual),
            "table_says": says,
        },
        key=f"{key}:{match.start()}",
    )
