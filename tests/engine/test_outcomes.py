"""Three outcomes: a check passes, fails with located evidence, or says it could not be made."""

from __future__ import annotations

from datetime import date

from auditor.model import Cell
from auditor.templates import T3_APPLICANT_COLUMNS
from tests.engine.support import audit_document, audit_documents, by_rule, clean_document


def test_a_clean_report_passes_every_check_it_can_make():
    findings = audit_document(clean_document())
    assert [f.rule_id for f in findings if f.severity != "info"] == []


def test_unreadable_table_gets_no_balance_finding_and_names_the_checks_it_prevents():
    doc = clean_document()
    t3 = doc.table("T3")
    t3.cells[("new", "natural")] = Cell("99", "number", 99)  # would break BAL-001 and BAL-002
    t3.readable, t3.problems = False, ["行标签丢失"]
    findings = audit_document(doc)
    assert not [f for f in findings if f.rule_id.startswith("BAL-")]
    [unreadable] = by_rule(findings, "FMT-005")
    assert unreadable.location.table == "T3" and "行标签丢失" in unreadable.message
    for rule_id in ("BAL-001", "BAL-002", "BAL-003", "VAL-003", "TXT-001"):
        assert rule_id in unreadable.message


def test_missing_table_is_fmt004_and_covers_the_table_checks():
    doc = clean_document()
    doc.tables = [t for t in doc.tables if t.kind != "T4"]
    findings = audit_document(doc)
    [missing] = by_rule(findings, "FMT-004")
    assert (missing.location.section, missing.location.table) == ("四", "T4")
    assert "BAL-004" in missing.message and "TXT-003" in missing.message
    assert not by_rule(findings, "BAL-004")


def test_missing_section_covers_the_checks_of_that_section():
    doc = clean_document()
    doc.sections = [s for s in doc.sections if s.key != "六"]
    findings = audit_document(doc)
    [missing] = by_rule(findings, "SEC-001")
    assert missing.location.section == "六" and "SEC-009" in missing.message
    assert not by_rule(findings, "SEC-009")


def test_unknown_publication_date_is_listed_not_passed():
    doc = clean_document()
    assert doc.published is None
    [listed] = by_rule(audit_document(doc), "AUD-001")
    assert "PUB-001（发布日期未知）" in listed.evidence
    doc.published = date(2023, 1, 20)
    assert not by_rule(audit_document(doc), "AUD-001")


def test_unknown_year_makes_year_bound_rules_say_so():
    doc = clean_document()
    doc.year = None
    findings = audit_document(doc)
    [listed] = by_rule(findings, "AUD-001")
    assert "SEC-009（报告年度不明）" in listed.evidence and "FMT-001（报告年度不明）" in listed.evidence
    assert not by_rule(findings, "SEC-009")


def test_late_publication_is_an_error_with_the_dates():
    doc = clean_document()
    doc.published = date(2023, 2, 15)
    [late] = by_rule(audit_document(doc), "PUB-001")
    assert late.severity == "error"
    assert "2023-02-15" in late.message and "2023-01-31" in late.message and "15天" in late.message


def test_text_in_a_numeric_cell_is_val001_with_labels():
    doc = clean_document()
    doc.table("T3").cells[("granted", "legal")] = Cell("见附件", "text")
    [found] = by_rule(audit_document(doc), "VAL-001")
    assert (found.location.row, found.location.column) == ("（一）予以公开", "法律服务机构")
    assert found.cells == [("T3", "granted", "legal")]
    assert "“见附件”" in found.evidence


def test_level_comes_from_the_name_unless_given():
    doc = clean_document(level="government")
    audit_document(doc)
    assert doc.level == "government"
    given = clean_document(level="government")
    given.level = "department"
    audit_document(given)
    assert given.level == "department"


def test_sec006_only_for_a_government():
    doc = clean_document(level="government")
    doc.sections[0].text = "本年度通过门户网站主动公开政府信息。"
    assert by_rule(audit_document(doc), "SEC-006")
    dept = clean_document()
    dept.sections[0].text = "本年度通过门户网站主动公开政府信息。"
    assert not by_rule(audit_document(dept), "SEC-006")


def test_across_years_only_within_one_body():
    first, second = (
        clean_document(seed=1, year=2021, agency="东湖区财政局"),
        clean_document(seed=2, year=2022),
    )
    second.agency = "东湖区财政局"
    before, now = first.table("T3"), second.table("T3")
    for col in T3_APPLICANT_COLUMNS + ("total",):
        now.cells[("carried", col)] = before.cells[("carry_next", col)]
    assert not by_rule(audit_documents([first, second])[1].findings, "BAL-005")
    before.cells[("carry_next", "total")] = Cell("5", "number", 5)
    results = audit_documents([first, second])
    [carried] = by_rule(results[1].findings, "BAL-005")
    assert carried.location.column == "总计" and "2021年 四、结转下年度继续办理 5" in carried.evidence
    second.agency = "西湖区财政局"
    assert not by_rule(audit_documents([first, second])[1].findings, "BAL-005")


def test_fingerprints_are_stable_and_distinguish_locations():
    def fingerprints():
        doc = clean_document()
        doc.table("T3").cells[("new", "natural")] = Cell("99", "number", 99)
        doc.table("T3").cells[("new", "total")] = Cell("99", "number", 99)
        return sorted(f.fingerprint for f in by_rule(audit_document(doc), "BAL-002"))

    first = fingerprints()
    assert len(first) == len(set(first)) == 2
    assert fingerprints() == first
