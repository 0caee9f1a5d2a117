"""The rule base covers the catalogue of DOMAIN.md section 6, with its severities, and lints clean."""

from __future__ import annotations

import re

from auditor.engine import RULES_DIR, default_rulebase
from tests.rules.support import DOMAIN

CRAWLER_RULES = {"PUB-002", "PUB-003", "PUB-005"}
"""Portal checks: they need the crawl, not the document (crawler/checks.py)."""
EXTRACTION_RULES = {"READ-001", "AUD-001"}
"""Rules about the audit itself: a file that cannot be read, checks that could not be made."""


def catalogue() -> dict[str, str]:
    """id -> severity, from the table of DOMAIN.md section 6."""
    text = DOMAIN.read_text(encoding="utf-8").split("## 6.", 1)[1].split("## 7.", 1)[0]
    return {
        m[1]: m[2]
        for m in re.finditer(r"^\| ([A-Z]{3}-\d{3}) \|.*\| (error|warning|info) \|$", text, re.MULTILINE)
    }


def test_every_catalogue_id_has_its_rule_with_the_catalogue_severity():
    rules = {r.id: r.severity for r in default_rulebase().rules}
    wanted = {k: v for k, v in catalogue().items() if k not in CRAWLER_RULES}
    assert len(wanted) == 39
    assert {k: rules.get(k) for k in wanted} == wanted


def test_no_rule_outside_the_catalogue_but_the_audit_ones():
    assert {r.id for r in default_rulebase().rules} - set(catalogue()) == EXTRACTION_RULES


def test_rule_files_are_one_per_id_and_every_python_rule_has_its_module():
    files = sorted(p.stem for p in RULES_DIR.glob("*.yaml"))
    assert files == sorted(r.id for r in default_rulebase().rules)
    for rule in default_rulebase().rules:
        if rule.shape == "python":
            assert (RULES_DIR / f"{rule.id}.py").is_file(), rule.id


def test_every_rule_has_examples_both_ways_and_a_basis():
    for rule in default_rulebase().rules:
        # a portal check states instead why it has no document examples (rules test prints it)
        examples = rule.must_fire and rule.must_not_fire
        assert examples or (rule.shape == "portal" and rule.portal_examples), rule.id
        assert "《" in rule.basis or "国办" in rule.basis or rule.id == "AUD-001", rule.id


def test_rules_meta_lists_every_rule_for_findings_json():
    meta = default_rulebase().rules_meta()
    assert [m["id"] for m in meta] == [r.id for r in default_rulebase().rules]
    assert all(set(m) == {"id", "title", "severity", "basis"} for m in meta)
