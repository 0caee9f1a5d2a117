"""The rule catalogue: every rule file, the crawler's portal checks, and ids only known from findings."""

from __future__ import annotations

from auditor.engine.rulebase import RULES_DIR
from auditor.engine.rulefile import load_rules
from auditor.web.catalogue import CATEGORIES, RuleEntry, build_catalogue
from crawler.service import PORTAL_RULE_META


def test_catalogue_lists_rule_files_portal_checks_and_recorded_ids() -> None:
    recorded = RuleEntry("ZZZ-901", "仅见于审查记录", "error", "《条例》", source="审查记录")
    catalogue = build_catalogue([recorded])
    ids = [r.id for r in catalogue.rules]
    files = {r.id for r in load_rules(RULES_DIR).rules}
    assert files and files <= set(ids)
    assert {m["id"] for m in PORTAL_RULE_META} <= set(ids)
    assert catalogue.get("ZZZ-901") == recorded
    assert len(ids) == len(set(ids))
    headings = [heading for heading, _ in catalogue.groups]
    other = ["其他"] if "其他" in headings else []
    assert headings == [h for h in CATEGORIES.values() if h in headings] + other


def test_rule_file_entries_carry_examples_and_fix() -> None:
    catalogue = build_catalogue([])
    for spec in load_rules(RULES_DIR).rules:
        entry = catalogue.get(spec.id)
        assert entry is not None and entry.source == f"rules/{spec.path.name}"
        assert entry.fix == spec.fix and len(entry.must_fire) == len(spec.must_fire)
        assert all(doc for example in entry.must_fire + entry.must_not_fire for doc in example.documents)
