"""A 总计 cell left blank (shanghai-office-2019.html, shanghai-kewei-2024.md): the blank is reported once
(VAL-003), never as an imbalance, and the text's claims are compared with the sum of the row's parts,
which the evidence says.  The layout imitates those reports: T3 rows whose applicant cells hold numbers
and whose 总计 cell is empty."""

from __future__ import annotations

from pathlib import Path

import yaml

from auditor.findings.model import ReportResult
from auditor.pipeline import AuditInput, audit_batch

RULES = Path(__file__).resolve().parents[2] / "rules"
TEMPLATE = yaml.safe_load((RULES / "TXT-002.yaml").read_text(encoding="utf-8"))["examples"]["must_fire"][0][
    "text"
]
"""A 2021-format report whose text says "予以公开及部分公开12件" and whose T3 gives 10 + 1."""


def _audit(text: str) -> ReportResult:
    return audit_batch([AuditInput(data=text.encode("utf-8"), source="blank-totals.txt")])[0]


def _blank_total(text: str, label: str) -> str:
    """The report with the 总计 cell of the row starting with ``label`` left empty."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if line.lstrip("\t").startswith(label) or f"\t{label}" in line:
            cells = line.split("\t")
            cells[-1] = ""
            lines[i] = "\t".join(cells)
            return "\n".join(lines)
    raise AssertionError(f"no row {label}")


def _ids(result: ReportResult, rule: str) -> list:
    return [f for f in result.findings if f.rule_id == rule]


def test_blank_row_totals_are_no_imbalance_but_blanks():
    text = _blank_total(_blank_total(TEMPLATE, "(一) 予以公开"), "(二) 部分公开")
    result = _audit(text)
    assert not [f for f in result.findings if f.rule_id.startswith("BAL-")]
    blanks = {(f.location.row, f.location.column) for f in _ids(result, "VAL-003")}
    assert ("（一）予以公开", "总计") in blanks
    assert any(row.startswith("（二）部分公开") and col == "总计" for row, col in blanks)


def test_text_claims_use_the_parts_of_a_blank_total_and_say_so():
    text = _blank_total(_blank_total(TEMPLATE, "(一) 予以公开"), "(二) 部分公开")
    [finding] = _ids(_audit(text), "TXT-002")
    # 12 stated, 10 + 1 in the rows whose 总计 is blank: the blank is not "0件"
    assert "为 11（" in finding.message and "按该行各栏之和计" in finding.message
    assert "为0件" not in finding.message and "为 0 " not in finding.message


def test_text_agreeing_with_the_parts_of_a_blank_total_is_no_finding():
    text = _blank_total(TEMPLATE.replace("予以公开及部分公开12件", "予以公开及部分公开11件"), "(一) 予以公开")
    assert _ids(_audit(text), "TXT-002") == []


def test_a_stated_total_that_is_wrong_still_fires():
    # the blank total of another row does not hide a wrong total that is written
    text = _blank_total(TEMPLATE, "(二) 部分公开").replace(
        "(一) 予以公开\t10\t0\t0\t0\t0\t0\t10", "(一) 予以公开\t10\t0\t0\t0\t0\t0\t9"
    )
    rows = {f.location.row for f in _ids(_audit(text), "BAL-001")}
    assert rows == {"（一）予以公开"}


def test_across_years_a_blank_carry_over_total_is_the_sum_of_its_row():
    # 2021: 结转下年度 2 by 自然人, its 总计 left blank; 2022: 上年结转 2 = 2: no BAL-005 on 总计
    before = TEMPLATE.replace("2022年", "2021年").replace(
        "四、结转下年度继续办理\t0\t0\t0\t0\t0\t0\t0", "四、结转下年度继续办理\t2\t0\t0\t0\t0\t0\t"
    )
    after = TEMPLATE.replace(
        "二、上年结转政府信息公开申请数量\t0\t0\t0\t0\t0\t0\t0",
        "二、上年结转政府信息公开申请数量\t2\t0\t0\t0\t0\t0\t2",
    )
    assert before != TEMPLATE and after != TEMPLATE
    results = audit_batch(
        [
            AuditInput(data=before.encode("utf-8"), source="2021.txt"),
            AuditInput(data=after.encode("utf-8"), source="2022.txt"),
        ]
    )
    assert [f.location.column for f in _ids(results[1], "BAL-005")] == []
    # a carry-over that truly differs is still found
    wrong = after.replace(
        "二、上年结转政府信息公开申请数量\t2\t0\t0\t0\t0\t0\t2",
        "二、上年结转政府信息公开申请数量\t3\t0\t0\t0\t0\t0\t3",
    )
    results = audit_batch(
        [
            AuditInput(data=before.encode("utf-8"), source="2021.txt"),
            AuditInput(data=wrong.encode("utf-8"), source="2022.txt"),
        ]
    )
    assert {f.location.column for f in _ids(results[1], "BAL-005")} == {"自然人", "总计"}
