"""One long-running service per store: a lock held for as long as the service runs.

Two ``nianbao schedule`` processes on one store would each run every job (the job store does not stop
them), so the second must not start.  The lock is one the operating system or the database releases by
itself when its holder dies — a crashed service never blocks the next start:

- SQLite: ``flock`` on a file beside the database file (``nianbao.db.schedule.lock``), which also names
  the holder's process id and host for the message;
- PostgreSQL: a session-level advisory lock held on a connection of its own;
- any other database: ``flock`` on a file in the store folder (correct on one machine only).
"""

from __future__ import annotations

import fcntl
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text

from auditor.store.db import Store

SERVICE_LOCK_KEY = 0x6E69616E62616F02
"""PostgreSQL advisory lock key of the scheduling service ("nianbao" + 2)."""


class StoreLocked(RuntimeError):
    """Another process holds the store's service lock; the message says who (in Chinese)."""


MESSAGE = "另一个 nianbao schedule 正在使用这个存储（{holder}），每个存储只能运行一个调度服务，本进程退出"


def lock_path(store: Store) -> Path:
    """The service's lock file: beside a SQLite database file, else in the store folder."""
    database = store.engine.url.database if store.engine.dialect.name == "sqlite" else None
    if database and database != ":memory:":
        db_file = Path(database)
        return db_file.with_name(f"{db_file.name}.schedule.lock")
    return store.root / "nianbao.schedule.lock"


@contextmanager
def service_lock(store: Store) -> Iterator[None]:
    """Hold the store's service lock for the duration of the block; raise :class:`StoreLocked` at once
    when another process holds it."""
    if store.engine.dialect.name == "postgresql":
        with _advisory_lock(store):
            yield
        return
    with _file_lock(lock_path(store)):
        yield


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "未知进程"
            raise StoreLocked(MESSAGE.format(holder=f"{holder}，锁文件 {path}")) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"进程 {os.getpid()}@{socket.gethostname()}".encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
    finally:
        os.close(fd)  # releases the flock


@contextmanager
def _advisory_lock(store: Store) -> Iterator[None]:
    with store.engine.connect() as conn:
        got = conn.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": SERVICE_LOCK_KEY})
        conn.commit()
        if not got:
            url = store.engine.url.render_as_string(hide_password=True)
            raise StoreLocked(MESSAGE.format(holder=f"数据库 {url} 的咨询锁已被占用"))
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": SERVICE_LOCK_KEY})
            conn.commit()
