"""Rule files alike in where they apply and what they require are one experta rule of the rule base:
experta decides once per group and document state, and the group's action still runs, reports and
explains each rule on its own."""

from __future__ import annotations

import shutil

import pytest

from auditor.engine import default_rulebase, default_rules
from auditor.engine.knowledge import NotRun, rule_groups
from auditor.engine.rulebase import RULES_DIR, RuleBase
from tests.engine.support import audit_document, by_rule, clean_document, make_unreadable

RULE = """\
id: {id}
title: 测试规则
severity: info
basis: 《中华人民共和国政府信息公开条例》第五十条
message: 表四测试 {{evidence}}。
fix: 无需处理。
requires: [T4 readable]
shape:
  python: {{}}
examples:
  must_fire:
    - name: 总是触发
      sample: {{seed: 71, year: 2022}}
      formats: [txt]
  must_not_fire:
    - name: 仅供加载（本测试不运行示例）
      sample: {{seed: 72, year: 2022}}
      formats: [txt]
"""

RAISES = "def check(ctx, params):\n    raise RuntimeError('boom')\n"
FIRES = (
    "from auditor.engine.api import Violation\n\n\n"
    "def check(ctx, params):\n"
    "    ctx.required_table('T4')\n"
    "    yield Violation(evidence='x', section='四', table='T4')\n"
)


@pytest.fixture(scope="module")
def rulebase(tmp_path_factory: pytest.TempPathFactory) -> RuleBase:
    folder = tmp_path_factory.mktemp("rules")
    for rule_id, module in (("TST-002", RAISES), ("TST-003", FIRES)):
        (folder / f"{rule_id}.yaml").write_text(RULE.format(id=rule_id), encoding="utf-8")
        (folder / f"{rule_id}.py").write_text(module, encoding="utf-8")
    for name in ("FMT-004.yaml", "FMT-004.py", "AUD-001.yaml"):
        shutil.copy(RULES_DIR / name, folder / name)
    built = RuleBase.from_folder(folder)
    assert built.errors == [] and [r.id for r in built.rules] == ["AUD-001", "FMT-004", "TST-002", "TST-003"]
    return built


def test_alike_rules_are_one_group(rulebase: RuleBase) -> None:
    assert (2, 3) in rule_groups(rulebase.rules)


def test_the_project_rules_group_by_condition() -> None:
    rules = default_rulebase().rules
    groups = rule_groups(rules)
    assert sorted(p for group in groups for p in group) == list(range(len(rules)))
    for group in groups:
        first = rules[group[0]]
        for position in group:
            rule = rules[position]
            assert (rule.applies, rule.requires, rule.requires_each) == (
                first.applies, first.requires, first.requires_each
            )
    assert all(list(group) == sorted(group) for group in groups)
    assert len(groups) < len(rules) // 2  # most rules apply everywhere and require nothing


def test_a_check_that_raises_does_not_stop_its_group(rulebase: RuleBase) -> None:
    findings = audit_document(clean_document(), rulebase)
    [fired] = by_rule(findings, "TST-003")
    assert fired.message == "表四测试 x。"
    [listed] = by_rule(findings, "AUD-001")
    assert "TST-002（检查执行出错（RuntimeError））" in listed.evidence and "TST-003" not in listed.evidence


def test_an_unmet_requirement_is_said_for_every_rule_of_the_group(rulebase: RuleBase) -> None:
    doc = clean_document()
    doc.tables = [t for t in doc.tables if t.kind != "T4"]
    findings = audit_document(doc, rulebase)
    assert not by_rule(findings, "TST-002") and not by_rule(findings, "TST-003")
    [missing] = by_rule(findings, "FMT-004")
    assert missing.message.endswith("（因此未能执行：TST-002、TST-003）")
    assert not by_rule(findings, "AUD-001")



def test_a_reason_about_no_place_is_listed_without_a_fact() -> None:
    """PUB-001 cannot run without a publication date: no finding can explain that (the coverage rules
    join on a table or a section), so AUD-001 lists it and working memory holds no NotRun for it."""
    rulebase = default_rulebase()
    doc = clean_document()
    assert doc.published is None
    findings = audit_document(doc, rulebase)
    [listed] = by_rule(findings, "AUD-001")
    assert "PUB-001（发布日期未知）" in listed.evidence
    assert not [f for f in rulebase.engine.coverage.facts.values() if isinstance(f, NotRun)]


def test_a_reason_about_a_table_is_a_fact_the_coverage_rules_read(rulebase: RuleBase) -> None:
    doc = make_unreadable(clean_document(), "T4")
    findings = audit_document(doc, rulebase)
    [listed] = by_rule(findings, "AUD-001")
    assert all(f"{rule_id}（表四结构无法读取）" in listed.evidence for rule_id in ("TST-002", "TST-003"))
    not_run = [f for f in rulebase.engine.coverage.facts.values() if isinstance(f, NotRun)]
    [t4_not_run] = not_run  # one fact per place, however many checks it stops
    assert t4_not_run["table"] == "T4" and {order[0] for order in t4_not_run["orders"]} == {2, 3}


def test_each_coarse_state_is_decided_once() -> None:
    """experta decides a coarse document state the first time a batch has it; a later batch with a
    document alike reuses the decisions and gets the same findings."""
    rulebase = RuleBase.from_rules(default_rules())
    first = audit_document(clean_document(seed=11), rulebase)
    decided = len(rulebase.engine.states)
    again = audit_document(clean_document(seed=11), rulebase)
    assert len(rulebase.engine.states) == decided
    assert [f.to_dict() for f in again] == [f.to_dict() for f in first]


def test_a_decision_run_cut_short_is_made_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """A time budget that runs out inside experta's run (the alarm raises anywhere) must not leave a
    state half decided for the batches after."""
    expected = [f.to_dict() for f in audit_document(clean_document(seed=12))]
    rulebase = RuleBase.from_rules(default_rules())
    engine = rulebase.engine
    calls = 0

    def cut_short(state: int, decision: object) -> None:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise TimeoutError("budget")
        type(engine).decide(engine, state, decision)

    monkeypatch.setattr(engine, "decide", cut_short)
    with pytest.raises(TimeoutError):
        audit_document(clean_document(seed=12), rulebase)
    assert engine.states == [] and engine.decisions == {}
    assert [f.to_dict() for f in audit_document(clean_document(seed=12), rulebase)] == expected


def test_the_decided_states_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past MAX_STATES the engine forgets every state and decides the batch's afresh: the same findings."""
    from auditor.engine import knowledge

    expected = [f.to_dict() for f in audit_document(clean_document(seed=13, year=2020))]
    rulebase = RuleBase.from_rules(default_rules())
    audit_document(clean_document(seed=14, year=2022), rulebase)
    first = list(rulebase.engine.states)
    monkeypatch.setattr(knowledge, "MAX_STATES", 1)
    found = [f.to_dict() for f in audit_document(clean_document(seed=13, year=2020), rulebase)]
    assert found == expected
    assert len(rulebase.engine.states) == 1 and rulebase.engine.states != first
