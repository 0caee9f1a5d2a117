"""Rule files: what a broken one gives (one line, skipped, never fatal), and the lint of the fields."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from auditor.engine import RULES_DIR
from auditor.engine.rulebase import RuleBase
from auditor.engine.rulefile import RuleFileError, load_rule, load_rules
from tests.engine.support import audit_document, by_rule, clean_document

GOOD = (RULES_DIR / "BAL-002.yaml").read_text(encoding="utf-8")


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("name", "text", "reason"),
    [
        ("BAL-002.yaml", "id: [", "not readable YAML"),
        ("BAL-009.yaml", GOOD, "differs from the file name"),
        ("BAL-002.yaml", GOOD.replace("severity: error", "severity: fatal"),
         "severity: Input should be 'error', 'warning' or 'info' (got 'fatal')"),
        ("BAL-002.yaml", GOOD.replace("basis:", "based:"), "basis: missing field"),
        ("BAL-002.yaml", GOOD.replace("identity:", "equation:"), "unknown shape 'equation'"),
        ("BAL-002.yaml", GOOD.replace("per: column", "per: diagonal"),
         "shape.identity.per: Input should be 'row' or 'column' (got 'diagonal')"),
        (
            "BAL-002.yaml",
            GOOD.replace("left: [new, carried]", "left: [new, carry]"),
            "unknown row id(s) of T3: carry",
        ),
        ("BAL-002.yaml", GOOD.split("  must_not_fire:")[0],
         "examples: 'must_fire' and 'must_not_fire' must each list at least one"),
        (
            "BAL-002.yaml",
            GOOD.replace("examples:", "applies: {levels: [county]}\nexamples:"),
            "applies.levels",
        ),
    ],
)
def test_a_broken_rule_file_is_one_line_naming_it(tmp_path, name, text, reason):
    with pytest.raises(RuleFileError) as caught:
        load_rule(_write(tmp_path, name, text))
    message = str(caught.value)
    assert message.startswith(f"{name}: ") and reason in message and "\n" not in message


def test_a_broken_file_is_reported_and_skipped_and_the_audit_goes_on(tmp_path, caplog):
    shutil.copy(RULES_DIR / "BAL-002.yaml", tmp_path)
    _write(tmp_path, "SEC-009.yaml", "id: SEC-009\n")
    with caplog.at_level(logging.WARNING, logger="nianbao.rules"):
        rulebase = RuleBase.from_folder(tmp_path)
    assert [r.id for r in rulebase.rules] == ["BAL-002"]
    assert len(rulebase.errors) == 1 and rulebase.errors[0].startswith("SEC-009.yaml: missing field(s)")
    assert "SEC-009.yaml" in caplog.text
    assert audit_document(clean_document(), rulebase) == []


def test_two_files_with_one_id_keep_the_first(tmp_path):
    shutil.copy(RULES_DIR / "BAL-002.yaml", tmp_path)
    shutil.copy(RULES_DIR / "BAL-002.yaml", tmp_path / "BAL-002.yml")
    loaded = load_rules(tmp_path)
    assert [r.id for r in loaded.rules] == ["BAL-002"]
    assert loaded.errors == ["BAL-002.yml: duplicate id BAL-002 (also BAL-002.yaml)"]


def test_a_check_that_raises_is_not_evaluated_and_listed(tmp_path):
    for name in ("AUD-001.yaml", "DOC-004.yaml"):
        shutil.copy(RULES_DIR / name, tmp_path)
    _write(tmp_path, "DOC-004.py", "def check(ctx, params):\n    raise RuntimeError('boom')\n")
    rulebase = RuleBase.from_folder(tmp_path)
    findings = audit_document(clean_document(), rulebase)
    [listed] = by_rule(findings, "AUD-001")
    assert "DOC-004（检查执行出错（RuntimeError））" in listed.evidence
    assert rulebase.runtime_errors and rulebase.runtime_errors[0][0] == "DOC-004"


def test_a_python_rule_without_its_module_is_a_broken_file(tmp_path):
    shutil.copy(RULES_DIR / "DOC-004.yaml", tmp_path)
    with pytest.raises(RuleFileError, match="DOC-004.py not found"):
        load_rule(tmp_path / "DOC-004.yaml")
