"""Opening the store: the database (SQLite file by default, any SQLAlchemy URL) and the blob folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from auditor.store.blobs import BlobStore
from auditor.store.migrate import migrate
from auditor.store.schema import Base

DEFAULT_STORE_DIR = Path("data")
DB_FILE = "nianbao.db"
DATABASE_URL_ENV = "NIANBAO_DATABASE_URL"
"""Environment variable naming a database URL (e.g. postgresql+psycopg://…) to use instead of SQLite."""


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cur = dbapi_connection.cursor()
    # The busy timeout lets scheduled jobs share the file; first, so that switching a new file to WAL
    # waits for a concurrent opener instead of failing.  WAL lets the web view read while a crawl writes.
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


SCHEMA_LOCK_KEY = 0x6E69616E62616F01
"""PostgreSQL advisory lock key serialising schema creation ("nianbao" + 1)."""


def create_schema(engine: Engine) -> None:
    """Create the missing tables, safely when several processes open a new store at the same moment.

    ``create_all`` checks, then creates: two first opens could both see no table and the second then
    fail with "table already exists".  The check and the creation run in one transaction holding the
    database's write lock (SQLite ``BEGIN IMMEDIATE``; a transaction-scoped advisory lock on
    PostgreSQL), so the later opener waits and then finds the tables there.
    """
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        elif engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK_KEY})
        try:
            Base.metadata.create_all(conn)
        except BaseException:
            conn.rollback()
            raise
        conn.commit()


class Store:
    """The shared store: ``db_url`` for the tables, ``root/blobs`` for the bodies.

    Open it with :meth:`open`; use :meth:`session` for a unit of work (committed on success, rolled back
    on error).  A store written by an earlier nianbao is upgraded in place when opened
    (:mod:`auditor.store.migrate`).
    """

    def __init__(self, root: Path, db_url: str) -> None:
        self.root = root
        self.db_url = db_url
        self.blobs = BlobStore(root / "blobs")
        self.engine: Engine = create_engine(db_url, future=True)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        try:
            create_schema(self.engine)
            self.migrated = migrate(self.engine)
            """What opening the store upgraded (None when it was already up to date)."""
        except BaseException:
            self.engine.dispose()
            raise
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @classmethod
    def open(cls, root: Path | str | None = None, db_url: str | None = None) -> Store:
        """Open (creating if needed) the store under ``root`` (default ``./data``).

        The database is ``db_url``, else ``$NIANBAO_DATABASE_URL``, else ``root/nianbao.db``.
        """
        folder = Path(root) if root is not None else DEFAULT_STORE_DIR
        folder.mkdir(parents=True, exist_ok=True)
        url = db_url or os.environ.get(DATABASE_URL_ENV) or f"sqlite:///{(folder / DB_FILE).resolve()}"
        return cls(folder, url)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session whose work is committed when the block ends normally."""
        with self._sessions() as session, session.begin():
            yield session

    def reader(self) -> Session:
        """A plain session for reading (the caller closes it)."""
        return self._sessions()

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()
