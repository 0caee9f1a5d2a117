"""`nianbao rules list | explain | test`."""

from __future__ import annotations

import shutil

from typer.testing import CliRunner

from auditor.engine import RULES_DIR
from nianbao.cli import app

runner = CliRunner()


def test_list_shows_every_rule_with_severity_and_scope():
    result = runner.invoke(app, ["rules", "list"])
    assert result.exit_code == 0
    lines = result.output.strip().splitlines()
    assert len(lines) == len(list(RULES_DIR.glob("*.yaml")))
    assert "SEC-009\t警告\t未说明信息处理费收取情况\t2021年度起的报告" in lines
    assert "SEC-006\t警告\t人民政府报告缺少工作考核、社会评议和责任追究结果\t各年度报告；人民政府" in lines


def test_explain_shows_basis_fix_shape_and_examples():
    result = runner.invoke(app, ["rules", "explain", "bal-002"])
    assert result.exit_code == 0
    parts = ("BAL-002  表三勾稽关系不平衡", "依据：国办公开办函〔2021〕30号", "整改方法：",
             "检查方式：identity", "运行前提：T3 readable", "right:", "应当报出的示例：本年新收0件却办结2件")
    for part in parts:
        assert part in result.output


def test_explain_of_an_unknown_rule_is_bad_usage():
    result = runner.invoke(app, ["rules", "explain", "XYZ-001"])
    assert result.exit_code == 2
    assert "没有规则 XYZ-001" in result.output


def test_test_passes_on_a_good_rule_and_fails_on_a_wrong_example(tmp_path):
    shutil.copy(RULES_DIR / "SEC-009.yaml", tmp_path)
    ok = runner.invoke(app, ["rules", "test", "--rules", str(tmp_path)])
    assert ok.exit_code == 0, ok.output
    assert "示例 3 通过，0 失败" in ok.output
    text = (tmp_path / "SEC-009.yaml").read_text(encoding="utf-8")
    (tmp_path / "SEC-009.yaml").write_text(
        text.replace("phrases: [信息处理费, 处理费]", "phrases: [无]"), encoding="utf-8"
    )
    failed = runner.invoke(app, ["rules", "test", "--rules", str(tmp_path)])
    assert failed.exit_code == 1
    assert "FAIL  SEC-009 must_fire: “六”部分只写“无” — did not fire" in failed.output


def test_test_fails_on_a_broken_rule_file(tmp_path):
    shutil.copy(RULES_DIR / "SEC-009.yaml", tmp_path)
    (tmp_path / "SEC-008.yaml").write_text("id: SEC-008\ntitle: x\n", encoding="utf-8")
    result = runner.invoke(app, ["rules", "test", "--rules", str(tmp_path)])
    assert result.exit_code == 1
    assert (
        "LINT  SEC-008.yaml: missing field(s): severity, basis, message, fix, shape, examples"
        in result.output
    )


def test_test_of_one_rule(tmp_path):
    result = runner.invoke(app, ["rules", "test", "--rule", "DOC-002"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("规则执行出错 0 次。") and "1 条规则" in result.output
