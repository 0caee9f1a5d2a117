"""bench/precision_recall.py plants every defect kind of the rule base, and its plantings are found.

The bench is the measure of issue 9 item 3: a rule added without a planting (or a reason it cannot be
planted) would silently drop out of the precision/recall figures.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from auditor.engine import default_rulebase
from auditor.pipeline import AuditInput, audit_batch

BENCH = Path(__file__).resolve().parents[2] / "bench" / "precision_recall.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("precision_recall", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while being made
    spec.loader.exec_module(module)
    return module


def test_every_rule_is_planted_or_says_why_not(bench):
    rules = {rule.id for rule in default_rulebase().rules}
    covered = set(bench.PLANTINGS) | set(bench.NOT_PLANTABLE)
    assert rules - covered == set(), "rules the bench neither plants nor explains"
    assert covered - rules == set(), "plantings of rules that do not exist"


@pytest.mark.parametrize("kind", ["BAL-002", "SEC-004", "TXT-001"])
def test_a_planting_is_found_in_text_and_html(bench, kind):
    rulebase = default_rulebase()
    tallies = bench.run_planted(1, ("txt", "html"), rulebase)
    assert tallies[kind].planted == 2
    assert tallies[kind].found == 2, tallies[kind].missed


def test_clean_reports_are_audited_in_every_layout(bench):
    tally = bench.run_clean(1, bench.LAYOUTS, default_rulebase())
    assert set(tally.audited) == set(bench.LAYOUTS)
    assert tally.alarms["txt"] == 0 and tally.alarms["html"] == 0


@pytest.mark.parametrize("seed", [2, 4])
def test_a_column_title_reworded_in_a_crawler_export_is_fmt006(bench, seed):
    # the 河北省教育厅 export (one cell per line): "社会组织" for "社会公益组织" among the column titles
    planted = bench.p_fmt006(seed)
    assert planted.replace == [("社会公益组织", "社会组织")]
    data = bench.render(planted.reports[0], "runs", planted.replace)
    result = audit_batch([AuditInput(data=data, source="runs.txt")])[0]
    assert [f.location.column for f in result.findings if f.rule_id == "FMT-006"] == ["社会公益组织"]
