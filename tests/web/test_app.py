"""The application object on stores written through the store's API: read-only connections, markup
from a report kept inert, security headers, an empty store."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from lxml import html
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from auditor.findings.model import Finding, Location, ReportResult
from auditor.model import Cell, Document, Table
from auditor.store import Store
from auditor.store import runs as store_runs
from auditor.web import create_app
from auditor.web.security import CONTENT_SECURITY_POLICY
from crawler.sites import Site
from crawler.snapshot import Snapshotter
from tests.web.conftest import asgi_get

MARKUP = "<script>alert(1)</script><b>x</b>"


def _get(store: Store, *paths: str) -> list[httpx.Response]:
    return asgi_get(create_app(store), *paths)


def _store_with_markup(root: Path) -> tuple[Store, int]:
    """A store holding one audited report whose title, a cell and a finding carry markup."""
    store = Store.open(root)
    Snapshotter(store, None).save_site(Site(id="x", name="青山区探针局", start_urls=("http://127.0.0.1/",)))
    run_id = store_runs.start_run(store, "run", ["x"])
    t3 = Table(kind="T3", template="2021", cells={
        ("new", "natural"): Cell(raw=MARKUP, kind="text"),
        ("new", "total"): Cell(raw="3", kind="number", value=Decimal(3)),
    })
    doc = Document(source="javascript:alert(1)", sha256="0" * 64, format="html", title=f"报告{MARKUP}",
                   agency=f"青山区探针局{MARKUP}", year=2024, tables=[t3])
    finding = Finding(rule_id="VAL-001", severity="error", title="非数值", message=f"单元格为{MARKUP}",
                      location=Location(section="三", table="T3", row="一", column="自然人"), evidence=MARKUP,
                      cells=[("T3", "new", "natural")], fingerprint="f" * 16)
    report_id = store_runs.save_report(
        store, run_id=run_id, site_id="x", result=ReportResult(doc.source, doc.sha256, doc, [finding]),
        ref=store_runs.ReportRef(None, None), audited_run_id=run_id, portal_findings=[],
        baseline=store_runs.Baseline(None, {}),
    )
    store_runs.finish_site(store, run_id, "x", "done", {})
    store_runs.finish_run(store, run_id, "done", {})
    return store, report_id


def test_markup_in_cells_titles_and_findings_stays_text(tmp_path: Path) -> None:
    store, report_id = _store_with_markup(tmp_path)
    page, overview = _get(store, f"/reports/{report_id}", "/")
    tree = html.fromstring(page.text)
    assert tree.xpath("//main//script | //main//b") == []
    (cell,) = tree.xpath('//table[@data-table="T3"]//td[@data-row="new"][@data-col="natural"]')
    assert MARKUP in cell.text_content() and "marked" in cell.get("class")
    assert MARKUP in tree.xpath('string(//h1[@id="report-title"])')
    assert MARKUP in tree.xpath('string(//article[@data-rule="VAL-001"])')
    assert tree.xpath('//a[contains(@href, "javascript:")]') == []
    assert html.fromstring(overview.text).xpath("//main//script | //main//b") == []


def test_connections_refuse_writes(tmp_path: Path) -> None:
    store = Store.open(tmp_path)
    create_app(store)
    with store.engine.connect() as con, pytest.raises(OperationalError, match="readonly"):
        con.execute(text("DELETE FROM sites"))


def test_an_empty_store_shows_an_empty_overview(tmp_path: Path) -> None:
    overview, rules = _get(Store.open(tmp_path), "/", "/rules")
    assert overview.status_code == 200 and "还没有完成的审查" in overview.text
    assert overview.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert rules.status_code == 200


def test_html_report_of_too_many_reports_asks_to_narrow_the_filter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, _ = _store_with_markup(tmp_path)
    monkeypatch.setattr("auditor.web.routes.MODEL_LIMIT", 0)
    html_report, csv_file = _get(store, "/download/report.html", "/download/findings.csv")
    assert html_report.status_code == 400 and "缩小范围" in html_report.text
    assert csv_file.status_code == 200 and MARKUP in csv_file.content.decode("utf-8-sig")
