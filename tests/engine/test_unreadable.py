"""READ-001 is made in one place: the rule base, from the fact "unreadable, reason" it declares for a
document that could not be read; nothing writes a placeholder finding before it."""

from __future__ import annotations

from auditor.engine import default_rulebase
from auditor.engine.rulefile import project_rule
from auditor.findings.model import Location, document_identity, fingerprint
from auditor.pipeline import AuditInput, extract_one, unreadable_result


def test_an_unreadable_result_has_no_finding_until_the_rule_base_audits_it() -> None:
    result = unreadable_result("broken.pdf", "ab" * 32, "不是年度报告（PDF 文件损坏）")
    assert result.findings == [] and result.error == "不是年度报告（PDF 文件损坏）"
    default_rulebase().audit([result])
    [finding] = result.findings
    rule = project_rule("READ-001")
    assert (finding.rule_id, finding.title, finding.severity) == ("READ-001", rule.title, rule.severity)
    assert (finding.basis, finding.fix) == (rule.basis, rule.fix)
    assert finding.message == "无法读取该文档：不是年度报告（PDF 文件损坏）"
    assert finding.evidence == "不是年度报告（PDF 文件损坏）"
    assert finding.fingerprint == fingerprint("READ-001", "broken.pdf", Location())


def test_unreadable_and_readable_documents_in_one_batch() -> None:
    empty = extract_one(AuditInput(data=b"", source="empty.txt"))
    text = "东湖区财政局2022年政府信息公开工作年度报告\n\n一、总体情况\n\n正文。"
    report = extract_one(AuditInput(data=text.encode(), source="short.txt"))
    default_rulebase().audit([empty, report])
    assert [f.rule_id for f in empty.findings] == ["READ-001"]
    assert empty.findings[0].fingerprint == fingerprint(
        "READ-001", document_identity(None, "empty.txt", empty.sha256), Location())
    assert "READ-001" not in {f.rule_id for f in report.findings} and report.findings
