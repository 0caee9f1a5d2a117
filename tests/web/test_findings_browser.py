"""findings.html in a real browser: an officer follows the summary to a report and opens a folded table."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page

from auditor.engine import default_rulebase
from auditor.findings.htmlreport import write_html
from tests.engine.support import audit_documents, clean_document
from tests.web.conftest import ARTIFACTS


@pytest.fixture(scope="module")
def findings_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """findings.html for 30 reports; report 17 has an imbalanced T3."""
    docs = [clean_document(seed=100 + i) for i in range(30)]
    t3 = docs[16].table("T3")
    assert t3 is not None
    t3.cells[("new", "natural")] = type(t3.cells[("new", "natural")])("99", "number", 99)
    results = audit_documents(docs)
    return write_html(tmp_path_factory.mktemp("html"), results, default_rulebase().rules_meta())


def test_summary_link_leads_to_the_report_and_a_folded_table_opens(page: Page, findings_page: Path) -> None:
    page.goto(findings_page.as_uri())
    rows = page.locator("#summary tbody tr")
    assert rows.count() == 30
    row = rows.nth(16)
    assert int(row.locator("td.e").inner_text()) >= 1, "the imbalanced report shows its errors in the summary"
    body = row.locator("a").inner_text()

    row.locator("a").click()
    assert page.url.endswith("#r-17")
    section = page.locator("section#r-17")
    assert body in section.locator("h2").inner_text()
    top = section.evaluate("s => s.getBoundingClientRect().top")
    assert -2 <= top < 50, "the browser scrolled to the report's section (to within subpixels)"

    highlighted = section.locator("td.hl-error").first
    assert highlighted.is_visible() and highlighted.inner_text() == "99"
    folded = section.locator("details.table").first
    grid = folded.locator("table.grid")
    assert not grid.is_visible()
    folded.locator("summary").click()
    assert grid.is_visible() and folded.get_attribute("open") is not None
    page.screenshot(path=str(ARTIFACTS / "findings-html.png"), full_page=False)

    section.locator("a.back").click()
    assert page.url.endswith("#contents")
