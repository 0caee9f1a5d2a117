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
    result = audit_text(with_section_five("(一) 主要问题。工作人员业务能力有待提升，政策解读形式不够丰富。"
                                          "\n\n(二) 改进措施。"))
    assert [f.message for f in findings(result, "SEC-007")] == [
        "“五、存在的主要问题及改进情况”没有写明改进措施。"
    ]


def test_sec007_a_problem_worded_with_an_improvement_verb_is_not_a_measure():
    result = audit_text(with_section_five("工作人员业务能力有待提升。信息公开的主动性还需进一步加强。"))
    assert {f.message for f in findings(result, "SEC-007")} == {
        "“五、存在的主要问题及改进情况”没有写明改进措施。"}


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
    """seed 001 without its (四) 平台建设 paragraph: its 主动公开 paragraph still says
    "通过区政府门户网站"."""
    text = re.sub(r"### （四）政府信息公开平台建设情况\n\n[^\n]*\n\n", "", SEED_001)
    assert "通过区政府门户网站" in text
    result = audit_text(text)
    assert [f.message for f in findings(result, "SEC-005")] == [
        "“一、总体情况”没有反映“政府信息公开平台建设”方面的情况。"]


def test_sec005_all_five_aspects_reported():
    assert findings(audit_text(SEED_001), "SEC-005") == []


# ---------------------------------------------------------------------------------- VAL-005


def with_fee(body: str, amount: str) -> str:
    text = SEED_001.replace("卫滨区人民政府 2022 年", f"{body} 2022 年")
    return re.sub(r"^(行政事业性收费\t)[^\t\n]*", lambda m: m.group(1) + amount, text,
                  count=1, flags=re.MULTILINE)


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


# ---------------------------------------------------------------------------------- TXT-001..005


def test_txt_claims_come_from_sentences_not_from_a_table_header_run():
    """shanghai-office-2025.md: T4's header run "总计结果结果其他尚未…维持纠正结果审结" made a TXT-003."""
    result = audit_real("shanghai-office-2025.md")
    assert findings(result, "TXT-003") == []


def test_txt_header_run_and_label_lines_left_among_paragraphs_make_no_claim():
    run = ("行政复议行政诉讼\n结果结果其他尚未\n总计结果结果其他尚未结果结果其他尚未\n"
           "维持纠正结果审结维持纠正结果审结\n")
    text = SEED_001.replace("#### 四、政府信息公开行政复议、行政诉讼情况\n",
                            "#### 四、政府信息公开行政复议、行政诉讼情况\n" + run)
    text = text.replace("上年转结行政诉讼 2 件（结果维持）。", "")
    assert [f.rule_id for f in audit_text(text).findings if f.rule_id.startswith("TXT")] == []


def test_a_sentence_still_makes_its_claim():
    text = SEED_001.replace("上年转结行政诉讼 2 件（结果维持）", "上年转结行政诉讼 3 件（结果维持）")
    assert [f.rule_id for f in audit_text(text).findings if f.rule_id.startswith("TXT")] == ["TXT-003"]


# ---------------------------------------------------------------------------------- unreadable tables


T4_ROW = "0\t0\t0\t0\t0\t2\t0\t0\t0\t2\t0\t0\t0\t0\t0"


def test_no_check_runs_on_a_table_that_could_not_be_read():
    """T4 with 14 of its 15 values: FMT-005, and neither TXT-003 nor VAL-003 says what its cells hold."""
    result = audit_text(SEED_001.replace(T4_ROW, T4_ROW[2:]))
    ids = [f.rule_id for f in result.findings]
    assert "FMT-005" in ids
    assert not [f for f in result.findings if f.rule_id in ("TXT-003", "VAL-003", "BAL-004")]
    fmt005 = findings(result, "FMT-005")[0]
    assert "TXT-003" in fmt005.message and "VAL-003" in fmt005.message  # said not to have run


# ---------------------------------------------------------------------------------- FMT-006


def test_fmt006_a_sub_row_with_its_block_cell_in_front_is_the_template_wording():
    for year in (2019, 2020, 2021, 2022, 2023, 2025):
        result = audit_real(f"pingtan-{year}.txt")
        assert findings(result, "FMT-006") == [], year


def test_fmt006_block_in_front_in_a_tab_layout_and_a_real_deviation_still_found():
    text = SEED_001.replace("\t(三) 不予公开\t1. 属于国家秘密\t", "\t(三) 不予公开1.属于国家秘密\t\t")
    assert findings(audit_text(text), "FMT-006") == []
    text = SEED_001.replace("\t(三) 不予公开\t1. 属于国家秘密\t", "\t(三) 不予公开\t1. 涉及国家秘密\t")
    assert [f.evidence for f in findings(audit_text(text), "FMT-006")] == [
        "“1. 涉及国家秘密”，格式为“1.属于国家秘密”"]


def test_sec008_last_years_problems_named_by_their_year():
    """shanghai-office-2025.md: "（一）2024 年工作中存在问题的改进情况" reports on last year's problems."""
    assert findings(audit_real("shanghai-office-2025.md"), "SEC-008") == []


# ---------------------------------------------------------------------------------- messages


def test_bal_evidence_reads_as_an_officer_reads_it():
    seed = next(SEEDS.glob("000_*.txt"))
    result = audit_batch([AuditInput(data=seed.read_bytes(), source=str(seed))])[0]
    assert {f.evidence for f in findings(result, "BAL-002")} == {
        "第一项 0 + 第二项 0 ≠ （七）总计 2 + 第四项 0"}


def test_fmt005_counts_unlabelled_rows_and_does_not_repeat_its_evidence():
    seed = next(SEEDS.glob("002_*.txt"))
    result = audit_batch([AuditInput(data=seed.read_bytes(), source=str(seed))])[0]
    (finding,) = findings(result, "FMT-005")
    assert "无标签" not in finding.message and finding.evidence not in finding.message
    assert finding.message.startswith("表三的结构无法完整读取（10 行缺少可识别的行标签")
    assert finding.evidence.count("无标签") == 1 and "9 行无标签" in finding.evidence


# ---------------------------------------------------------------------------------- SEC-001 / SEC-003


def test_sec001_only_for_a_section_the_document_lacks():
    """hebei-jyt-2019 has no section 六 (checked in the document: 五 ends with the signature)."""
    assert [f.location.section for f in findings(audit_real("hebei-jyt-2019.txt"), "SEC-001")] == ["六"]
    for name in ("hebei-jyt-2021.txt", "shanghai-office-2025.md", "shanghai-kewei-2024.md"):
        assert findings(audit_real(name), "SEC-001") == [], name


def test_sec003_notes_the_tiaoli_wording_of_four_and_a_lost_heading_of_five():
    (four,) = findings(audit_real("hebei-jyt-2022.txt"), "SEC-003")
    assert four.location.section == "四" and four.severity == "info"
    (five,) = findings(audit_real("shanghai-office-2025.md"), "SEC-003")
    assert five.location.section == "五"
    assert five.message == (
        "“五、存在的主要问题及改进情况”部分的标题缺失（该部分内容从“（一）2024 "
        "年工作中存在问题的改进情况”开始），"
        "格式为“五、存在的主要问题及改进情况”。"
    )


def test_val005_a_column_headed_in_yuan_is_written_in_yuan():
    text = with_fee("新乡市人民政府", "1250").replace("本年收费金额（单位：万元）",
                                               "本年收费金额（单位：元）")
    found = findings(audit_text(text), "VAL-005")
    assert len(found) == 1 and "按元填报" in found[0].evidence
