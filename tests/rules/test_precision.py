"""Rule precision on the real documents and on layouts imitating them (issue 9): no false alarm, no
blind spot for the checks an officer acts on."""

from __future__ import annotations

import re

from auditor.findings.model import ReportResult
from auditor.pipeline import AuditInput, audit_batch
from tests.rules.support import SEEDS, SHARED

REAL = SHARED / "real"
SEED_001 = next(SEEDS.glob("001_*.txt")).read_text(encoding="utf-8")


def audit_text(text: str, name: str = "layout.txt") -> ReportResult:
    return audit_batch([AuditInput(data=text.encode("utf-8"), source=name)])[0]


def audit_real(name: str) -> ReportResult:
    path = REAL / name
    return audit_batch([AuditInput(data=path.read_bytes(), source=str(path))])[0]


def findings(result: ReportResult, rule: str) -> list:
    return [f for f in result.findings if f.rule_id == rule]


def with_section_five(text: str) -> str:
    return re.sub(
        r"(#### 五、存在的主要问题及改进情况\n\n).*?(\n\n#### 六)", lambda m: m.group(1) + text + m.group(2),
        SEED_001, flags=re.DOTALL,
    )


# ---------------------------------------------------------------------------------- SEC-007


def test_sec007_problems_without_measures_fire():
    result = audit_text(with_section_five("(一) 主要问题。工作人员业务能力有待提升，政策解读形式不够丰富。\n\n(二) 改进措施。"))
    assert [f.message for f in findings(result, "SEC-007")] == [
        "“五、存在的主要问题及改进情况”没有写明改进措施。"
    ]


def test_sec007_a_problem_worded_with_an_improvement_verb_is_not_a_measure():
    result = audit_text(with_section_five("工作人员业务能力有待提升。信息公开的主动性还需进一步加强。"))
    assert {f.message for f in findings(result, "SEC-007")} == {"“五、存在的主要问题及改进情况”没有写明改进措施。"}


def test_sec007_problems_and_measures_are_both_found():
    result = audit_text(with_section_five("工作人员业务能力有待提升。下一步，将加强业务培训，提升办理质量。"))
    assert findings(result, "SEC-007") == []


def test_sec007_measures_without_problems_fire():
    result = audit_text(with_section_five("下一步，将加强业务培训，提升办理质量。"))
    assert [f.message for f in findings(result, "SEC-007")] == [
        "“五、存在的主要问题及改进情况”没有写明存在的主要问题。"
    ]


def test_sec007_shanghai_office_2025_section_without_heading_has_both():
    result = audit_real("shanghai-office-2025.md")
    assert findings(result, "SEC-007") == [] and findings(result, "SEC-001") == []


# ---------------------------------------------------------------------------------- SEC-005


def test_sec005_a_website_named_as_the_channel_does_not_report_platform_building():
    """seed 001 without its (四) 平台建设 paragraph: its 主动公开 paragraph still says "通过区政府门户网站"."""
    text = re.sub(r"### （四）政府信息公开平台建设情况\n\n[^\n]*\n\n", "", SEED_001)
    assert "通过区政府门户网站" in text
    result = audit_text(text)
    assert [f.message for f in findings(result, "SEC-005")] == ["“一、总体情况”没有反映“政府信息公开平台建设”方面的情况。"]


def test_sec005_all_five_aspects_reported():
    assert findings(audit_text(SEED_001), "SEC-005") == []


# ---------------------------------------------------------------------------------- VAL-005


def with_fee(body: str, amount: str) -> str:
    text = SEED_001.replace("卫滨区人民政府 2022 年", f"{body} 2022 年")
    return re.sub(r"^(行政事业性收费\t)[^\t\n]*", lambda m: m.group(1) + amount, text, count=1, flags=re.MULTILINE)


def test_val005_a_city_governments_large_fee_in_wan_is_plausible():
    for amount in ("96,171.6", "316441", "316441万元"):
        assert findings(audit_text(with_fee("新乡市人民政府", amount)), "VAL-005") == [], amount


def test_val005_the_same_figure_from_a_district_office_is_not():
    found = findings(audit_text(with_fee("卫滨区财政局", "316441")), "VAL-005")
    assert len(found) == 1 and "县级部门" in found[0].evidence


def test_val005_a_fee_written_in_yuan_is_the_classic_defect_at_any_level():
    for body in ("新乡市人民政府", "卫滨区财政局"):
        found = findings(audit_text(with_fee(body, "251000元")), "VAL-005")
        assert len(found) == 1 and "注明“元”" in found[0].evidence
