"""The rule catalogue: every rule file, the crawler's portal checks, and ids only known from findings."""

from __future__ import annotations

import httpx

from auditor.engine.rulebase import RULES_DIR
from auditor.engine.rulefile import load_rules
from auditor.web.catalogue import CATEGORIES, RuleEntry, build_catalogue
from crawler.service import PORTAL_RULE_META
from tests.web.conftest import Server


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


def test_rule_entries_state_what_must_hold_in_chinese() -> None:
    """The catalogue shows each rule's ``requires`` as docs/rules.md does, in the officer's words."""
    catalogue = build_catalogue([])
    bal = catalogue.get("BAL-002")
    val = catalogue.get("VAL-001")
    assert bal is not None and bal.requires == "表三存在、不是图片、结构可以读取"
    assert val is not None and val.requires.startswith("逐项检查：表二存在")
    assert not any("readable" in r.requires or "section" in r.requires for r in catalogue.rules)


def test_a_rule_page_shows_its_requirements(server: Server) -> None:
    page = httpx.get(server.url + "/rules/BAL-002").text
    assert "运行前提" in page and "表三存在、不是图片、结构可以读取" in page
