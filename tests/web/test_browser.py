"""The web view in a real browser, on a store filled by real runs: what a compliance officer sees.

Expected values come from the database itself (plain SQL in the tests), never from the view's code.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import openpyxl
from playwright.sync_api import Page, Playwright

from tests.web.conftest import ARTIFACTS, CURRENT, Server, WebStore, launch
from tests.web.probe_portal import MARKUP


def _open_counts(store: WebStore) -> dict[str, dict[str, int]]:
    rows = store.sql(
        CURRENT + """
        SELECT f.site_id, f.severity, COUNT(*) FROM findings f
        JOIN cur ON cur.run_id = f.run_id AND cur.site_id = f.site_id
        WHERE f.waived IS NULL GROUP BY f.site_id, f.severity"""
    )
    out: dict[str, dict[str, int]] = {}
    for site, severity, n in rows:
        out.setdefault(site, {})[severity] = n
    return out


def _shown_sites(page: Page) -> list[str]:
    return page.locator("#overview tbody tr").evaluate_all("rows => rows.map(r => r.dataset.site)")


def test_overview_shows_every_site_with_its_counts(page: Page, server: Server, web_store: WebStore) -> None:
    page.goto(server.url + "/")
    page.screenshot(path=str(ARTIFACTS / "overview.png"), full_page=True)
    sites = {sid: name for sid, name in web_store.sql("SELECT id, name FROM sites")}
    assert sorted(_shown_sites(page)) == sorted(sites)
    counts = _open_counts(web_store)
    for sid, name in sites.items():
        row = page.locator(f'#overview tr[data-site="{sid}"]')
        assert name in row.locator("th.site").inner_text()
        total = row.locator("td.total")
        assert total.get_attribute("data-errors") == str(counts.get(sid, {}).get("error", 0))
        assert total.get_attribute("data-warnings") == str(counts.get(sid, {}).get("warning", 0))
    assert int(page.inner_text("#total-error")) == sum(c.get("error", 0) for c in counts.values())
    assert int(page.inner_text("#total-sites")) == len(sites)


def test_year_cells_show_found_late_and_missing(page: Page, server: Server, web_store: WebStore) -> None:
    page.goto(server.url + "/")
    have = set(web_store.sql(CURRENT + """
        SELECT r.site_id, r.year FROM reports r JOIN cur ON cur.run_id = r.run_id AND cur.site_id = r.site_id
        WHERE r.portal = 0 AND r.year IS NOT NULL"""))
    late = set(web_store.sql(CURRENT + """
        SELECT r.site_id, r.year FROM findings f JOIN cur ON cur.run_id = f.run_id AND cur.site_id = f.site_id
        JOIN reports r ON r.id = f.report_id WHERE f.rule_id = 'PUB-001' AND f.waived IS NULL"""))
    assert late, "the demo portal publishes late reports: the run must have found them"
    cells = page.locator("#overview td.cell[data-year]").evaluate_all(
        "cs => cs.map(c => [c.closest('tr').dataset.site, Number(c.dataset.year), c.dataset.status])"
    )
    assert cells
    for site, year, status in cells:
        expected = "missing" if (site, year) not in have else ("late" if (site, year) in late else "found")
        assert status == expected, (site, year)


def test_filters_narrow_the_overview(page: Page, server: Server, web_store: WebStore) -> None:
    page.goto(server.url + "/")
    page.select_option("select[name=level]", "department")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state()
    assert parse_qs(urlsplit(page.url).query)["level"] == ["department"]
    departments = {sid for (sid,) in web_store.sql("SELECT id FROM sites WHERE level = 'department'")}
    assert departments and set(_shown_sites(page)) == departments

    page.goto(server.url + "/")
    page.select_option("select[name=rule]", "PUB-001")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state()
    page.screenshot(path=str(ARTIFACTS / "overview-filtered.png"), full_page=True)
    with_late = {sid for (sid,) in web_store.sql(CURRENT + """
        SELECT DISTINCT f.site_id FROM findings f
        JOIN cur ON cur.run_id = f.run_id AND cur.site_id = f.site_id
        WHERE f.rule_id = 'PUB-001' AND f.waived IS NULL""")}
    assert set(_shown_sites(page)) == with_late
    assert len(with_late) < len(web_store.sql("SELECT id FROM sites"))

    (year,) = web_store.sql("SELECT MAX(year) FROM reports WHERE portal = 0")[0]
    page.goto(f"{server.url}/?year={year}")
    assert page.locator("#overview thead th.year").all_inner_texts() == [f"{year}年度"]


def test_report_page_marks_the_cells_findings_name(page: Page, server: Server, web_store: WebStore) -> None:
    rows = web_store.sql(CURRENT + """
        SELECT f.report_id, f.cells FROM findings f
        JOIN cur ON cur.run_id = f.run_id AND cur.site_id = f.site_id
        WHERE f.waived IS NULL AND f.cells != '[]'""")
    assert rows, "the probe's unbalanced and markup reports must give findings that name cells"
    named: dict[int, set[tuple[str, str, str]]] = {}
    for report_id, cells in rows:
        named.setdefault(report_id, set()).update(tuple(c) for c in json.loads(cells))
    for report_id, cells in named.items():
        page.goto(f"{server.url}/reports/{report_id}")
        marked = page.locator("table.grid td.marked").evaluate_all(
            "cs => cs.map(c => [c.closest('table').dataset.table, c.dataset.row, c.dataset.col])"
        )
        assert {tuple(m) for m in marked} == cells, report_id
    page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)


def test_markup_in_a_report_is_shown_as_text(
    page: Page, dialogs: list[str], server: Server, web_store: WebStore
) -> None:
    (report_id,) = web_store.sql(CURRENT + """
        SELECT r.id FROM reports r JOIN cur ON cur.run_id = r.run_id AND cur.site_id = r.site_id
        WHERE r.title LIKE '%<script>%'""")[0]
    page.goto(f"{server.url}/reports/{report_id}")
    page.screenshot(path=str(ARTIFACTS / "report-markup-probe.png"), full_page=True)
    assert MARKUP in page.inner_text("#report-title")
    assert page.locator("#report-title b").count() == 0
    assert page.locator("main script, main b").count() == 0
    cell = page.locator('table.grid[data-table="T3"] td[data-row="new"][data-col="natural"]')
    assert MARKUP in cell.inner_text()
    assert "marked" in (cell.get_attribute("class") or ""), "VAL-001 names the cell: it must be marked"
    assert dialogs == []
    page.goto(f"{server.url}/?region={MARKUP}")
    assert dialogs == []


def test_report_page_shows_provenance_findings_and_sections(
    page: Page, server: Server, web_store: WebStore
) -> None:
    report_id, source, sha, published = web_store.sql(CURRENT + """
        SELECT r.id, r.source, r.sha256, r.published FROM reports r
        JOIN cur ON cur.run_id = r.run_id AND cur.site_id = r.site_id
        WHERE r.model_id IS NOT NULL AND r.published IS NOT NULL ORDER BY r.id LIMIT 1""")[0]
    page.goto(f"{server.url}/reports/{report_id}")
    meta = page.inner_text("section.meta")
    assert source in meta and sha in meta and published in meta
    assert page.locator("a.source").get_attribute("href") == source
    finding_ids = {rid for (rid,) in web_store.sql(
        "SELECT rule_id FROM findings WHERE report_id = ? AND waived IS NULL", report_id)}
    assert set(page.locator("#findings article.finding").evaluate_all("fs => fs.map(f => f."
                                                                      "dataset.rule)")) == finding_ids
    assert page.locator("#sections .section-block").count() == 6
    assert page.locator("table.grid").count() >= 3


def test_downloads_of_the_current_filter_open(page: Page, server: Server, web_store: WebStore,
                                              tmp_path: Path) -> None:
    page.goto(server.url + "/?level=department")
    reports = web_store.sql(CURRENT + """
        SELECT COUNT(*) FROM reports r JOIN cur ON cur.run_id = r.run_id AND cur.site_id = r.site_id
        JOIN sites s ON s.id = r.site_id WHERE s.level = 'department'""")[0][0]
    files = {}
    for name in ("findings.xlsx", "findings.csv", "findings.json", "report.html"):
        with page.expect_download() as info:
            page.click(f'section.downloads a[href^="/download/{name}"]')
        files[name] = tmp_path / name
        info.value.save_as(files[name])
    data = json.loads(files["findings.json"].read_text(encoding="utf-8"))
    assert len(data["reports"]) == reports
    workbook = openpyxl.load_workbook(files["findings.xlsx"])
    assert workbook.worksheets and workbook.worksheets[0].max_row >= 1
    parsed = list(csv.reader(io.StringIO(files["findings.csv"].read_text(encoding="utf-8-sig"))))
    assert parsed and len(parsed[0]) > 1
    html = files["report.html"].read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html


def test_charts_are_inline_svg(page: Page, server: Server, web_store: WebStore) -> None:
    page.goto(server.url + "/")
    assert page.locator("figure.chart svg").count() == 3
    rules = {r for (r,) in web_store.sql(CURRENT + """
        SELECT DISTINCT f.rule_id FROM findings f
        JOIN cur ON cur.run_id = f.run_id AND cur.site_id = f.site_id
        WHERE f.waived IS NULL""")}
    labels = page.locator("figure.chart").first.locator("text.label").all_text_contents()
    shown = {re.match(r"[A-Z]+-\d{3}", label).group(0) for label in labels}  # type: ignore[union-attr]
    assert len(labels) == min(10, len(rules)) and shown <= rules
    runs = web_store.sql("SELECT COUNT(*) FROM runs WHERE kind = 'run' AND status = 'done'")[0][0]
    assert page.locator("figure.chart").nth(2).locator("circle.dot.error").count() == runs


def test_rule_catalogue_lists_rules_with_current_counts(page: Page, server: Server,
                                                        web_store: WebStore) -> None:
    page.goto(server.url + "/rules")
    page.screenshot(path=str(ARTIFACTS / "rules.png"), full_page=True)
    listed = set(page.locator("table.rules tbody tr").evaluate_all("rs => rs.map(r => r.id)"))
    assert {"PUB-001", "PUB-002"} <= listed
    (late,) = web_store.sql(CURRENT + """
        SELECT COUNT(*) FROM findings f JOIN cur ON cur.run_id = f.run_id AND cur.site_id = f.site_id
        WHERE f.rule_id = 'PUB-001' AND f.waived IS NULL""")[0]
    assert page.inner_text('tr[id="PUB-001"] td.num').strip() == str(late)
    page.click('tr[id="PUB-001"] a.rule-id, tr[id="PUB-001"] td.rule-id a')
    page.wait_for_load_state()
    page.screenshot(path=str(ARTIFACTS / "rule.png"), full_page=True)
    assert page.locator("#rule-hits tbody tr").count() == len(web_store.sql(CURRENT + """
        SELECT DISTINCT f.report_id FROM findings f
        JOIN cur ON cur.run_id = f.run_id AND cur.site_id = f.site_id
        WHERE f.rule_id = 'PUB-001' AND f.waived IS NULL"""))


def test_pages_work_without_javascript(
    playwright: Playwright, server: Server, web_store: WebStore, tmp_path: Path
) -> None:
    context = launch(playwright, tmp_path / "profile", java_script_enabled=False)
    try:
        tab = context.new_page()
        tab.goto(server.url + "/")
        tab.select_option("select[name=level]", "government")
        tab.click("form.filters button[type=submit]")
        tab.wait_for_load_state()
        governments = {sid for (sid,) in web_store.sql("SELECT id FROM sites WHERE level = 'government'")}
        assert set(_shown_sites(tab)) == governments
        tab.click("#overview td.cell a.pill >> nth=0")
        tab.wait_for_load_state()
        assert "/reports/" in tab.url and tab.locator("table.grid").count() >= 1
    finally:
        context.close()
