"""Every rule on its own examples (what `nianbao rules test` runs), one test per example."""

from __future__ import annotations

import pytest

from auditor.engine import default_rulebase
from auditor.ruletest import check_example

RULEBASE = default_rulebase()
CASES = [
    (rule, example, must_fire)
    for rule in RULEBASE.rules
    for must_fire, examples in ((True, rule.must_fire), (False, rule.must_not_fire))
    for example in examples
]


@pytest.mark.parametrize(
    ("rule", "example", "must_fire"),
    CASES,
    ids=[f"{r.id}-{'fire' if f else 'quiet'}-{e.name}" for r, e, f in CASES],
)
def test_rule_example(rule, example, must_fire):
    result = check_example(RULEBASE, rule, example, must_fire)
    if result.known_gap:
        pytest.xfail(result.detail)
    assert result.ok, result.detail


def test_the_rule_files_load_without_errors():
    assert RULEBASE.errors == []
