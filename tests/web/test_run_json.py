"""The fixture's `nianbao run` outputs: run.json counts 304s apart; `nianbao notice` reads its
findings.json."""

from __future__ import annotations

import json
from pathlib import Path

from auditor.findings.notice import UNKNOWN_BODY
from tests.web.conftest import WebStore


def test_not_modified_answers_are_counted_apart_from_fetches(web_store: WebStore) -> None:
    first, second = (json.loads((web_store.root.parent / f"out{n}" / "run.json").read_text("utf-8"))
                     for n in (1, 2))
    for run in (first, second):
        for site in run["sites"]:
            assert site["fetches"] + site["not_modified"] == site["requests"]
    assert all(site["not_modified"] == 0 for site in first["sites"]), "a first run has nothing to revalidate"
    sites = second["sites"]
    assert sum(site["not_modified"] for site in sites) > 0, "the second run revalidates unchanged pages"
    assert sum(site["fetches"] for site in sites) < sum(site["requests"] for site in sites)


def test_notice_of_a_run_lists_the_late_and_missing_reports(web_store: WebStore, tmp_path: Path) -> None:
    """`nianbao notice` on a real `nianbao run`: the portal's late (PUB-001) and missing (PUB-002) reports
    found by the run are in the region summary, each body with open errors gets its notice."""
    from openpyxl import load_workbook

    from tests.web.conftest import nianbao

    findings = web_store.root.parent / "out2" / "findings.json"
    data = json.loads(findings.read_text("utf-8"))
    proc = nianbao("notice", str(findings), "--out", str(tmp_path), "--reply-by", "2030-01-31")
    assert proc.returncode == 0, proc.stderr
    expected = sorted(
        (r["agency"] or UNKNOWN_BODY, f["rule_id"]) for r in data["reports"] for f in r["findings"]
        if f["rule_id"] in ("PUB-001", "PUB-002") and not f.get("waived")
    )
    assert any(rule == "PUB-001" for _, rule in expected) and any(rule == "PUB-002" for _, rule in expected)
    sheet = load_workbook(tmp_path / "地区汇总.xlsx")["逾期与缺失"]
    assert sorted((r[0], r[2]) for r in sheet.iter_rows(min_row=2, values_only=True)) == expected
    with_errors = {r["agency"] for r in data["reports"] if r["agency"]
                   and any(f["severity"] in ("error", "warning") and not f.get("waived")
                           for f in r["findings"])}
    assert len(list(tmp_path.glob("整改通知-*.docx"))) == len(with_errors)
