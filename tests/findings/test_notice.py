"""整改通知 (.docx per body) and the region summary (.xlsx): opened and checked against the findings."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from openpyxl import load_workbook

from auditor.engine import default_rulebase
from auditor.findings.model import Finding, Location, ReportResult
from auditor.findings.notice import (
    SUMMARY_NAME,
    UNKNOWN_BODY,
    FindingsFileError,
    NoticeOptions,
    file_name,
    load_findings,
    notice_docx,
    write_notices,
)
from auditor.findings.wording import location_text
from auditor.findings.writers import WRITERS
from tests.engine.support import audit_documents, clean_document

OPTIONS = NoticeOptions(reply_by=date(2026, 12, 31), issued=date(2026, 11, 30), issuer="东湖区人民政府办公室")


def _late(result: ReportResult) -> None:
    result.findings.append(Finding(
        "PUB-001", "error", "逾期发布", "报告于2023-02-20发布，晚于法定期限2023-01-31。",
        evidence="发布日期 2023-02-20", basis="《政府信息公开条例》第四十九条", fix="按期发布年度报告。",
    ))


@pytest.fixture(scope="module")
def findings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Three bodies: one with an imbalance, a late report and a waived finding; one clean; one whose
    portal has a missing year (PUB-002 on the site entry) and whose name starts like a formula."""
    broken = clean_document(seed=3)
    t3 = broken.table("T3")
    assert t3 is not None
    t3.cells[("new", "natural")] = type(t3.cells[("new", "natural")])("99", "number", 99)
    clean = clean_document(seed=5)
    results = audit_documents([broken, clean])
    _late(results[0])
    results[0].findings[-2].waived = "经核实无误"  # the info finding before PUB-001
    results[1].findings = []
    portal = clean_document(seed=6)
    portal.agency = "=HYPERLINK(\"x\")区财政局"
    portal_entry = ReportResult(portal.source, "", portal, [Finding(
        "PUB-002", "error", "未找到年度报告", "期限2024-01-31已过，但在年报栏目中未找到2023年度报告。",
        evidence="栏目中可见的报告年度：2021、2022", fix="在年报栏目中发布2023年度报告。",
    )])
    out = tmp_path_factory.mktemp("audit")
    path = WRITERS["json"](out, [*results, portal_entry], default_rulebase().rules_meta())
    return json.loads(path.read_text("utf-8"))


def _text(path: Path) -> tuple[str, list[tuple[str, str]]]:
    """All the text of a .docx (paragraphs and table cells), and its headings with their style."""
    doc = Document(str(path))
    paragraphs = [p.text for p in doc.paragraphs]
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    headings = [(p.style.name, p.text)
                for p in doc.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    return "\n".join(paragraphs + cells), headings


def test_one_notice_per_body_with_findings_to_fix(tmp_path: Path, findings: dict[str, Any]) -> None:
    done = write_notices(findings, tmp_path, OPTIONS)
    notices, summary = done.notices, done.summary
    assert done.bodies == 3 and done.unaddressed == 0
    bodies = [r["agency"] for r in findings["reports"]]
    assert sorted(p.name for p in notices) == sorted([file_name(bodies[0]), file_name(bodies[2])])
    assert summary == tmp_path / SUMMARY_NAME
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*(p.name for p in notices), SUMMARY_NAME])
    assert "/" not in file_name("a/b") and file_name("a/b").endswith(".docx")


def test_the_notice_holds_every_open_finding_with_location_evidence_basis_and_fix(
    tmp_path: Path, findings: dict[str, Any]
) -> None:
    report = findings["reports"][0]
    path = tmp_path / "n.docx"
    path.write_bytes(notice_docx(report["agency"], [report],
                                 {r["id"]: r for r in findings["rules"]}, OPTIONS))
    text, headings = _text(path)
    assert headings[0] == ("Title", f"关于{report['agency']}政府信息公开工作年度报告问题整改的通知")
    for value in (report["source"], report["sha256"], report["title"], str(report["year"])):
        assert value in text
    open_findings = [f for f in report["findings"] if not f.get("waived")]
    assert open_findings
    for f in open_findings:
        assert f["message"] in text and f["evidence"] in text and f["fix"] in text
        basis = next(r["basis"] for r in findings["rules"] if r["id"] == f["rule_id"])
        assert f["basis"] in text or basis in text
        where = location_text(Location(**f["location"]))
        if where:
            assert f"位置：{where}" in text
        assert f"（{f['rule_id']}，" in text
    waived = [f for f in report["findings"] if f.get("waived")]
    assert waived and waived[0]["message"] not in text and "另有 1 项经核实已豁免" in text
    assert "2026年12月31日前" in text and "东湖区人民政府办公室" in text and "2026年11月30日" in text
    errors = sum(f["severity"] == "error" for f in open_findings)
    assert f"共发现错误 {errors} 项" in text


def test_findings_are_grouped_by_severity_errors_first(tmp_path: Path, findings: dict[str, Any]) -> None:
    report = findings["reports"][0]
    path = tmp_path / "n.docx"
    path.write_bytes(notice_docx(report["agency"], [report], {}, OPTIONS))
    doc = Document(str(path))
    order: list[str] = []
    current = ""
    for p in doc.paragraphs:
        if p.style.name == "Heading 2":
            current = p.text
        for f in report["findings"]:
            name = {"error": "错误", "warning": "警告", "info": "提示"}[f["severity"]]
            if not f.get("waived") and p.text.endswith(f"（{f['rule_id']}，{name}）"):
                assert current.split("）", 1)[1].startswith(name)
                order.append(f["severity"])
    assert order == sorted(order, key=["error", "warning", "info"].index) and "error" in order


def test_region_summary_counts_bodies_by_rule_and_lists_late_and_missing(
    tmp_path: Path, findings: dict[str, Any]
) -> None:
    summary = write_notices(findings, tmp_path, OPTIONS).summary
    book = load_workbook(summary)
    assert book.sheetnames == ["机关汇总", "逾期与缺失", "报告明细", "规则说明"]
    sheet = book["机关汇总"]
    header = [c.value for c in sheet[1]]
    rows = {r[0]: dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == {r["agency"] for r in findings["reports"]}
    for report in findings["reports"]:
        row = rows[report["agency"]]
        open_findings = [f for f in report["findings"] if not f.get("waived")]
        for rule_id in {f["rule_id"] for f in open_findings}:
            assert row[rule_id] == sum(f["rule_id"] == rule_id for f in open_findings)
        assert row["错误"] == sum(f["severity"] == "error" for f in open_findings)
        needed = any(f["severity"] in ("error", "warning") for f in open_findings)
        assert row["整改通知"] == ("需整改" if needed else "无需整改")
    first, clean, portal = (r["agency"] for r in findings["reports"])
    assert rows[first]["逾期发布"] == 1 and rows[portal]["未找到报告"] == 1 and rows[clean]["错误"] == 0
    late = list(book["逾期与缺失"].iter_rows(min_row=2, values_only=True))
    assert sorted((r[0], r[2], r[3]) for r in late) == sorted(
        [(first, "PUB-001", "逾期发布"), (portal, "PUB-002", "未找到报告")]
    )
    cell = next(c for c in book["机关汇总"]["A"] if c.value == portal)
    assert cell.data_type == "s", "a body name from a report is text, never a formula"


def test_bad_findings_files_are_reported_in_chinese(tmp_path: Path) -> None:
    with pytest.raises(FindingsFileError, match="文件不存在"):
        load_findings(tmp_path / "none.json")
    (tmp_path / "bad.json").write_text("{", encoding="utf-8")
    with pytest.raises(FindingsFileError, match="不是有效的 JSON"):
        load_findings(tmp_path / "bad.json")
    (tmp_path / "other.json").write_text('{"reports": 3}', encoding="utf-8")
    with pytest.raises(FindingsFileError, match="缺少 reports"):
        load_findings(tmp_path / "other.json")


def test_a_report_whose_body_is_unknown_gets_no_notice_but_is_counted(
    tmp_path: Path, findings: dict[str, Any]
) -> None:
    nameless = {**findings["reports"][0], "agency": None, "source": "/x/scan.pdf"}
    done = write_notices({**findings, "reports": [nameless]}, tmp_path, OPTIONS)
    assert done.notices == [] and done.unaddressed == 1 and done.bodies == 0
    rows = list(load_workbook(done.summary)["报告明细"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[-2]) for r in rows] == [(UNKNOWN_BODY, "/x/scan.pdf")]
    path = tmp_path / "n.docx"
    path.write_bytes(notice_docx(UNKNOWN_BODY, [nameless], {}, OPTIONS))
    text, headings = _text(path)
    assert headings[0] == ("Title", "关于政府信息公开工作年度报告问题整改的通知")
    assert "（报告中未能识别机关名称，请填写）：" in text and "/x/scan.pdf" in text
