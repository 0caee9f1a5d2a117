"""Grids and arithmetic of stored tables, on models extracted from generated reports."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import pytest

from auditor.extract import extract
from auditor.samples import make_report, render_html
from auditor.templates import T3_2021
from auditor.web.arithmetic import table_arithmetic
from auditor.web.grids import FindingRef, build_grid


def _tables(
    t3_changes: dict[tuple[str, str], str] | None = None, year: int = 2023
) -> dict[str, dict[str, Any]]:
    r = make_report(5, year=year, level="government")
    if t3_changes:
        r = replace(r, t3={**r.t3, **t3_changes})
    model = extract(render_html(r), "sample.html").to_dict()
    return {t["kind"]: t for t in model["tables"]}


def test_t3_grid_follows_the_template() -> None:
    t3 = _tables()["T3"]
    grid = build_grid(t3, {})
    data_rows = [r.id for r in grid.rows if not r.group]
    assert data_rows == [r.id for r in T3_2021.rows]
    assert [c for c, _ in grid.columns] == [c.id for c in T3_2021.columns]
    headings = [r.label for r in grid.rows if r.group]
    assert headings[0] == "三、本年度办理结果" and "（三）不予公开" in headings
    assert [[h.label for h in row] for row in grid.header][1] == [
        "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
    first = next(r for r in grid.rows if r.id == "new")
    assert [c.raw for c in first.cells if c] == [t3["cells"]["new"][c]["raw"] for c, _ in grid.columns]
    assert grid.marked == 0


def test_marked_cells_carry_their_findings() -> None:
    t3 = _tables()["T3"]
    ref = FindingRef(7, "BAL-002", "error")
    grid = build_grid(t3, {("new", "natural"): [ref], ("no_such_row", "total"): [ref]})
    cell = next(r for r in grid.rows if r.id == "new").cells[0]
    assert cell is not None and cell.refs == [ref] and cell.severity == "error"
    assert grid.marked == 1


def test_t2_cells_outside_a_block_are_not_applicable() -> None:
    grid = build_grid(_tables()["T2"], {})
    licensing = next(r for r in grid.rows if r.id == "licensing")
    applicable = [col for (col, _), cell in zip(grid.columns, licensing.cells,
                                                strict=True) if cell is not None]
    assert applicable == ["decisions"]


def test_arithmetic_of_a_clean_report_holds() -> None:
    tables = _tables()
    for kind in ("T3", "T4"):
        checks = table_arithmetic(tables[kind]).checks
        assert checks and all(c.ok for c in checks), kind
    assert table_arithmetic(tables["T2"]).checks == ()


def test_arithmetic_shows_the_identity_that_breaks() -> None:
    r = make_report(5, year=2023, level="government")
    raised = str(int(r.t3[("granted", "natural")]) + 5)
    checks = table_arithmetic(_tables({("granted", "natural"): raised})["T3"]).checks
    failed = {(c.name, c.where) for c in checks if c.ok is False}
    assert failed == {("（七）总计 = 各办理结果之和", "自然人"), ("总计 = 各类申请人之和", "（一）予以公开")}
    bad = next(c for c in checks if c.ok is False and c.where == "自然人")
    assert bad.left.total != bad.right.total and ("（一）", raised) in bad.right.terms


def test_missing_cells_cannot_be_verified() -> None:
    t3 = _tables()["T3"]
    del t3["cells"]["carried"]["natural"]
    check = next(c for c in table_arithmetic(t3).checks if c.where == "自然人")
    assert check.ok is None and check.left.missing == ("第二项",)


@pytest.mark.parametrize(("key", "note"), [("readable", "无法读取"), ("image_only", "图片")])
def test_unreadable_tables_are_not_checked(key: str, note: str) -> None:
    t3 = {**_tables()["T3"], key: key == "image_only"}
    arithmetic = table_arithmetic(t3)
    assert arithmetic.checks == () and note in arithmetic.note


def test_sub_item_numbers_never_run_into_their_values() -> None:
    """"（四）1 6" reads as 16: a sub-row is named "（四）第1项", a top row "第一项", the total
    "（七）总计"."""
    r = make_report(5, year=2023, level="government")
    old = int(r.t3[("unable_1", "natural")] or 0)
    total = str(int(r.t3[("total", "natural")]) + 6 - old)
    checks = table_arithmetic(_tables({("unable_1", "natural"): "6",
                                       ("total", "natural"): total})["T3"]).checks
    by_name = {c.name: c for c in checks if c.where == "自然人"}
    assert set(by_name) == {"勾稽：第一项 + 第二项 = （七）总计 + 第四项", "（七）总计 = 各办理结果之和"}
    composition = by_name["（七）总计 = 各办理结果之和"]
    terms = dict(composition.right.terms)
    assert composition.ok is True and terms["（四）第1项"] == "6"
    assert not any(re.search(r"\d$", name) for name in terms), terms
    assert dict(composition.left.terms) == {"（七）总计": total}
