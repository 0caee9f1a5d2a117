"""Coverage is decided on a batch's facts in runs of a few documents: the same findings as one
document at a time, however the batch is cut."""

from __future__ import annotations

import pytest

from auditor.engine import knowledge
from auditor.engine.knowledge import CoversTable, NotRun, _runs
from auditor.model import Document
from tests.engine.support import audit_documents, clean_document, make_unreadable


def _varied(count: int) -> list[Document]:
    """Documents whose checks could not run for several reasons, some explained by a finding (a
    missing table, a section that says nothing) and some not (an unreadable table)."""
    docs: list[Document] = []
    for seed in range(count):
        doc = clean_document(seed=seed, year=2021 + seed % 2)
        if seed % 3 == 0:
            doc.tables = [t for t in doc.tables if t.kind != "T4"]
        if seed % 4 == 1 and (five := doc.section("五")) is not None:
            five.text = "无。"
        if seed % 5 == 2:
            make_unreadable(doc, "T3")
        docs.append(doc)
    return docs


def _seen(docs: list[Document], together: bool) -> list[list[tuple[str, str, str]]]:
    results = audit_documents(docs) if together else [r for doc in docs for r in audit_documents([doc])]
    return [[(f.rule_id, f.message, f.evidence) for f in r.findings] for r in results]


@pytest.mark.parametrize("run_facts", [1, 8, 10_000])
def test_a_batch_is_covered_as_its_documents_alone(monkeypatch: pytest.MonkeyPatch, run_facts: int) -> None:
    monkeypatch.setattr(knowledge, "RUN_FACTS", run_facts)
    docs = _varied(12)
    alone = _seen(_varied(12), together=False)
    assert _seen(docs, together=True) == alone
    explained = [m for findings in alone for _, m, _ in findings if "因此未能执行" in m]
    assert len(explained) >= 4 and any(r == "AUD-001" for findings in alone for r, _, _ in findings)


def test_runs_hold_whole_documents() -> None:
    facts = [NotRun(doc=d, orders=((k, 0),), table="T3") for k in range(3) for d in (2, 0, 1)]
    facts.append(CoversTable(doc=1, table="T3", at=(9, 0)))
    runs = _runs(facts)
    assert sorted(map(repr, (f for run in runs for f in run))) == sorted(map(repr, facts))
    docs_of = [{f["doc"] for f in run} for run in runs]
    assert all(a.isdisjoint(b) for i, a in enumerate(docs_of) for b in docs_of[i + 1 :])
