"""The store's read API on PostgreSQL: the same scenario and checks as on SQLite
(tests/store/test_read_api.py), on the session's real PostgreSQL server."""

from __future__ import annotations

from pathlib import Path

from auditor.store import Store
from tests.store.read_scenario import check_everything, fill


def test_every_query_on_postgresql(database_url: str, tmp_path: Path) -> None:
    store = Store.open(tmp_path / "pg", database_url)
    try:
        written = fill(store)
        check_everything(store, written)
        with store.reader() as session:
            check_everything(session, written)
    finally:
        store.close()
