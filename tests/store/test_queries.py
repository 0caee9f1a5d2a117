"""The store's query API (what the web view reads) and the WARC export, after two runs of the demo
portal with a report changed in between."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from auditor.store import Store, queries
from crawler import service
from crawler.demo_portal import DemoPortal
from crawler.warc import export_warc
from tests.crawler.support import BASE_YEAR, TODAY, gov_path, sites_file

B = BASE_YEAR


@dataclass
class Runs:
    portal: DemoPortal
    store: Store
    first: int
    second: int


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    root = tmp_path_factory.mktemp("queries")
    with DemoPortal(base_year=B, slow_seconds=0.05) as portal:
        store = Store.open(root / "store")
        sites = sites_file(portal)
        first = service.run(sites, store, root / "out", options=service.Options(today=TODAY)).run_id
        portal.revise()
        second = service.run(sites, store, root / "out", options=service.Options(today=TODAY)).run_id
        yield Runs(portal, store, first, second)
        store.close()


def test_sites_and_runs(runs: Runs) -> None:
    assert [s.id for s in queries.sites(runs.store)] == ["demo-dept", "demo-gov"]
    listed = queries.runs(runs.store)
    assert [(r.id, r.kind, r.status) for r in listed] == [
        (runs.second, "run", "done"), (runs.first, "run", "done")]
    latest = queries.latest_run(runs.store, site_id="demo-gov")
    assert latest is not None and latest.id == runs.second
    gov = latest.sites["demo-gov"]
    assert gov.previous_run_id == runs.first and gov.counts["audited"] == 1
    assert queries.get_run(runs.store, 999) is None


def test_reports_of_a_run_with_counts(runs: Runs) -> None:
    reports = queries.run_reports(runs.store, runs.second, site_id="demo-gov")
    portal_entry = [r for r in reports if r.portal]
    assert len(portal_entry) == 1 and portal_entry[0].counts == {"error": 1, "warning": 1, "info": 0}
    revised = next(r for r in reports if r.source.endswith(gov_path(runs.portal, 1)))
    assert revised.audited_run_id == runs.second and revised.year == B - 1
    model = queries.report_model(runs.store, revised.id)
    assert model is not None and {"sections", "tables"} <= set(model)
    unchanged = next(r for r in reports if r.source.endswith(gov_path(runs.portal, 5)))
    assert unchanged.audited_run_id == runs.first, "unchanged documents carry their earlier audit"


def test_findings_filtered(runs: Runs) -> None:
    late = queries.findings(runs.store, rule_id="PUB-001")
    assert sorted((f.site_id, f.year) for f in late) == [("demo-dept", B - 2), ("demo-gov", B - 4)]
    assert all(f.run_id == runs.second for f in late), "default: the latest completed run"
    dept = queries.findings(runs.store, site_id="demo-dept", rule_id="PUB-001", status="persisting")
    assert len(dept) == 1 and dept[0].first_run_id == runs.first
    assert [f.rule_id for f in queries.findings(runs.store, year=B - 4, severity="error")] == ["PUB-001"]
    changed = queries.findings(runs.store, rule_id="PUB-003", severity="warning")
    assert [(f.status, f.origin) for f in changed] == [("new", "portal")]
    earlier = queries.findings(runs.store, run_id=runs.first, rule_id="PUB-003")
    assert earlier == []


def test_diff_with_the_previous_run(runs: Runs) -> None:
    diff = queries.run_diff(runs.store, runs.second)
    assert diff.previous_run_ids == {"demo-gov": runs.first, "demo-dept": runs.first}
    assert [f.rule_id for f in diff.new if f.origin == "portal"] == ["PUB-003"]
    assert Counter(f.rule_id for f in diff.persisting if f.origin == "portal") == Counter(
        {"PUB-001": 2, "PUB-002": 1, "PUB-005": 2})
    # the correction may resolve findings of the revised report itself, nothing else
    resolved = {f.source.removeprefix(f"http://{runs.portal.host}") for f in diff.resolved}
    assert resolved <= {gov_path(runs.portal, 1)}
    assert not [f for f in diff.resolved if f.origin == "portal"]
    assert diff.to_dict()["new"][0]["status"] == "new"


def test_versions_and_captures(runs: Runs) -> None:
    report = next(r for r in queries.run_reports(runs.store, runs.second)
                  if r.source.endswith(gov_path(runs.portal, 1)))
    assert report.document_id is not None
    versions = queries.document_versions(runs.store, report.document_id)
    assert [v.current for v in versions] == [False, True]
    assert all(queries.blob(runs.store, v.sha256) for v in versions)
    second = queries.captures(runs.store, run_id=runs.second)
    assert {c.purpose for c in second} == {"robots", "listing", "article", "attachment"}
    assert sum(c.not_modified for c in second) == len([c for c in second if c.status == 304]) > 10


def test_warc_export_reads_back(runs: Runs, tmp_path: Path) -> None:
    path = tmp_path / "run.warc.gz"
    written = export_warc(runs.store, runs.second, path)
    with path.open("rb") as fh:
        records = [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI"), r.http_headers.get_statuscode()
                    if r.http_headers else None, r.content_stream().read()) for r in ArchiveIterator(fh)]
    assert records[0][0] == "warcinfo" and len(records) == written + 1
    kinds = Counter(kind for kind, *_ in records[1:])
    with_status = [c for c in queries.captures(runs.store, run_id=runs.second) if c.status is not None]
    assert kinds["revisit"] == sum(c.not_modified for c in with_status)
    assert kinds["response"] == len(with_status) - kinds["revisit"]
    revised = next(r for r in records if r[0] == "response" and r[1].endswith(gov_path(runs.portal, 1)))
    assert revised[2] == "200" and "第1次更正".encode() in revised[3]
