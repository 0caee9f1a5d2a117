"""The store's read API (:mod:`auditor.store.queries`) on a real SQLite file: every function on a store
written by the store's own writers, read through the store and through one session alike (the same
checks run on PostgreSQL in tests/distributed/test_read_api_postgres.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.findings.model import ReportResult
from auditor.store import Store, queries, runs
from tests.store.read_scenario import Written, check_everything, fill


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, Written]]:
    store = Store.open(tmp_path_factory.mktemp("read") / "store")
    written = fill(store)
    yield store, written
    store.close()


def test_every_query_through_the_store(filled: tuple[Store, Written]) -> None:
    check_everything(*filled)


def test_every_query_through_one_session(filled: tuple[Store, Written]) -> None:
    store, written = filled
    with store.reader() as session:
        check_everything(session, written)


def test_an_empty_store_reads_as_empty(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "empty")
    try:
        assert queries.sites(store) == [] and queries.runs(store) == [] and queries.latest_run(store) is None
        assert queries.findings(store) == [] and queries.current_findings(store, queries.ALL, None) == []
        assert queries.trend(store, queries.ALL, None) == []
        assert queries.site_counts(store, queries.ALL, None) == {}
        assert queries.reports_of_sites(store, queries.ALL, []) == []
        assert queries.late_count(store, queries.ALL, None) == 0
        assert queries.document_versions(store, None) == [] and queries.document_versions(store, 7) == []
        assert queries.get_report(store, 1) is None and queries.blob(store, "0" * 64) is None
    finally:
        store.close()


def test_the_state_token_changes_when_a_run_stores_a_report(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "s")
    try:
        written = fill(store)
        before = queries.state_token(store)
        assert queries.state_token(store) == before
        run_id = runs.start_run(store, "run", ["dept"])
        runs.save_report(store, run_id=run_id, site_id="dept", result=ReportResult("http://x/", "", None, []),
                         ref=runs.ReportRef(None, None, portal=True),
                         audited_run_id=run_id, portal_findings=[],
                         baseline=runs.Baseline.load(store, written.first, "dept"))
        assert queries.state_token(store) != before
    finally:
        store.close()
