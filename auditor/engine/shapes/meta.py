"""Shapes about the report as a whole: the publication deadline, what extraction reported, and the
list of checks that could not be made."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from auditor.engine.api import TABLE_SECTION, Context, NotEvaluated, Outcome, Violation
from auditor.engine.shapes.base import CompiledShape, Params
from auditor.level import LEVELS
from auditor.model import Table
from auditor.templates import TABLE_NAMES

_MONTH_DAY = re.compile(r"^(\d{1,2})-(\d{1,2})$")
LEVEL_NAMES = {"government": "本级人民政府", "department": "政府部门", "township": "街道、乡镇"}


def _month_day(text: str, what: str) -> tuple[int, int]:
    match = _MONTH_DAY.match(text.strip())
    if not match:
        raise ValueError(f"{what}: deadline must be MM-DD, not '{text}'")
    month, day = int(match[1]), int(match[2])
    date(2001, month, day)  # raises ValueError for 02-30 and the like
    return month, day


def deadline(params: Params) -> CompiledShape:
    """The report of year Y is published by Y+1-MM-DD, the day given per level (null: no deadline).

    The rule requires the year (``requires: [year]``); an unknown publication date is reported by the
    check (a body without a deadline needs none).  For crawled sites the portal checks own PUB-001
    (they know each site's own deadline)."""
    days: dict[str, tuple[int, int] | None] = {}
    for level in LEVELS:
        text = params.get(level, (str, type(None)), None)
        days[level] = _month_day(text, level) if text else None

    def check(ctx: Context) -> Iterator[Outcome]:
        doc = ctx.doc
        month_day = days[ctx.level]
        if month_day is None:
            return
        if doc.published is None:
            yield NotEvaluated("发布日期未知")
            return
        if doc.year is None:  # the rule requires the year: the engine runs the check only with it
            return
        due = date(doc.year + 1, *month_day)
        if doc.published > due:
            source = f"（依据：{doc.published_source}）" if doc.published_source else ""
            yield Violation(
                evidence=f"发布日期 {doc.published.isoformat()}{source}，期限 {due.isoformat()}",
                values={
                    "published": doc.published.isoformat(),
                    "deadline": due.isoformat(),
                    "days": (doc.published - due).days,
                    "level": LEVEL_NAMES[ctx.level],
                },
            )

    return CompiledShape(check, needs=("year",))


def _flagged(table: Table, flag: str) -> bool:
    if flag == "image_only":
        return table.image_only
    return flag == "unreadable" and not table.readable and not table.image_only


def _describe(table: Table) -> str:
    name = TABLE_NAMES[table.kind]
    if table.image_only:
        return f"{name}只有图片，无法机读"
    return f"{name}的结构无法完整读取，无法核验其数据：{'；'.join(table.problems) or '行、列或标签缺失'}"


def extraction_issue(params: Params) -> CompiledShape:
    """What extraction reported with this ``code`` (Document.issues), and the tables whose ``flag``
    (unreadable, image_only) says the same without an issue."""
    code = params.get("code", str)
    flag = params.one_of("flag", ("unreadable", "image_only", "none"), "none")

    def check(ctx: Context) -> Iterator[Outcome]:
        reported: set[str | None] = set()
        for issue in ctx.doc.issues:
            if issue.code != code:
                continue
            reported.add(issue.table)
            yield Violation(
                evidence=issue.evidence or issue.message,
                section=issue.section or TABLE_SECTION.get(issue.table or ""),
                table=issue.table,
                values={"detail": issue.message},
                key=issue.message,
            )
        for table in ctx.doc.tables:
            if table.kind not in reported and _flagged(table, flag):
                detail = _describe(table)
                yield Violation(
                    evidence=detail,
                    section=table.section or TABLE_SECTION[table.kind],
                    table=table.kind,
                    values={"detail": detail},
                    key=table.kind,
                )

    return CompiledShape(check)


def unreadable(params: Params) -> CompiledShape:
    """A document that could not be read at all (not a report, broken, over its budget): the engine
    matches the rule to the fact "unreadable, reason" it declares for such a document, and the rule's
    finding gives the reason as ``{detail}`` and the evidence.  On a document that was read the check
    has nothing to say."""

    def check(ctx: Context) -> Iterator[Outcome]:
        return iter(())

    return CompiledShape(check)


def not_evaluated(params: Params) -> CompiledShape:
    """The checks of the other rules that could not be made and that no finding explains: the engine
    gathers them after all other rules (it needs their findings) into this rule's one finding,
    ``{evidence}`` listing each rule with its reasons; the check itself is empty."""

    def check(ctx: Context) -> Iterator[Outcome]:
        return iter(())

    return CompiledShape(check)
