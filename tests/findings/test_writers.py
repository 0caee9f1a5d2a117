"""The output writers: each writes its file atomically and returns its path."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from openpyxl import load_workbook

from auditor.engine import default_rulebase
from auditor.findings.writers import WRITERS
from tests.engine.support import audit_documents, clean_document

FILES = {"json": "findings.json", "html": "findings.html", "xlsx": "findings.xlsx", "csv": "findings.csv",
         "sarif": "findings.sarif"}  # fmt: skip


@pytest.fixture(scope="module")
def results():
    """Two reports: one with an imbalance and a waived finding, one whose title carries markup."""
    broken = clean_document(seed=3)
    t3 = broken.table("T3")
    t3.cells[("new", "natural")] = type(t3.cells[("new", "natural")])("99", "number", 99)
    hostile = clean_document(seed=4)
    hostile.title = '<script>alert("x")</script>东湖区财政局2022年报告'
    hostile.sections[-1].text = "无"
    out = audit_documents([broken, hostile])
    out[1].findings[0].waived = "经核实无误"
    return out


@pytest.mark.parametrize("name", sorted(FILES))
def test_each_writer_writes_its_file_and_returns_the_path(tmp_path, results, name):
    path = WRITERS[name](tmp_path / "out", results, default_rulebase().rules_meta())
    assert path == tmp_path / "out" / FILES[name] and path.stat().st_size > 0
    assert [p.name for p in path.parent.iterdir()] == [FILES[name]], "no temporary file left behind"


def test_csv_has_a_bom_and_one_row_per_finding(tmp_path, results):
    data = WRITERS["csv"](tmp_path, results, []).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["来源", "机关", "年度", "规则"]
    assert len(rows) - 1 == sum(len(r.findings) for r in results)
    assert any(row[3] == "BAL-002" and row[4] == "错误" and row[9] == "（七）总计" for row in rows)


def test_xlsx_has_a_frozen_filterable_header(tmp_path, results):
    book = load_workbook(WRITERS["xlsx"](tmp_path, results, default_rulebase().rules_meta()))
    sheet = book["审查发现"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == sheet.dimensions
    assert sheet.max_row - 1 == sum(len(r.findings) for r in results)
    assert book["规则"].max_row - 1 == len(default_rulebase().rules)


def test_sarif_is_2_1_0_with_rules_levels_and_suppressions(tmp_path, results):
    log = json.loads(WRITERS["sarif"](tmp_path, results, default_rulebase().rules_meta()).read_text("utf-8"))
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-2.1.0.json")
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note")
        assert result["partialFingerprints"]["nianbao/v1"]
    assert sum("suppressions" in r for r in run["results"]) == 1
    bal = next(r for r in run["results"] if r["ruleId"] == "BAL-002")
    assert bal["locations"][0]["logicalLocations"][0]["name"].startswith("三 / T3 / （七）总计")


def test_html_is_self_contained_escaped_and_highlights_cells(tmp_path, results):
    page = WRITERS["html"](tmp_path, results, default_rulebase().rules_meta()).read_text("utf-8")
    assert "<script>" not in page and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", page), "no external resources"
    assert "@media print" in page
    assert 'class="hl-error" title="BAL-001、BAL-002"' in page or 'class="hl-error" title="BAL-002' in page
    assert "已豁免的问题" in page and "经核实无误" in page
    assert "依据" in page and "整改方法" in page
