"""Bringing a store written by an earlier nianbao up to date, in place, when it is opened.

The one change so far: report models used to be stored in every report row (``reports.model``, a full
copy per run); they now live once per distinct model in ``models`` and ``reports.model_id`` refers to
them.  Opening an older store adds ``reports.model_id``, moves every stored model into ``models``
(identical ones become one row) and drops ``reports.model``, all in one transaction: an interrupted
migration leaves the store as it was, and the next open does it again.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.exc import DBAPIError

from auditor.store.models import model_id

log = logging.getLogger("nianbao.store")

BATCH = 500
"""Report rows read at a time while moving their models."""


class MigrationError(RuntimeError):
    """The store is of an earlier schema and could not be upgraded in place."""


@dataclass(frozen=True, slots=True)
class Migrated:
    """What a migration did."""

    reports: int
    """Report rows whose model moved to ``models``."""
    models: int
    """Distinct models they held (rows of ``models`` after the move)."""
    dropped: bool
    """Whether ``reports.model`` could be dropped (else it was emptied: SQLite before 3.35)."""


def _columns(bind: Engine | Connection, table: str) -> set[str]:
    inspector = inspect(bind)
    if not inspector.has_table(table):
        return set()
    return {c["name"] for c in inspector.get_columns(table)}


def _can_drop_columns(bind: Engine | Connection) -> bool:
    """Whether the database has ALTER TABLE … DROP COLUMN (SQLite from 3.35; PostgreSQL always)."""
    if bind.dialect.name == "sqlite":
        import sqlite3

        return sqlite3.sqlite_version_info >= (3, 35, 0)
    return True


def needs_migration(engine: Engine) -> bool:
    """Whether the store's ``reports`` table is of the earlier schema (models inside the rows)."""
    columns = _columns(engine, "reports")
    if not columns:
        return False
    if "model_id" not in columns:
        return True
    if "model" not in columns:
        return False
    if _can_drop_columns(engine):
        return True
    # An older SQLite left the emptied column in place: only models written since (none) would need moving.
    with engine.connect() as conn:
        return conn.scalar(text("SELECT 1 FROM reports WHERE model IS NOT NULL LIMIT 1")) is not None


@contextmanager
def _exclusive(engine: Engine) -> Iterator[Connection]:
    """One transaction holding the write lock from its start (SQLite: ``BEGIN IMMEDIATE``), so that two
    processes opening the same old store do not migrate it twice; committed when the block ends."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.rollback()
            raise
        conn.commit()


def _loaded(value: Any) -> dict[str, Any] | None:
    """A stored model as a dict (SQLite gives the JSON text, PostgreSQL the decoded value)."""
    if isinstance(value, (bytes, str)):
        value = json.loads(value)
    return value if isinstance(value, dict) and value else None


def _move_models(conn: Connection) -> tuple[int, set[int]]:
    """Copy each report's ``model`` into ``models`` and point ``model_id`` at it.

    The copies of one model in successive runs were written by the same serializer, so they are the
    same text: each distinct text is parsed and stored once, its repeats only looked up by hash.
    """
    moved, last = 0, 0
    ids: set[int] = set()
    by_text: dict[bytes, int] = {}
    """sha256 of a stored model's JSON text -> its row in ``models``."""
    select_batch = text("SELECT id, model FROM reports WHERE id > :last AND model IS NOT NULL "
                        "ORDER BY id LIMIT :n")
    set_id = text("UPDATE reports SET model_id = :model_id WHERE id = :id")
    while True:
        rows = conn.execute(select_batch, {"last": last, "n": BATCH}).all()
        if not rows:
            return moved, ids
        updates = []
        for report_id, value in rows:
            raw = value.encode("utf-8") if isinstance(value, str) else (
                value if isinstance(value, bytes) else None)
            key = hashlib.sha256(raw).digest() if raw is not None else None
            stored = by_text.get(key) if key is not None else None
            if stored is None:
                model = _loaded(value)
                if model is None:
                    continue
                stored = model_id(conn, model)
                if key is not None:
                    by_text[key] = stored
            updates.append({"model_id": stored, "id": report_id})
            ids.add(stored)
        if updates:
            conn.execute(set_id, updates)
            moved += len(updates)
        last = rows[-1][0]


def _drop_model_column(conn: Connection) -> bool:
    """Drop ``reports.model``; where the database cannot drop a column, empty it instead."""
    if not _can_drop_columns(conn):
        conn.execute(text("UPDATE reports SET model = NULL WHERE model IS NOT NULL"))
        return False
    conn.execute(text("ALTER TABLE reports DROP COLUMN model"))
    return True


def migrate(engine: Engine) -> Migrated | None:
    """Upgrade an earlier store in place (see the module's description); None when it is up to date.

    Raises :class:`MigrationError`, saying what to do, when the upgrade fails (a read-only file, a full
    disk…); the store is then left as it was.
    """
    if not needs_migration(engine):
        return None
    url = engine.url.render_as_string(hide_password=True)
    log.warning("upgrading the store %s: report models move to their own table (stored once each)", url)
    try:
        with _exclusive(engine) as conn:
            columns = _columns(conn, "reports")  # again, under the lock: another process may have done it
            if "model_id" not in columns:
                conn.execute(text("ALTER TABLE reports ADD COLUMN model_id INTEGER REFERENCES models (id)"))
            moved, ids, dropped = 0, set[int](), True
            if "model" in columns:
                moved, ids = _move_models(conn)
                dropped = _drop_model_column(conn)
    except DBAPIError as exc:
        raise MigrationError(
            f"the store {url} was written by an earlier nianbao and could not be upgraded in place "
            f"({type(exc.orig).__name__}: {exc.orig}). Nothing was changed. Make the database writable "
            "(and leave room for a copy of the reports table), then open it again; or start a new store "
            "with --store."
        ) from exc
    done = Migrated(moved, len(ids), dropped)
    log.warning("store upgraded: %d report models moved into %d stored models%s; the freed space is reused "
                "by later runs (VACUUM the database to shrink the file now)", done.reports, done.models,
                "" if done.dropped else " (reports.model emptied: this SQLite cannot drop columns)")
    return done
