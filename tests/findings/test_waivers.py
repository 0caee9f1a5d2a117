from __future__ import annotations

import logging
from datetime import date

import pytest

from auditor.findings.model import Finding, ReportResult
from auditor.findings.waivers import Waiver, apply_waivers, load_waivers


def _result(source: str, *rule_ids: str) -> ReportResult:
    findings = [Finding(rule_id=r, severity="warning", title="t", message="m") for r in rule_ids]
    return ReportResult(source=source, sha256="", document=None, findings=findings)


def test_load_a_waiver_file(tmp_path):
    path = tmp_path / "waivers.toml"
    path.write_text(
        '[[waiver]]\nrule = "sec-008"\ndocument = "reports/*.txt"\nreason = "上年度无问题"\nexpires = '
        '2030-06-30\n\n'
        '[[waiver]]\nrule = "BAL-005"\ndocument = "a.txt"\nreason = "上年数据已更正"\n',
        encoding="utf-8",
    )
    assert load_waivers(path) == [
        Waiver("SEC-008", "reports/*.txt", "上年度无问题", date(2030, 6, 30)),
        Waiver("BAL-005", "a.txt", "上年数据已更正"),
    ]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("[[waiver]\n", "不是有效的 TOML"),
        ('[[waiver]]\nrule = "SEC-008"\ndocument = "a"\n', "第 1 条豁免缺少 reason"),
        ('[[waiver]]\nrule = "secret"\ndocument = "a"\nreason = "x"\n', "不是规则编号"),
        (
            '[[waiver]]\nrule = "SEC-008"\ndocument = "a"\nreason = "x"\nexpires = "soon"\n',
            "expires 应为日期",
        ),
        ('[[waiver]]\nrule = "SEC-008"\ndocument = "a"\nreason = "x"\nowner = "me"\n', "未知的键：owner"),
        ("waiver = 3\n", "[[waiver]] 表的列表"),
    ],
)
def test_a_bad_file_is_a_one_line_value_error(tmp_path, text, reason):
    path = tmp_path / "w.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=r".") as caught:
        load_waivers(path)
    assert reason in str(caught.value) and "\n" not in str(caught.value)


def test_a_missing_file_is_a_value_error(tmp_path):
    with pytest.raises(ValueError, match="无法读取豁免文件"):
        load_waivers(tmp_path / "none.toml")


def test_waivers_mark_the_findings_they_cover():
    results = [_result("reports/a.txt", "SEC-008", "SEC-009"), _result("other/b.txt", "SEC-008")]
    apply_waivers(results, [Waiver("SEC-008", "reports/*.txt", "上年度无问题")], today=date(2025, 1, 1))
    assert [f.waived for f in results[0].findings] == ["上年度无问题", None]
    assert results[1].findings[0].waived is None


def test_expired_waivers_do_not_apply_and_are_reported(caplog):
    results = [_result("a.txt", "SEC-008")]
    old = Waiver("SEC-008", "a.txt", "临时豁免", date(2024, 12, 31))
    with caplog.at_level(logging.WARNING, logger="nianbao.waivers"):
        expired = apply_waivers(results, [old], today=date(2025, 1, 1))
    assert expired == [old]
    assert results[0].findings[0].waived is None
    assert "2024-12-31" in caplog.text and "SEC-008" in caplog.text
