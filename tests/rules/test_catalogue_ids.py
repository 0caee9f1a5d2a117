"""Every catalogue id is a rule file: `rules list`, the web catalogue and the portal checks agree."""

from __future__ import annotations

from datetime import date

from typer.testing import CliRunner

from auditor.engine.rulefile import project_rule
from auditor.web.catalogue import known_rules
from crawler.checks import PORTAL_RULES, portal_findings
from crawler.crawl import BrokenLink, SiteCrawl
from crawler.deadlines import STATUTORY_DEADLINES
from crawler.sites import Site
from nianbao.cli import app


def _listed_ids() -> list[str]:
    result = CliRunner().invoke(app, ["rules", "list"])
    assert result.exit_code == 0, result.output
    return [line.split("\t")[0] for line in result.stdout.splitlines() if "\t" in line]


def test_rules_list_and_web_catalogue_show_the_same_44_ids() -> None:
    listed = _listed_ids()
    assert len(listed) == 44
    assert set(listed) == set(known_rules())
    assert set(PORTAL_RULES) <= set(listed)


def test_web_catalogue_entries_are_the_rule_files() -> None:
    for rule_id, entry in known_rules().items():
        rule = project_rule(rule_id)
        assert (entry.title, entry.severity, entry.basis) == (rule.title, rule.severity, rule.basis)


def test_explain_knows_the_portal_rules() -> None:
    result = CliRunner().invoke(app, ["rules", "explain", "PUB-002"])
    assert result.exit_code == 0, result.output
    assert "未找到年度报告" in result.stdout and "门户检查" in result.stdout


def test_rules_test_says_a_portal_rule_has_no_document_examples() -> None:
    result = CliRunner().invoke(app, ["rules", "test", "--rule", "PUB-005"])
    assert result.exit_code == 0, result.output
    assert "PORTAL PUB-005" in result.stdout and "无文档示例" in result.stdout


def test_portal_findings_carry_their_rule_files_title_and_basis() -> None:
    site = Site(id="d", name="甲区财政局", start_urls=("http://h/l.html",), level="department")
    crawl = SiteCrawl(site, listing_pages=["http://h/l.html"], broken=[
        BrokenLink("http://h/a.pdf", "附件", 2023, "listing", "report", "HTTP 404", 404)])
    found = portal_findings(site, crawl, date(2024, 6, 1)).all
    assert {f.rule_id for f in found} == {"PUB-002", "PUB-005"}
    for finding in found:
        rule = project_rule(finding.rule_id)
        assert (finding.title, finding.severity, finding.basis) == (rule.title, rule.severity, rule.basis)


def test_one_deadline_table() -> None:
    assert {k: v for k, v in project_rule("PUB-001").params.items() if v} == STATUTORY_DEADLINES
    assert STATUTORY_DEADLINES == {"government": "03-31", "department": "01-31"}


def test_a_broken_portal_rule_file_does_not_stop_the_crawl(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from auditor.engine.rulefile import RuleFileError
    from crawler import checks

    def broken(rule_id: str) -> None:
        raise RuleFileError(f"{rule_id}.yaml: severity: Input should be 'error', 'warning' or 'info'")

    monkeypatch.setattr(checks, "project_rule", broken)
    site = Site(id="d", name="甲区财政局", start_urls=("http://h/l.html",), level="department")
    crawl = SiteCrawl(site, listing_pages=["http://h/l.html"])
    (finding,) = portal_findings(site, crawl, date(2024, 6, 1)).all
    assert finding.rule_id == "PUB-002" and finding.title == "门户检查 PUB-002"
