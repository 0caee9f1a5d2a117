"""Numbers written otherwise in numeric cells (issue 9, VAL-001): the cell keeps its row and column, its
raw text and kind, and the value the arithmetic uses, in every rendered format."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from auditor.extract import extract
from auditor.extract.cells import chinese_number, parse_cell
from auditor.pipeline import audit_bytes
from auditor.samples import make_report, render_docx, render_html, render_markdown, render_pdf, render_text
from auditor.samples.generate import SampleReport

_CN = "零一二三四五六七八九"


def _chinese(n: int) -> str:
    """10..99 in Chinese numerals (the cells chosen below hold such values)."""
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _CN[tens]) + "十" + (_CN[ones] if ones else "")


def _fullwidth(n: int) -> str:
    return "".join(chr(ord("０") + int(d)) for d in str(n))


FORMATS: dict[str, tuple[str, Callable[[SampleReport], bytes]]] = {
    "txt": ("report.txt", lambda r: render_text(r).encode("utf-8")),
    "md": ("report.md", lambda r: render_markdown(r).encode("utf-8")),
    "html": ("report.html", render_html),
    "docx": ("report.docx", render_docx),
    "pdf": ("report.pdf", render_pdf),
}
WRITERS: dict[str, tuple[Callable[[int], str], str]] = {
    "chinese": (_chinese, "中文数字"),
    "unit": (lambda n: f"{n}件", "数字带单位"),
    "fullwidth": (_fullwidth, "全角数字"),
}


def _report_with(write: Callable[[int], str]) -> tuple[SampleReport, tuple[str, str], int]:
    """A government report (T3 totals of two digits) with one T3 总计 cell written otherwise."""
    report = make_report(71, year=2022, level="government")
    key = next(k for k, raw in report.t3.items() if k[1] == "total" and 10 <= int(raw) <= 99)
    value = int(report.t3[key])
    report.t3[key] = write(value)
    return report, key, value


@pytest.mark.parametrize("how", list(WRITERS))
@pytest.mark.parametrize("fmt", list(FORMATS))
def test_number_written_otherwise_keeps_its_cell_and_value(fmt: str, how: str) -> None:
    write, reading = WRITERS[how]
    report, key, value = _report_with(write)
    name, render = FORMATS[fmt]
    doc = extract(render(report), name)
    table = doc.table("T3")
    assert table is not None and table.readable, table.problems if table else None
    cell = table.cells[key]
    assert (cell.raw, cell.kind, cell.value, cell.reading) == (write(value), "text", Decimal(value), reading)
    # every other cell of the row and the table came back as written
    others = {k: raw for k, raw in report.t3.items() if k != key}
    assert {k: table.cells[k].raw for k in others} == others


@pytest.mark.parametrize("how", list(WRITERS))
def test_val001_names_the_cell_and_the_value_used(how: str) -> None:
    write, reading = WRITERS[how]
    report, _, value = _report_with(write)
    result = audit_bytes(render_html(report), "report.html")
    val001 = [f for f in result.findings if f.rule_id == "VAL-001"]
    assert len(val001) == 1
    assert f"“{write(value)}”" in val001[0].evidence and f"按 {value} 计算" in val001[0].evidence
    assert reading in val001[0].evidence
    # the value was used: the table balances, no balance finding, no unreadable table
    assert not [f for f in result.findings if f.rule_id.startswith(("BAL-", "FMT-005"))]


def test_text_without_a_number_stays_text() -> None:
    cell = parse_cell("见附件")
    assert (cell.kind, cell.value, cell.reading) == ("text", None, None)


@pytest.mark.parametrize(
    "text,value",
    [("十二", 12), ("十", 10), ("二十一", 21), ("一百零五", 105), ("两千", 2000),
     ("三万五千", 35000), ("一二", 12)],
)
def test_chinese_numerals(text: str, value: int) -> None:
    assert chinese_number(text) == value


@pytest.mark.parametrize("text", ["千百", "百", "十十", "万"])
def test_not_chinese_numerals(text: str) -> None:
    assert chinese_number(text) is None


def test_dash_and_amount_units_are_not_val001() -> None:
    assert parse_cell("一").kind == "placeholder"  # a dash typed as 一
    fee = parse_cell("251000元")
    assert (fee.kind, fee.value, fee.unit) == ("number", Decimal(251000), "元")  # VAL-005's business
