"""The rule language as a checked contract: schema errors, docs/rules.md, expect, rules new/explain,
and a new check added with one file in a temporary rules folder (no engine code touched)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from auditor.engine.authoring import REFERENCE_PATH, render_reference
from auditor.engine.rulefile import RuleFileError, load_rule, load_rules
from auditor.engine.shapes import SHAPES
from nianbao.cli import app

RUNNER = CliRunner()

NEW_CHECK = """\
id: TST-001
title: 表三本年新收申请各类申请人之和等于总计
severity: error
basis: 国办公开办函〔2021〕30号《中华人民共和国政府信息公开工作年度报告格式》表三
message: 表三“{row}”行各类申请人之和不等于总计：{evidence}。
fix: 核对本年新收申请数。
shape:
  identity:
    table: T3
    per: row
    left: [natural, commercial, research, public_interest, legal, other_org]
    right: [total]
examples:
  must_fire:
    - name: 本年新收总计多填
      sample: {seed: 71, year: 2022, cells: {T3.new.total: "999"}}
      formats: [txt]
      expect: {count: COUNT, location: {table: T3, row: 一、本年新收政府信息公开申请数量, column: 总计}}
  must_not_fire:
    - name: 各行平衡
      sample: {seed: 71, year: 2022}
      formats: [txt]
"""


def _rules_test(folder: Path) -> tuple[int, str]:
    result = RUNNER.invoke(app, ["rules", "test", "--rules", str(folder)])
    return result.exit_code, result.stdout


def test_a_new_check_of_an_existing_shape_is_one_file(tmp_path: Path) -> None:
    (tmp_path / "TST-001.yaml").write_text(NEW_CHECK.replace("COUNT", "1"), encoding="utf-8")
    code, out = _rules_test(tmp_path)
    assert code == 0, out
    assert "1 条规则" in out and "示例 2 通过，0 失败" in out


def test_rules_test_checks_the_expected_count_and_location(tmp_path: Path) -> None:
    (tmp_path / "TST-001.yaml").write_text(NEW_CHECK.replace("COUNT", "2"), encoding="utf-8")
    code, out = _rules_test(tmp_path)
    assert code == 1 and "expected 2 finding(s), got 1" in out
    wrong_row = NEW_CHECK.replace("COUNT", "1").replace(
        "一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量"
    )
    (tmp_path / "TST-001.yaml").write_text(wrong_row, encoding="utf-8")
    code, out = _rules_test(tmp_path)
    assert code == 1 and "no finding at" in out


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("severity: error", "severity: fatal"),
         "TST-001.yaml: severity: Input should be 'error', 'warning' or 'info' (got 'fatal')"),
        (("    per: row", "    per: rows"),
         "TST-001.yaml: shape.identity.per: Input should be 'row' or 'column' (got 'rows')"),
        (("    per: row", "    per: row\n    pre: row"), "TST-001.yaml: shape.identity.pre: unknown field"),
        (("fix: 核对本年新收申请数。\n", ""), "TST-001.yaml: fix: missing field"),
        (("      formats: [txt]\n      expect", "      formats: [doc]\n      expect"),
         "TST-001.yaml: examples.must_fire.0.formats.0: Input should be"),
        (("{count: COUNT", "{count: -1"),
         "TST-001.yaml: examples.must_fire.0.expect.count: Input should be greater than or equal to 0"),
    ],
)
def test_a_broken_rule_file_is_one_line_naming_the_file_and_the_field(
    tmp_path: Path, change: tuple[str, str], expected: str
) -> None:
    text = NEW_CHECK.replace(*change).replace("COUNT", "1")
    (tmp_path / "TST-001.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(RuleFileError) as info:
        load_rule(tmp_path / "TST-001.yaml")
    assert str(info.value).startswith(expected)
    assert "\n" not in str(info.value)
    second = NEW_CHECK.replace("TST-001", "TST-002").replace("COUNT", "1")
    (tmp_path / "TST-002.yaml").write_text(second, encoding="utf-8")
    loaded = load_rules(tmp_path)  # the broken file is skipped, the other still loads
    assert [r.id for r in loaded.rules] == ["TST-002"] and len(loaded.errors) == 1


def test_python_shape_parameters_are_checked_against_the_modules_params(tmp_path: Path) -> None:
    project = Path(__file__).resolve().parents[2] / "rules"
    data = yaml.safe_load((project / "PUB-004.yaml").read_text(encoding="utf-8"))
    data["shape"]["python"]["threshold"] = "high"
    (tmp_path / "PUB-004.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    module = (project / "PUB-004.py").read_text(encoding="utf-8")
    (tmp_path / "PUB-004.py").write_text(module, encoding="utf-8")
    expected = r"PUB-004.yaml: shape.python.threshold: Input should be a valid number"
    with pytest.raises(RuleFileError, match=expected):
        load_rule(tmp_path / "PUB-004.yaml")


def test_docs_rules_md_is_up_to_date() -> None:
    """Fails when a shape's docstring or the schema changed: run `nianbao rules docs --write`."""
    assert REFERENCE_PATH.read_text(encoding="utf-8") == render_reference()
    result = RUNNER.invoke(app, ["rules", "docs"])
    assert result.exit_code == 0


def test_the_reference_covers_every_shape() -> None:
    text = render_reference()
    for name in SHAPES:
        assert f"### `{name}`" in text


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_rules_new_writes_a_skeleton_that_passes_the_linter(tmp_path: Path, shape: str) -> None:
    result = RUNNER.invoke(app, ["rules", "new", "tst-010", "--shape", shape, "--rules", str(tmp_path)])
    assert result.exit_code == 0, result.output
    rule = load_rule(tmp_path / "TST-010.yaml")
    assert rule.shape == shape
    assert (tmp_path / "TST-010.py").is_file() == (shape == "python")
    again = RUNNER.invoke(app, ["rules", "new", "TST-010", "--shape", shape, "--rules", str(tmp_path)])
    assert again.exit_code == 2  # never overwrites


def test_rules_new_refuses_a_malformed_id_and_writes_nothing(tmp_path: Path) -> None:
    result = RUNNER.invoke(app, ["rules", "new", "SEC10", "--shape", "identity", "--rules", str(tmp_path)])
    assert result.exit_code == 2 and not list(tmp_path.iterdir())


def test_a_new_skeleton_passes_rules_test_with_its_must_fire_example_as_a_gap(tmp_path: Path) -> None:
    RUNNER.invoke(app, ["rules", "new", "TST-010", "--shape", "required_section", "--rules", str(tmp_path)])
    code, out = _rules_test(tmp_path)
    assert code == 0, out
    assert "GAP   TST-010" in out


def test_explain_prints_a_planted_sample_as_the_document_text(tmp_path: Path) -> None:
    (tmp_path / "TST-001.yaml").write_text(NEW_CHECK.replace("COUNT", "1"), encoding="utf-8")
    result = RUNNER.invoke(app, ["rules", "explain", "TST-001", "--rules", str(tmp_path)])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "应当报出的示例 1：本年新收总计多填" in out
    row = next(line for line in out.splitlines() if line.startswith("一、本年新收政府信息公开申请数量"))
    assert row.split()[-1] == "999"  # the planted cell, as the document shows it
    quiet = RUNNER.invoke(app, ["rules", "explain", "TST-001", "--rules", str(tmp_path), "--sample", "0"])
    assert "应当报出的示例 1" not in quiet.stdout
