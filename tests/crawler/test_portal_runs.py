"""Three runs against the demo portal: what was fetched and not, retries, redirects, encodings,
publication dates, the portal findings, conditional requests on later runs, and the comparison of runs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from auditor.samples import make_report, render_pdf
from auditor.store import Store, queries
from crawler import service
from crawler.checks import PORTAL_RULES
from crawler.demo_portal import BULK_LISTING, GOV, DemoPortal, Hit
from tests.crawler.support import BASE_YEAR, TODAY, gov_path, sites_file

B = BASE_YEAR


@dataclass
class Scenario:
    portal: DemoPortal
    mirror: DemoPortal
    store: Store
    out: Path
    runs: list[service.RunOutcome]
    hits: list[list[Hit]]
    """The portal's requests during each run."""

    def findings(self, run: int) -> set[tuple[str, str, str | None]]:
        """(rule id, source path, status) of the run's portal findings."""
        host = f"http://{self.portal.host}"
        return {
            (f.rule_id, r.source.removeprefix(host), f.status)
            for r in self.runs[run].results for f in r.findings if f.rule_id in PORTAL_RULES
        }


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    root = tmp_path_factory.mktemp("portal")
    with DemoPortal(host="127.0.0.2", base_year=B) as mirror, DemoPortal(
        base_year=B, slow_seconds=0.2, other_host=mirror.url("")
    ) as portal:
        store = Store.open(root / "store")
        sites = sites_file(portal)
        runs: list[service.RunOutcome] = []
        hits: list[list[Hit]] = []

        def one_run() -> None:
            before = len(portal.hits)
            runs.append(service.run(sites, store, root / "out", options=service.Options(today=TODAY)))
            hits.append(portal.hits[before:])

        one_run()
        portal.revise()
        one_run()
        repaired = portal.url(f"/xxgk/ndbg/{B - 1}03/P0{B - 1}0315_102_2.pdf")
        report = make_report(3, year=B - 2, agency=GOV, level="government")
        portal.put(repaired.removeprefix(f"http://{portal.host}"), render_pdf(report), "application/pdf")
        one_run()
        yield Scenario(portal, mirror, store, root / "out", runs, hits)
        store.close()


def paths(hits: list[Hit], status: int | None = None) -> list[str]:
    return [h.path for h in hits if status is None or h.status == status]


def test_all_listing_pages_followed(scenario: Scenario) -> None:
    first = set(paths(scenario.hits[0]))
    trs = {"/xxgk/ndbg/index.html", "/xxgk/ndbg/index_1.html", "/xxgk/ndbg/index_2.html"}
    paged = {"/bmxxgk/czj/ndbg/list.html?page=1", "/bmxxgk/czj/ndbg/list.html?page=2"}
    assert trs | paged <= first
    assert BULK_LISTING not in first
    site = {s.site_id: s.crawl for s in scenario.runs[0].sites}
    assert len(site["demo-gov"].listing_pages) == 3 and len(site["demo-dept"].listing_pages) == 2


def test_what_is_not_fetched(scenario: Scenario) -> None:
    every = [p for run in scenario.hits for p in paths(run)]
    assert not [p for p in every if p.startswith("/private/")], "robots.txt disallows /private/"
    assert not [p for p in every if p.startswith("/xxgk/tzgg/")], "notices are not annual reports"
    assert scenario.mirror.hits == [], "the link to another host is not followed"
    skipped = dict(next(s for s in scenario.runs[0].sites if s.site_id == "demo-gov").crawl.skipped)
    assert skipped[scenario.portal.url("/private/ndbg/draft.html")] == "robots.txt 不允许抓取"
    assert skipped[scenario.mirror.url("/xxgk/ndbg/mirror.html")].startswith("不在允许的主机范围内")


def test_every_request_names_the_crawler(scenario: Scenario) -> None:
    agents = {h.user_agent for run in scenario.hits for h in run}
    assert len(agents) == 1
    agent = agents.pop()
    assert agent.startswith("nianbao/") and "+http" in agent


def test_500_is_retried_until_it_works(scenario: Scenario) -> None:
    flaky = gov_path(scenario.portal, 5)
    assert [h.status for h in scenario.hits[0] if h.path == flaky] == [500, 500, 200]


def test_429_waits_for_retry_after(scenario: Scenario) -> None:
    limited = [h for h in scenario.hits[0] if h.path == gov_path(scenario.portal, 6)]
    assert [h.status for h in limited] == [429, 200]
    assert limited[1].at - limited[0].at >= 0.99


def test_redirect_loop_is_detected_and_bounded(scenario: Scenario) -> None:
    loop = [h.path for h in scenario.hits[0] if "/loop/" in h.path]
    assert loop == ["/xxgk/ndbg/loop/a.html", "/xxgk/ndbg/loop/b.html"]


def test_every_response_is_kept_as_evidence(scenario: Scenario) -> None:
    first = scenario.runs[0].run_id
    flaky = queries.captures(scenario.store, run_id=first,
                             url=scenario.portal.url(gov_path(scenario.portal, 5)))
    assert [(c.status, c.error is None) for c in flaky] == [(500, False), (500, False), (200, True)]
    assert all(c.sha256 and scenario.store.blobs.has(c.sha256) for c in flaky)
    assert flaky[0].headers and flaky[-1].purpose == "article"
    loop = queries.captures(scenario.store, run_id=first, url=scenario.portal.url("/xxgk/ndbg/loop/a.html"))
    assert [(c.final_url.rsplit("/", 1)[1], c.status, c.error is None) for c in loop] == [
        ("a.html", 302, True), ("b.html", 302, False)]
    robots = queries.captures(scenario.store, run_id=first, url=scenario.portal.url("/robots.txt"))
    assert [c.status for c in robots] == [200]


def test_documents_types_encodings_and_dates(scenario: Scenario) -> None:
    host = f"http://{scenario.portal.host}"
    docs = {
        d.url.removeprefix(host): (d.kind, d.format, d.encoding, d.year, str(d.published),
                                   d.published_source, d.auditable)
        for s in scenario.runs[0].sites for d in s.crawl.documents
    }
    b = B
    assert docs == {
        gov_path(scenario.portal, 1): ("page", "html", "utf-8", b - 1, f"{b}-03-20", "发布时间", True),
        gov_path(scenario.portal, 2): ("page", "html", "gb18030", b - 2, f"{b - 1}-03-15", "发布时间", False),
        f"/xxgk/ndbg/{b - 1}03/P0{b - 1}031"
        "5_102.docx": ("attachment", "docx", None, b - 2, f"{b - 1}-03-15", "发布时间", True),
        gov_path(scenario.portal, 4): ("page", "html", "utf-8", b - 4, f"{b - 3}-05-10", "发布时间", False),
        # named .doc, served as application/msword, but the bytes are a PDF
        f"/xxgk/ndbg/{b - 3}05/P0{b - 3}0510_104.doc": ("attachment", "pdf", None, b - 4,
                                                        f"{b - 3}-05-10", "发布时间", True),
        gov_path(scenario.portal, 5): ("page", "html", "utf-8", b - 5, f"{b - 4}-03-10", "发布时间", True),
        gov_path(scenario.portal, 6): ("page", "html", "utf-8", b - 6, f"{b - 5}-03-10", "发布时间", True),
        gov_path(scenario.portal, 7): ("page", "html", "utf-8", b - 7, f"{b - 6}-03-10", "发布时间", True),
        f"/bmxxgk/czj/ndbg/files/{b - 1}nb.pdf": ("file", "pdf", None, b - 1, f"{b}-01-20", "listing", True),
        f"/bmxxgk/czj/ndbg/{b - 1}02/t{b - 1}021"
        "5_201.html": ("page", "html", "utf-8", b - 2, f"{b - 1}-02-15", "发布时间", True),
        f"/bmxxgk/czj/ndbg/{b - 2}01/t{b - 2}011"
        "0_202.html": ("page", "html", "utf-8", b - 3, f"{b - 2}-01-10", "发布时间", False),
        f"/bmxxgk/czj/ndbg/{b - 2}01/P0{b - 2}01"
        "10_202.pdf": ("attachment", "pdf", None, b - 3, f"{b - 2}-01-10", "发布时间", True),
    }


def test_portal_findings_of_the_first_run(scenario: Scenario) -> None:
    b = B
    listing = "/xxgk/ndbg/index.html"
    assert scenario.findings(0) == {
        ("PUB-001", gov_path(scenario.portal, 4), "new"),  # government report published 05-10, due 03-31
        ("PUB-001", f"/bmxxgk/czj/ndbg/{b - 1}02/t{b - 1}0215_201.html", "new"),  # department: 02-15 > 01-31
        ("PUB-002", listing, "new"),  # year B-3 missing
        ("PUB-005", listing, "new"),  # the redirect loop
        ("PUB-005", gov_path(scenario.portal, 2), "new"),  # its second attachment answers 404
    }
    messages = {f.rule_id: f.message
                for r in scenario.runs[0].results for f in r.findings if f.rule_id == "PUB-002"}
    assert f"{b - 3}年度报告" in messages["PUB-002"]


def test_second_run_asks_conditionally_and_fetches_only_what_changed(scenario: Scenario) -> None:
    second = scenario.hits[1]
    fetched_before = {h.path for h in scenario.hits[0] if h.status == 200}
    for hit in second:
        if hit.path in fetched_before:
            assert hit.if_none_match, f"{hit.path} asked unconditionally"
    changed = {(h.path, h.status) for h in second if h.status != 304}
    assert changed == {
        (gov_path(scenario.portal, 1), 200),  # revised between the runs
        ("/xxgk/ndbg/loop/a.html", 302),  # broken links are tried again
        ("/xxgk/ndbg/loop/b.html", 302),
        (f"/xxgk/ndbg/{B - 1}03/P0{B - 1}0315_102_2.pdf", 404),
    }


def test_changed_report_is_pub003_with_both_versions_kept(scenario: Scenario) -> None:
    revised = gov_path(scenario.portal, 1)
    assert ("PUB-003", revised, "new") in scenario.findings(1)
    run2 = scenario.runs[1].sites[0]
    doc = next(d for d in run2.crawl.documents if d.url.endswith(revised))
    versions = queries.document_versions(scenario.store, doc.state.document_id)
    assert len(versions) == 2 and versions[-1].current and not versions[0].current
    assert all(scenario.store.blobs.has(v.sha256) for v in versions)
    finding = next(f for r in scenario.runs[1].results for f in r.findings if f.rule_id == "PUB-003")
    assert all(v.sha256 in finding.evidence for v in versions)


def test_only_the_changed_document_is_audited_again(scenario: Scenario) -> None:
    audited = [{s.site_id: (s.audited, s.carried) for s in run.sites} for run in scenario.runs]
    assert audited[0] == {"demo-gov": (6, 0), "demo-dept": (3, 0)}
    assert audited[1] == {"demo-gov": (1, 5), "demo-dept": (0, 3)}
    assert audited[2] == {"demo-gov": (1, 6), "demo-dept": (0, 3)}  # the repaired attachment is new


def test_runs_compared_new_persisting_resolved(scenario: Scenario) -> None:
    second = scenario.findings(1)
    assert {f for f in second if f[2] == "new"} == {("PUB-003", gov_path(scenario.portal, 1), "new")}
    third = scenario.findings(2)
    attachment_page = gov_path(scenario.portal, 2)
    assert ("PUB-005", attachment_page, "persisting") not in third
    assert all(status == "persisting" for *_, status in third)
    diff = queries.run_diff(scenario.store, scenario.runs[2].run_id)
    portal = [f for f in diff.resolved if f.origin == "portal"]
    assert [(f.rule_id, f.source.endswith(attachment_page)) for f in portal] == [
        ("PUB-005", True)
    ]
    # only the newly reachable attachment brings new findings (its own audit), no portal finding is new
    assert {f.source.removeprefix(f"http://{scenario.portal.host}") for f in diff.new} <= {
        f"/xxgk/ndbg/{B - 1}03/P0{B - 1}0315_102_2.pdf"
    }
    assert not [f for f in diff.new if f.origin == "portal"]
    gov = next(s for s in scenario.runs[2].sites if s.site_id == "demo-gov")
    assert [r["rule_id"] for r in gov.resolved] == ["PUB-005"]


def test_findings_json_and_run_json_written(scenario: Scenario) -> None:
    data = json.loads((scenario.out / "findings.json").read_text(encoding="utf-8"))
    rule_ids = {r["id"] for r in data["rules"]}
    assert {"PUB-001", "PUB-002", "PUB-003", "PUB-005"} <= rule_ids
    statuses = {f["status"] for r in data["reports"] for f in r["findings"] if f["rule_id"] in PORTAL_RULES}
    assert statuses == {"persisting"}
    summary = json.loads((scenario.out / "run.json").read_text(encoding="utf-8"))
    assert summary["run"] == scenario.runs[2].run_id
    gov = next(s for s in summary["sites"] if s["site"] == "demo-gov")
    assert gov["resolved"] == 1 and gov["resolved_findings"][0]["rule_id"] == "PUB-005"
