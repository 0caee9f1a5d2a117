"""A small store written by the store's own writers, and what :mod:`auditor.store.queries` must read
back from it: shared by the SQLite tests (tests/store/test_read_api.py) and the PostgreSQL ones
(tests/distributed/test_read_api_postgres.py), so both databases answer the same questions alike.

Two sites.  Run 1 audits both; run 2 audits ``gov`` again (its report re-published: one finding
persists, one is resolved, one is new; the portal's finding is resolved too) with an attachment beside
it; run 3 fails.  So ``gov``'s current
run is run 2, ``dept``'s is run 1, and run 3 is nobody's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields, is_dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from auditor.findings.model import Finding, Location, ReportResult
from auditor.model import Document, Section
from auditor.store import Store, queries, runs
from auditor.store.queries import (
    ALL,
    Counts,
    FindingFilter,
    RecordedRule,
    RuleCount,
    RuleHit,
    RunSiteView,
    Snapshot,
)
from auditor.store.schema import CaptureRow, DocumentRow, DocumentVersionRow, SiteRow

T0 = datetime(2024, 1, 10, 8, 0)
T1 = datetime(2024, 2, 10, 8, 0)
PAGE = "http://gov.example/ndbg/2023.html"
ATTACHMENT = "http://gov.example/ndbg/2023.pdf"
DEPT_PAGE = "http://dept.example/ndbg/2023.html"


@dataclass(frozen=True)
class Written:
    """The ids the scenario wrote."""

    first: int
    second: int
    failed: int
    page_1: int
    portal_1: int
    dept_1: int
    page_2: int
    attachment_2: int
    document: int
    version_1: int
    version_2: int
    capture_2: int
    document_model: dict[str, object]


def _finding(rule_id: str, severity: str, fingerprint: str, *, section: str | None = None,
             table: str | None = None,
             cells: list[tuple[str, str, str]] | None = None, waived: str | None = None) -> Finding:
    return Finding(rule_id=rule_id, severity=severity, title=f"{rule_id} 标题", message=f"{rule_id} 发现",
                   location=Location(section=section, table=table), evidence="证据", basis="依据", fix="整改",
                   cells=cells or [], fingerprint=fingerprint, waived=waived)


def _document(source: str, agency: str) -> Document:
    return Document(source=source, sha256="a" * 64, format="html",
                    title=f"{agency}2023年政府信息公开工作年度报告",
                    agency=agency, year=2023, level="government",
                    sections=[Section(key="一", heading="一、总体情况", text="总体情况正文", order=0)])


def _crawl_state(store: Store) -> tuple[int, int, int, int]:
    """The sites, and gov's page with two versions, the second fetched by a capture."""
    with store.session() as s:
        s.add_all([
            SiteRow(id="gov", name="A市人民政府", level="government", deadline="01-31",
                    start_urls=["http://gov.example/"],
                    config={}, updated_at=T0),
            SiteRow(id="dept", name="B市财政局", level="department", deadline=None, start_urls=[], config={},
                    updated_at=T0),
        ])
        s.flush()
        capture = CaptureRow(run_id=None, site_id="gov", url=PAGE,
                             final_url=PAGE + "?final", purpose="article",
                             fetched_at=T1, status=200,
                             headers=[["Content-Type", "text/html"]], sha256="b" * 64,
                             size=10, content_type="text/html", sniffed="html")
        doc = DocumentRow(site_id="gov", url=PAGE, kind="page", year=2023, first_seen=T0, last_seen=T1)
        s.add_all([capture, doc])
        s.flush()
        v1 = DocumentVersionRow(document_id=doc.id, sha256="a" * 64, content_hash="1" * 64, format="html",
                                first_seen=T0, last_seen=T0)
        v2 = DocumentVersionRow(document_id=doc.id, sha256="b" * 64, content_hash="2" * 64, format="html",
                                first_seen=T1, last_seen=T1, capture_id=capture.id)
        s.add_all([v1, v2])
        s.flush()
        doc.current_version_id = v2.id
        return doc.id, v1.id, v2.id, capture.id


def _save(store: Store, run_id: int, site_id: str, result: ReportResult, ref: runs.ReportRef,
          baseline: runs.Baseline) -> int:
    return runs.save_report(store, run_id=run_id, site_id=site_id, result=result,
                            ref=ref, audited_run_id=run_id,
                            portal_findings=[f for f in result.findings if f.rule_id.startswith("PUB")],
                            baseline=baseline)


def fill(store: Store) -> Written:
    """Write the scenario into an empty store."""
    document, v1, v2, capture = _crawl_state(store)
    gov = _document(PAGE, "A市人民政府")
    first = runs.start_run(store, "run", ["gov", "dept"])
    none = runs.Baseline(None, {})
    page_1 = _save(store, first, "gov", ReportResult(PAGE, "a" * 64, gov, [
        _finding("BAL-002", "error", "fp-bal", table="T3", cells=[("T3", "r1", "c1")]),
        _finding("SEC-009", "warning", "fp-sec9", section="一"),
    ]), runs.ReportRef(document, v1), none)
    portal_1 = _save(store, first, "gov", ReportResult("http://gov.example/", "", None, [
        _finding("PUB-002", "error", "fp-pub2"),
    ]), runs.ReportRef(None, None, portal=True), none)
    dept_1 = _save(store, first, "dept", ReportResult(DEPT_PAGE, "c" * 64,
                                                      _document(DEPT_PAGE, "B市财政局"), [
        _finding("SEC-001", "info", "fp-sec1", waived="已说明"),
    ]), runs.ReportRef(None, None), none)
    runs.finish_site(store, first, "gov", "done", {"documents": 1})
    runs.finish_site(store, first, "dept", "done", {"documents": 1})
    runs.finish_run(store, first, "done", {})

    second = runs.start_run(store, "run", ["gov"])
    baseline = runs.Baseline.load(store, first, "gov")
    page_2 = _save(store, second, "gov", ReportResult(PAGE, "b" * 64, gov, [
        _finding("BAL-002", "error", "fp-bal", table="T3", cells=[("T3", "r1", "c1")]),
        _finding("PUB-001", "warning", "fp-pub1"),
    ]), runs.ReportRef(document, v2), baseline)
    attachment_2 = _save(store, second, "gov",
                         ReportResult(ATTACHMENT, "d" * 64, _document(ATTACHMENT, "A市人民政府"),
                                                            []), runs.ReportRef(None, None), baseline)
    runs.record_resolved(store, second, "gov", baseline, {"fp-bal", "fp-pub1"})
    runs.finish_site(store, second, "gov", "done", {"documents": 2})
    runs.finish_run(store, second, "done", {})

    failed = runs.start_run(store, "run", ["gov"])
    runs.finish_run(store, failed, "failed", {}, error="网络中断")
    return Written(first, second, failed, page_1, portal_1, dept_1, page_2, attachment_2,
                   document, v1, v2, capture,
                   gov.to_dict())


def _no_orm_rows(value: object) -> None:
    """Every value the API returns is a plain typed value (views, tuples, builtins), never an ORM row."""
    assert "auditor.store.schema" not in type(value).__module__, type(value)
    if is_dataclass(value) and not isinstance(value, type):
        for f in fields(value):
            _no_orm_rows(getattr(value, f.name))
    elif isinstance(value, dict):
        for v in value.values():
            _no_orm_rows(v)
    elif isinstance(value, (list, tuple, set)):
        for v in value:
            _no_orm_rows(v)


def check_runs_and_reports(source: Store | Session, w: Written) -> None:
    """Sites, runs, reports and models."""
    assert [(s.id, s.level, s.deadline) for s in queries.sites(source)] == [
        ("dept", "department", None), ("gov", "government", "01-31")]
    assert queries.site_names(source) == [("gov", "A市人民政府", "government"),
                                          ("dept", "B市财政局", "department")]
    assert queries.get_site(source, "nowhere") is None
    assert [r.id for r in queries.runs(source)] == [w.failed, w.second, w.first]
    assert [r.id for r in queries.runs(source, site_id="dept")] == [w.first]
    assert [r.id for r in queries.runs(source, status="failed")] == [w.failed]
    latest = queries.latest_run(source)
    assert latest is not None and latest.id == w.second
    assert latest.sites == {"gov": RunSiteView("done", w.first, {"documents": 2})}
    dept = queries.latest_run(source, site_id="dept")
    assert dept is not None and dept.id == w.first and dept.sites["dept"].previous_run_id is None
    assert queries.get_run(source, 999) is None and queries.run_info(source, 999) is None
    failed = queries.run_info(source, w.failed)
    assert failed is not None and (failed.kind, failed.status) == ("run", "failed") and failed.finished_at
    reports = queries.run_reports(source, w.second)
    assert [(r.id, r.counts) for r in reports] == [
        (w.page_2, {"error": 1, "warning": 1, "info": 0}),
        (w.attachment_2, {"error": 0, "warning": 0, "info": 0})]
    first = {r.id: r for r in queries.run_reports(source, w.first)}
    assert first[w.portal_1].portal and first[w.portal_1].template == "unknown"
    assert first[w.dept_1].counts == {"error": 0, "warning": 0, "info": 0}, "waived findings are not counted"
    page = queries.get_report(source, w.page_2)
    assert page is not None
    assert (page.version_id, page.document_id, page.year) == (w.version_2, w.document, 2023)
    assert queries.report_model(source, w.page_1) == w.document_model
    assert queries.report_model(source, w.page_2) == w.document_model
    assert queries.report_model(source, w.portal_1) is None and queries.report_model(source, 12345) is None
    assert set(queries.models_of(source, [w.page_1, w.portal_1, w.dept_1])) == {w.page_1, w.dept_1}


def check_findings(source: Store | Session, w: Written) -> None:
    """Findings, their run-to-run status, and the diff."""
    latest = queries.findings(source)
    assert [(f.rule_id, f.status, f.first_run_id) for f in latest] == [
        ("BAL-002", "persisting", w.first), ("PUB-001", "new", w.second)]
    bal = latest[0]
    assert bal.cells == [("T3", "r1", "c1")] and bal.location["table"] == "T3" and bal.source == PAGE
    # errors first, then by source (the portal entry's is the site's address)
    assert [f.rule_id for f in queries.findings(source, run_id=w.first)] == ["PUB-002", "BAL-002", "SEC-009",
                                                                           "SEC-001"]
    assert [f.rule_id for f in queries.findings(source, run_id=w.first, include_waived=False)] == [
        "PUB-002", "BAL-002", "SEC-009"]
    assert [f.rule_id for f in queries.findings(source, site_id="dept")] == ["SEC-001"]
    assert [f.rule_id for f in queries.findings_of(source, w.page_1)] == ["BAL-002", "SEC-009"]
    diff = queries.run_diff(source, w.second)
    assert diff.previous_run_ids == {"gov": w.first}
    assert [f.rule_id for f in diff.new] == ["PUB-001"]
    assert [f.rule_id for f in diff.persisting] == ["BAL-002"]
    assert [(f.rule_id, f.status, f.report_id) for f in diff.resolved] == [
        ("SEC-009", "resolved", w.page_1), ("PUB-002", "resolved", w.portal_1)]
    assert json.loads(json.dumps(diff.to_dict()))["resolved"][0]["location"]["section"] == "一"
    page = queries.get_report(source, w.page_2)
    old = queries.get_report(source, w.page_1)
    assert page is not None and old is not None
    assert [f.rule_id for f in queries.resolved_of(source, page)] == ["SEC-009"]
    assert queries.siblings_of(source, page) == [queries.get_report(source, w.attachment_2)]
    assert queries.newer_report_of(source, old) == w.page_2 and queries.newer_report_of(source, page) is None
    assert queries.snapshot_of(source, page) == Snapshot(T1, T1, PAGE + "?final")
    assert queries.snapshot_of(source, old) == Snapshot(None, T0, None), "the first version had no capture"
    assert [(v.id, v.current, v.url) for v in queries.document_versions(source, w.document)] == [
        (w.version_1, False, PAGE), (w.version_2, True, PAGE)]
    (capture,) = queries.captures(source, url=PAGE, answered=True)
    assert capture.headers == [("Content-Type", "text/html")]
    assert queries.first_captures(source, {"b" * 64}) == {"b" * 64: capture}


def check_current_state(source: Store | Session, w: Written) -> None:
    """What the web view counts: each site's current run (gov: run 2, dept: run 1; the failed run 3 is
    nobody's)."""
    assert queries.current_sites(source, None) == {"gov", "dept"}
    runs_of = queries.current_run_of(source, ["gov", "dept"])
    assert {site: run_id for site, (run_id, _) in runs_of.items()} == {"gov": w.second, "dept": w.first}
    assert queries.site_counts(source, ALL, None) == {"gov": Counts(error=1, warning=1, new=1, resolved=2)}
    errors = FindingFilter(severity="error")
    assert queries.site_counts(source, errors, None) == {"gov": Counts(error=1, resolved=1)}
    assert queries.site_counts(source, FindingFilter(year=2022), None) == {}
    assert queries.site_years(source, None) == {"gov": {2023}, "dept": {2023}}
    briefs = queries.reports_of_sites(source, ALL, ["gov"])
    assert [(b.id, b.late, b.counts) for b in briefs] == [
        (w.page_2, True, Counts(error=1, warning=1, new=1)), (w.attachment_2, False, Counts())]
    assert queries.resolved_by_site_year(source, ALL, ["gov", "dept"]) == {("gov", 2023): 1, ("gov", None): 1}
    assert queries.late_count(source, ALL, None) == 1 and queries.late_count(source, ALL, ["dept"]) == 0
    assert queries.counts_by_rule(source, ALL, None) == [
        RuleCount("BAL-002", "BAL-002 标题", "error", 1), RuleCount("PUB-001", "PUB-001 标题", "warning", 1)]
    trend = queries.trend(source, ALL, None)
    assert [(p.id, p.sites, p.counts) for p in trend] == [
        (w.first, 2, Counts(error=2, warning=1, new=3)),
        (w.second, 1, Counts(error=1, warning=1, new=1, resolved=2))]
    assert queries.current_years(source) == [2023]
    assert queries.current_rule_ids(source) == ["BAL-002", "PUB-001", "SEC-001"]
    assert queries.rule_hits(source, "BAL-002", ALL, None, 0, 10) == (
        1, [RuleHit(w.page_2, "gov", "A市人民政府", "A市人民政府2023年政府信息公开工作年度报告",
                    2023, 1, "BAL-002 发现")])
    assert queries.rule_hits(source, "BAL-002", ALL, ["dept"], 0, 10) == (0, [])
    every = queries.current_findings(source, ALL, None)
    assert [(r.id, [f.rule_id for f in fs]) for r, fs in every] == [
        (w.dept_1, ["SEC-001"]), (w.page_2, ["BAL-002", "PUB-001"]), (w.attachment_2, [])]
    only = queries.current_findings(source, FindingFilter(rule="PUB-001"), None)
    assert [(r.id, [f.rule_id for f in fs]) for r, fs in only] == [(w.page_2, ["PUB-001"])]
    assert queries.recorded_rules(source, {"BAL-002", "PUB-001", "PUB-002", "SEC-009"}) == [
        RecordedRule("SEC-001", "SEC-001 标题", "info", "依据")]


def check_everything(source: Store | Session, w: Written) -> None:
    """Every check, then that nothing returned is an ORM row."""
    check_runs_and_reports(source, w)
    check_findings(source, w)
    check_current_state(source, w)
    for value in (queries.sites(source), queries.runs(source), queries.run_reports(source, w.second),
                  queries.findings(source), queries.run_diff(source, w.second), queries.captures(source),
                  queries.current_findings(source, ALL, None), queries.document_versions(source, w.document)):
        _no_orm_rows(value)
