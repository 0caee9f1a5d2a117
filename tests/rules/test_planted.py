"""Each defect of the catalogue, planted in a clean generated report, is found in every input format.

The plantings are the rules' own must-fire examples that are generated samples; each is rendered as
text, markdown, HTML, .docx and PDF (where the planting can be expressed in that format) and audited.
"""

from __future__ import annotations

import pytest

from auditor.engine import default_rulebase
from auditor.ruletest import check_example, example_formats

RULEBASE = default_rulebase()
PLANTED = [
    (rule, example, fmt)
    for rule in RULEBASE.rules
    for example in rule.must_fire
    if example.known_gap is None
    for fmt in example_formats(example)
]
PLANTABLE = {"txt", "html", "docx", "pdf"}
"""Defects that need the document as text, a date or a second report are planted in fewer formats."""


@pytest.mark.parametrize(
    ("rule", "example", "fmt"), PLANTED, ids=[f"{r.id}-{f}-{e.name}" for r, e, f in PLANTED]
)
def test_planted_defect_is_found(rule, example, fmt):
    result = check_example(RULEBASE, rule, example, True, fmt)
    assert result.ok, result.detail


NOT_PLANTABLE = {"FMT-003", "FMT-004", "FMT-005", "FMT-007", "READ-001"}
"""A generated report always has each table once, as a readable table, in a readable file: these
defects are planted in hand-written examples instead (see the rule files)."""
TEXT_FORMATS_ONLY = {"FMT-006", "TXT-001", "TXT-002", "TXT-004", "TXT-005"}
"""Plantings that rewrite the rendered text (a label, a sentence): text, markdown and HTML."""
DATE_DEPENDENT = {"AUD-001"}
"""Its planting is an unknown publication date, which a portal page always states."""


def test_every_other_rule_is_planted_in_every_format():
    planted: dict[str, set[str]] = {}
    for rule, _, fmt in PLANTED:
        planted.setdefault(rule.id, set()).add(fmt)
    all_rules = {r.id for r in RULEBASE.rules if r.shape != "portal"}  # portal checks judge a crawl
    assert all_rules - set(planted) == NOT_PLANTABLE
    partial = {rule_id for rule_id, formats in planted.items() if not formats >= PLANTABLE}
    assert partial == TEXT_FORMATS_ONLY | DATE_DEPENDENT
    assert all("html" in planted[rule_id] for rule_id in TEXT_FORMATS_ONLY)
