"""A batch audit gives exactly the findings of auditing each document alone.

The rule base's experta engine decides each distinct coarse document state once (one fact per state,
shared by the documents alike, kept across batches) and decides coverage once per batch, instead of
running once per document; this must change nothing a compliance officer sees.
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
from auditor.engine.api import Context
from auditor.engine.knowledge import Batch
from auditor.engine.requirements import document_facts
from auditor.engine.rulebase import RuleBase, previous_reports
from auditor.engine.samples import render_sample
from auditor.findings.model import ReportResult
from auditor.pipeline import AuditInput, extract_one
from auditor.ruletest import example_input
from tests.engine.support import clean_document

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


def _decisions(batch: Batch, doc: int) -> tuple[dict[int, int], list[tuple[str, str]], list[tuple[str, str]]]:
    """What the engine decided for one document: violations per rule, covered and left not-run checks."""
    covered = sorted(batch.not_run[key] for key in batch.covering if key[0] == doc)
    left = sorted(batch.not_run[key] for key in batch.left if key[0] == doc)
    return {r: len(v) for r, v in batch.violations[doc].items()}, covered, left


def test_documents_sharing_coarse_facts_get_the_same_decisions() -> None:
    """Documents alike share one fact in working memory; each still gets its own checks, not-run
    reasons and coverage, the same as when it is the only document of the batch."""
    rulebase = default_rulebase()
    no_t3 = clean_document(seed=3)
    no_t3.tables = [t for t in no_t3.tables if t.kind != "T3"]
    no_six = clean_document(seed=4, year=2019)
    no_six.sections = [s for s in no_six.sections if s.key != "六"]
    township = clean_document(seed=5, level="township")
    docs = [clean_document(seed=1), no_t3, clean_document(seed=2), no_six, township]
    contexts = [Context(doc=d, level=d.level or "department") for d in docs]
    engine = rulebase.engine
    together = engine.run_batch(contexts, rulebase._evaluate)
    assert len({document_facts(d) for d in docs}) < len(docs)  # some documents share their coarse fact
    for i, ctx in enumerate(contexts):
        alone = engine.run_batch([ctx], rulebase._evaluate)
        assert _decisions(together, i) == _decisions(alone, 0)
    covered = _decisions(together, 1)[1]
    assert ("BAL-001", "缺少表三") in covered and ("BAL-002", "缺少表三") in covered
    # a 2019 report: SEC-009 does not apply
    assert ("SEC-009", "缺少第六部分") not in _decisions(together, 3)[1]
