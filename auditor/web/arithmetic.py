"""The arithmetic of a stored table, shown beside its grid (DOMAIN.md §4).

This is an explanation for the reader, not a rule: it recomputes the template's identities from the
stored cells so a person can see which sums hold.  An identity whose cells are not all in the grid, or a
table whose structure could not be read, is shown as "cannot be verified" rather than as a result.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from auditor.engine.api import format_number
from auditor.templates import T3_APPLICANT_COLUMNS, T4_OUTCOMES, RowSpec, TableSpec, spec_for


@dataclass(frozen=True, slots=True)
class Side:
    """One side of an identity: its terms (name, value) and their sum, or the cells it lacks."""

    terms: tuple[tuple[str, str], ...]
    total: str | None
    missing: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Check:
    """One identity evaluated on the stored cells: ``left`` should equal ``right``."""

    name: str
    where: str
    left: Side
    right: Side
    ok: bool | None
    """True holds, False does not, None cannot be verified (cells missing)."""


@dataclass(frozen=True, slots=True)
class Arithmetic:
    """The checks of one table; ``note`` explains when nothing could be verified."""

    checks: tuple[Check, ...]
    note: str = ""

    @property
    def groups(self) -> list[tuple[str, list[Check]]]:
        """The checks grouped by identity, in order."""
        out: dict[str, list[Check]] = {}
        for c in self.checks:
            out.setdefault(c.name, []).append(c)
        return list(out.items())


def _values(table: Mapping[str, Any]) -> dict[tuple[str, str], Decimal]:
    out: dict[tuple[str, str], Decimal] = {}
    for row, cols in (table.get("cells") or {}).items():
        for col, cell in cols.items():
            value = cell.get("value")
            try:
                out[(row, col)] = Decimal(str(value)) if value is not None else Decimal(0)
            except InvalidOperation:
                out[(row, col)] = Decimal(0)
    return out


def term_name(row: RowSpec) -> str:
    """A T3 row as a term of a sum, worded so its number cannot run into the value beside it:
    "第一项", "（一）", "（四）第1项", "（七）总计" (never "（四）1" next to a 6, which reads as 16)."""
    number = row.number or row.label
    if row.block:
        return f"{row.block[:3]}第{number}项"
    if number.startswith("（"):
        return f"{number}总计" if row.id == "total" else number
    return f"第{number}项"


def _side(
    cells: Mapping[tuple[str, str], Decimal], terms: Sequence[tuple[str, str]], names: Sequence[str]
) -> tuple[Side, Decimal | None]:
    """The terms of one side (zero terms left out of long sums) and their total; None if a cell is missing."""
    missing = tuple(n for t, n in zip(terms, names, strict=True) if t not in cells)
    if missing:
        return Side((), None, missing), None
    total = sum((cells[t] for t in terms), Decimal(0))
    shown = [(n, cells[t]) for t, n in zip(terms, names, strict=True)]
    if len(shown) > 4:
        shown = [(n, v) for n, v in shown if v != 0]
    return Side(tuple((n, format_number(v)) for n, v in shown), format_number(total)), total


def _check(name: str, where: str, cells: Mapping[tuple[str, str], Decimal], left: Sequence[tuple[str, str]],
           left_names: Sequence[str], right: Sequence[tuple[str, str]], right_names: Sequence[str]) -> Check:
    left_side, left_value = _side(cells, left, left_names)
    right_side, right_value = _side(cells, right, right_names)
    ok = None if left_value is None or right_value is None else left_value == right_value
    return Check(name=name, where=where, left=left_side, right=right_side, ok=ok)


def table_arithmetic(table: Mapping[str, Any]) -> Arithmetic:
    """The template identities of a stored T3 or T4 (T2 has none within one report)."""
    kind = table.get("kind")
    if kind not in ("T3", "T4"):
        return Arithmetic(())
    spec = spec_for(str(kind), str(table.get("template", "unknown")))
    if table.get("image_only"):
        return Arithmetic((), "表格仅为图片，无法核算。")
    if not table.get("readable", True) or spec is None:
        return Arithmetic((), "表格结构无法读取（或格式无法识别），勾稽关系无法核算。")
    cells = _values(table)
    return Arithmetic(tuple(_t3(spec, cells) if kind == "T3" else _t4(spec, cells)))


def _t3(spec: TableSpec, cells: Mapping[tuple[str, str], Decimal]) -> list[Check]:
    checks = []
    results = [r for r in spec.rows if r.id not in ("new", "carried", "total", "carry_next")]
    new, carried, total, carry_next = (
        term_name(spec.row(r)) for r in ("new", "carried", "total", "carry_next"))
    for col in spec.columns:
        checks.append(_check(
            f"勾稽：{new} + {carried} = {total} + {carry_next}", col.label, cells,
            [("new", col.id), ("carried", col.id)], [new, carried],
            [("total", col.id), ("carry_next", col.id)], [total, carry_next],
        ))
    for col in spec.columns:
        checks.append(_check(
            "（七）总计 = 各办理结果之和", col.label, cells,
            [("total", col.id)], [total],
            [(r.id, col.id) for r in results], [term_name(r) for r in results],
        ))
    applicants = [spec.col(c) for c in T3_APPLICANT_COLUMNS]
    for row in spec.rows:
        checks.append(_check(
            "总计 = 各类申请人之和", row.display, cells,
            [(row.id, "total")], ["总计"],
            [(row.id, c.id) for c in applicants], [c.label for c in applicants],
        ))
    return checks


def _t4(spec: TableSpec, cells: Mapping[tuple[str, str], Decimal]) -> list[Check]:
    outcomes = [spec.col(c) for c in T4_OUTCOMES]
    return [
        _check(
            "总计 = 维持 + 纠正 + 其他 + 尚未审结", row.label, cells,
            [(row.id, "total")], ["总计"],
            [(row.id, c.id) for c in outcomes], [c.label for c in outcomes],
        )
        for row in spec.rows
    ]
