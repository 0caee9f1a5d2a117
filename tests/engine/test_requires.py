"""A rule author's view of ``requires``: a rule added in a temporary rules folder declares what it
needs, and the engine — no engine code touched — runs its check where that holds, and says where it
could not run and why: on the finding that explains it, or in AUD-001."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from auditor.engine.requirements import document_facts, parse_requirement
from auditor.engine.rulebase import RULES_DIR, RuleBase
from auditor.engine.rulefile import RuleFileError, load_rule
from auditor.findings.model import Finding
from auditor.model import Cell, Document
from tests.engine.support import audit_document, by_rule, clean_document, make_unreadable

NEW_RULE = """\
id: TST-002
title: 行政复议有被纠错的案件
severity: info
basis: 《中华人民共和国政府信息公开条例》第五十条（年度报告应当包括行政复议情况）
message: 表四显示行政复议结果纠正 {evidence} 件。
fix: 在第五部分说明被纠错案件的原因和改进措施。
requires: [T4 readable]
shape:
  python: {}
examples:
  must_fire:
    - name: 复议纠正1件
      sample: {seed: 71, year: 2022, cells: {T4.review.corrected: "1", T4.review.total: "1"}}
      formats: [txt]
  must_not_fire:
    - name: 没有被纠正的复议
      sample: {seed: 71, year: 2022}
      formats: [txt]
"""

NEW_MODULE = '''"""TST-002: the review row's 结果纠正 is not 0."""

from auditor.engine.api import Violation

REQUIRES = ("T4 readable",)


def check(ctx, params):
    table = ctx.required_table("T4")  # the engine runs this only when T4 is readable
    corrected = table.value("review", "corrected")
    if corrected:
        yield Violation(evidence=str(corrected), section="四", table="T4")
'''


@pytest.fixture(scope="module")
def rulebase(tmp_path_factory: pytest.TempPathFactory) -> RuleBase:
    folder = tmp_path_factory.mktemp("rules")
    (folder / "TST-002.yaml").write_text(NEW_RULE, encoding="utf-8")
    (folder / "TST-002.py").write_text(NEW_MODULE, encoding="utf-8")
    # the project's FMT-004 (a missing table, explaining the checks of it) and AUD-001 (the rest)
    for name in ("FMT-004.yaml", "FMT-004.py", "AUD-001.yaml"):
        shutil.copy(RULES_DIR / name, folder / name)
    built = RuleBase.from_folder(folder)
    assert built.errors == [] and [r.id for r in built.rules] == ["AUD-001", "FMT-004", "TST-002"]
    return built


def _with_corrected_review() -> Document:
    doc = clean_document()
    t4 = doc.table("T4")
    assert t4 is not None
    t4.cells[("review", "corrected")] = Cell("2", "number", 2)
    return doc


def _summary(findings: list[Finding]) -> str:
    return " ".join(f.message for f in by_rule(findings, "AUD-001"))


def test_the_check_runs_where_its_requirement_holds(rulebase: RuleBase) -> None:
    findings = audit_document(_with_corrected_review(), rulebase)
    [found] = by_rule(findings, "TST-002")
    assert found.message == "表四显示行政复议结果纠正 2 件。" and found.location.table == "T4"
    assert "TST-002" not in _summary(findings)


def test_a_missing_table_is_the_reason_on_the_finding_that_explains_it(rulebase: RuleBase) -> None:
    doc = _with_corrected_review()
    doc.tables = [t for t in doc.tables if t.kind != "T4"]
    findings = audit_document(doc, rulebase)
    assert not by_rule(findings, "TST-002")
    [missing] = by_rule(findings, "FMT-004")
    assert missing.message.endswith("（因此未能执行：TST-002）")
    assert "TST-002" not in _summary(findings)


def test_an_unreadable_table_nothing_explains_is_listed_in_aud001(rulebase: RuleBase) -> None:
    doc = make_unreadable(_with_corrected_review(), "T4")
    findings = audit_document(doc, rulebase)
    assert not by_rule(findings, "TST-002")  # the check never ran: it would have reported 2
    assert "TST-002（表四结构无法读取）" in _summary(findings)


def test_a_shape_adds_what_its_check_relies_on(tmp_path: Path) -> None:
    text = NEW_RULE.replace("requires: [T4 readable]\n", "").replace("python: {}", (
        "identity: {table: T4, per: row, left: [upheld, corrected, other, pending], right: [total]}"))
    (tmp_path / "TST-002.yaml").write_text(text, encoding="utf-8")
    rule = load_rule(tmp_path / "TST-002.yaml")
    assert [r.text for r in rule.requires] == ["T4 readable"]


@pytest.mark.parametrize("requirement", ["T5 readable", "section 七", "year known"])
def test_an_unknown_requirement_names_the_field_and_the_vocabulary(tmp_path: Path, requirement: str) -> None:
    (tmp_path / "TST-002.yaml").write_text(NEW_RULE.replace("[T4 readable]", f"[{requirement}]"), "utf-8")
    (tmp_path / "TST-002.py").write_text(NEW_MODULE, encoding="utf-8")
    expected = r"TST-002.yaml: requires\.0: .*is not a requirement.*T3 readable"
    with pytest.raises(RuleFileError, match=expected):
        load_rule(tmp_path / "TST-002.yaml")


def test_rules_test_runs_the_new_rule_on_its_examples(rulebase: RuleBase, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from nianbao.cli import app

    (tmp_path / "TST-002.yaml").write_text(NEW_RULE, encoding="utf-8")
    (tmp_path / "TST-002.py").write_text(NEW_MODULE, encoding="utf-8")
    result = CliRunner().invoke(app, ["rules", "test", "--rules", str(tmp_path)])
    assert result.exit_code == 0, result.stdout
    assert "示例 2 通过，0 失败" in result.stdout


def test_what_the_engine_knows_of_a_document() -> None:
    doc = clean_document()
    facts = document_facts(doc)
    assert {"year", "T2 readable", "T3 readable", "T4 readable", "template 2021"} <= facts
    assert {f"section {k}" for k in "一二三四五六"} <= facts and "published" not in facts
    assert {f"section {k} written" for k in "一五六"} <= facts  # 二 三 四 hold only their tables
    five = doc.section("五")
    assert five is not None
    five.text = "无。"
    facts = document_facts(doc)
    assert "section 五" in facts and "section 五 written" not in facts
    assert parse_requirement("section 一|五 written").holds(facts)
    assert not parse_requirement("section 五 written").holds(facts)
    [reason] = parse_requirement("section 五 written").reasons(doc)
    assert reason.section == "五" and "没有实际内容" in reason.reason


def test_a_section_that_says_nothing_stops_the_checks_that_require_it_written() -> None:
    doc = clean_document()
    five = doc.section("五")
    assert five is not None
    five.text = "无。"
    findings = audit_document(doc)
    [empty] = by_rule(findings, "SEC-004")
    assert empty.message.endswith("（因此未能执行：SEC-007、SEC-008）")
    assert not by_rule(findings, "SEC-007") and not by_rule(findings, "SEC-008")


def test_a_pandera_check_that_could_not_run_on_the_batch_is_still_said() -> None:
    """Not a requirement of the document: the batch's validation failed; the check says so itself."""
    from auditor.engine import default_rulebase
    from auditor.engine.api import Context, NotEvaluated

    doc = clean_document()
    broken = frozenset({("BAL-002", "T3"), ("VAL-003", "T4")})
    ctx = Context(doc=doc, level="department", broken_checks=broken)
    rules = default_rulebase().by_id
    [balance] = list(rules["BAL-002"].compiled.check(ctx))
    assert isinstance(balance, NotEvaluated) and balance.reason == "表三的核验未能运行"
    [blank] = list(rules["VAL-003"].compiled.check(ctx))
    assert isinstance(blank, NotEvaluated) and blank.table == "T4"


def test_requirements_read_in_chinese() -> None:
    from auditor.engine.requirements import describe

    assert describe("T3 readable") == "表三存在、不是图片、结构可以读取"
    assert describe("section 二 written") == "第二部分存在且有实际内容"
    assert describe("section 一|五|六") == "第一、五或六部分存在"
    assert describe("year") == "报告年度可以确定"


DATACLASS_MODULE = '''"""TST-002 written with a dataclass and postponed annotations, as a rule author may."""

from __future__ import annotations

from dataclasses import dataclass

from auditor.engine.api import Violation

REQUIRES = ("T4 readable",)


@dataclass(frozen=True)
class Corrected:
    count: int


def check(ctx, params):
    found = Corrected(int(ctx.required_table("T4").value("review", "corrected") or 0))
    if found.count:
        yield Violation(evidence=str(found.count), section="四", table="T4")
'''


def test_a_rule_module_may_define_dataclasses(tmp_path: Path) -> None:
    """A rule's module is loaded as an import would load it: @dataclass (which looks its class's module
    up in sys.modules) works in it."""
    (tmp_path / "TST-002.yaml").write_text(NEW_RULE, encoding="utf-8")
    (tmp_path / "TST-002.py").write_text(DATACLASS_MODULE, encoding="utf-8")
    built = RuleBase.from_folder(tmp_path)
    assert built.errors == [] and [r.id for r in built.rules] == ["TST-002"]
    doc = clean_document(seed=71)
    t4 = doc.table("T4")
    assert t4 is not None
    t4.cells[("review", "corrected")] = Cell("1", "number", Decimal(1))
    assert [f.rule_id for f in audit_document(doc, built)] == ["TST-002"]
