"""The schemas find exactly the failures frozen in expected_failures.json on the planted corpus: the same
checks, reports, rows and columns.

The expectation was written by the schemas before they were made faster (commit c92f3ce, float
arithmetic in pandas groupbys, one isin check per key column); `python -m tests.schemas.planted`
rewrites it, which is only right when a change of the failures is intended and explained.
"""

from __future__ import annotations

import json
from typing import Any

from tests.schemas.planted import EXPECTED, corpus, failures_of


def test_the_planted_corpus_fails_exactly_as_frozen() -> None:
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    found = failures_of(corpus())
    assert sum(len(f) for f in expected.values()) > 400  # the corpus does plant defects
    assert {"BAL-001", "BAL-002", "BAL-003", "BAL-004", "VAL-001", "VAL-002", "VAL-003", "VAL-004"} == {
        f[0] for failures in expected.values() for f in failures
    }
    assert found.keys() == expected.keys()
    assert _by_check(found) == _by_check(expected)


def _by_check(found: dict[str, Any]) -> dict[tuple[str, str, str], list[tuple[str, str]]]:
    """Failures as the rule base reads them: per report and (check, table); sorted, since the order of
    pandera's failure cases was arbitrary before (an unstable sort inside pandera)."""
    return {key: sorted(cells) for key, cells in _in_order(found).items()}


def test_chunking_does_not_change_the_failures() -> None:
    docs = corpus(40)
    assert _by_check(failures_of(docs, chunk=7)) == _by_check(failures_of(docs, chunk=40))


def test_one_frame_per_batch_fails_as_one_frame_per_version() -> None:
    """The rule base validates every table of a batch in one call: the failures are those of one call
    per kind and template version (as the schemas validated before), in the same order for each report,
    check and table (the order in which the rule base reads them)."""
    docs = corpus(60)
    batched, per_version = failures_of(docs, chunk=30), failures_of(docs, chunk=30, per_version=True)
    assert _in_order(batched) == _in_order(per_version)
    assert sum(len(f) for f in batched.values()) > 100


def _in_order(found: dict[str, Any]) -> dict[tuple[str, str, str], list[tuple[str, str]]]:
    grouped: dict[tuple[str, str, str], list[tuple[str, str]]] = {}
    for source, failures in found.items():
        for check, kind, row, column in failures:
            grouped.setdefault((source, check, kind), []).append((row, column))
    return grouped
