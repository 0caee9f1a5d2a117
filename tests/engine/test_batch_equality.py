"""A batch audit gives exactly the findings of auditing each document alone.

The rule base runs the experta engine once per batch (one reset, one fact per distinct coarse
document state) instead of once per document; this must change nothing a compliance officer sees.
The corpus mixes ../shared/real and ../shared/seeds, generated reports of every year and level, and
the documents of every rule's must-fire examples (so that nearly every rule has an outcome somewhere).
Each document audited alone is given its predecessor (the same body's report of the year before)
explicitly, as `nianbao audit` does across chunks, so the across-year checks are compared too.
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from pathlib import Path

import pytest

from auditor.engine import default_rulebase
from auditor.engine.rulebase import RuleBase, previous_reports
from auditor.engine.samples import render_sample
from auditor.findings.model import ReportResult
from auditor.pipeline import AuditInput, extract_one
from auditor.ruletest import example_input

SHARED = Path(__file__).resolve().parents[3] / "shared"
LEVELS = ("department", "government", "township")


def _inputs(rulebase: RuleBase) -> list[AuditInput]:
    inputs = [
        AuditInput(data=p.read_bytes(), source=str(p))
        for folder in (SHARED / "real", SHARED / "seeds")
        if folder.is_dir()
        for p in sorted(folder.iterdir())
        if p.is_file() and p.name != "README.md"
    ]
    for seed in range(24):
        spec = {"seed": seed, "year": 2019 + seed % 7, "level": LEVELS[seed % 3]}
        inputs.append(AuditInput(data=render_sample(spec, "txt"), source=f"generated-{seed}.txt"))
    for rule in rulebase.rules:
        for n, example in enumerate(rule.must_fire):
            for i, doc in enumerate(example.documents):
                item = example_input(doc, i)
                item.source = f"{rule.id}-{n}-{item.source}"
                inputs.append(item)
    return inputs


def _findings(results: list[ReportResult]) -> list[list[str]]:
    """Each document's findings, every field, as a sorted list: the order of one rule's pandera
    failures follows the batch's frame (pandera reports by check, then by row of the whole batch)."""
    return [
        sorted(json.dumps(f.to_dict(), ensure_ascii=False, sort_keys=True) for f in r.findings)
        for r in results
    ]


@pytest.fixture(scope="module")
def extracted() -> list[ReportResult]:
    return [extract_one(item) for item in _inputs(default_rulebase())]


def test_batch_audit_equals_per_document_audits(extracted: list[ReportResult]) -> None:
    rulebase = default_rulebase()
    batch = copy.deepcopy(extracted)
    rulebase.audit(batch)

    alone = copy.deepcopy(extracted)
    readable = [r for r in alone if r.document is not None]
    prev_of = previous_reports([r.document for r in readable if r.document is not None])
    previous = {id(r): prev_of.get(i) for i, r in enumerate(readable)}
    for result in alone:
        rulebase.audit([result], previous=[previous.get(id(result))])

    assert _findings(batch) == _findings(alone)
    # The comparison means something only if the batch is varied: many rules fired, across-year
    # checks ran, and documents shared their coarse facts in the engine.
    fired = Counter(f.rule_id for r in batch for f in r.findings)
    assert len(fired) >= 25, sorted(fired)
    assert any(rule_id in fired for rule_id in ("BAL-005", "BAL-006"))


def test_documents_sharing_coarse_facts_get_the_same_rules() -> None:
    engine = default_rulebase().engine
    ids = [rule.id for rule in default_rulebase().rules]
    states = [
        (2022, "department", ids[:5]),
        (None, "government", ids[:5]),
        (2022, "department", ids[:5]),
        (2019, "township", []),
        (2024, "township", ids),
    ]
    together = engine.applicable_batch(states)
    assert together == [engine.applicable(*state) for state in states]
    assert together[0] == together[2] and together[3] == set()
    assert together[4] and together[4] <= set(ids)
