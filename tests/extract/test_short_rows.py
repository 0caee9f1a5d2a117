"""A row short of a cell (shanghai-office-2025.md: a PDF converted to markdown, where a cell that wrapped
was printed apart above the table, "| 规章 | 22 | 235 |"): a right-aligned guess is only safe where the
template's last column is the row's total (T3); in T2 which cell is missing cannot be read, so the
table is unreadable (FMT-005) and no blank is reported on a cell the document does not show."""

from __future__ import annotations

from auditor.extract import extract
from auditor.pipeline import audit_bytes

REPORT = """某市人民政府办公厅2024年政府信息公开工作年度报告

一、总体情况

2024年，本机关认真贯彻落实《中华人民共和国政府信息公开条例》，主动公开政府信息。

二、主动公开政府信息情况

22
（其中修订 16 件）
55
（含自然失效 29 件）

| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |
|---|---|---|---|
| 规章 | 22 | 235 |
|---|---|---|
| 行政规范性文件 | 34 | 189 |
|---|---|---|
| 行政许可 | 0 |
| 行政处罚 | 0 |
| 行政强制 | 0 |
| 行政事业性收费 | 0 |

三、收到和处理政府信息公开申请情况

四、政府信息公开行政复议、行政诉讼情况

五、存在的主要问题及改进情况

六、其他需要报告的事项
"""


def test_short_t2_row_is_unreadable_not_guessed() -> None:
    doc = extract(REPORT.encode("utf-8"), "short-row.md")
    t2 = doc.table("T2")
    assert t2 is not None and not t2.readable
    assert any("规章" in p for p in t2.problems)
    # the row closes with its last cell; the two before it cannot be placed and stay unread
    assert t2.cell("rules", "in_force") is not None and t2.cell("rules", "in_force").value == 235
    assert t2.cell("rules", "issued") is None and t2.cell("rules", "repealed") is None


def test_short_t2_row_gives_fmt005_and_no_blank_cell() -> None:
    findings = audit_bytes(REPORT.encode("utf-8"), "short-row.md").findings
    assert any(f.rule_id == "FMT-005" and f.location.table == "T2" for f in findings)
    assert not [f for f in findings if f.rule_id == "VAL-003" and f.location.table == "T2"]
