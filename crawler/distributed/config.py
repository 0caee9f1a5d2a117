"""Where the broker and the store are: configuration by URL.

Each value is taken from the first of: the command line, the environment (``REDIS_URL`` / ``DATABASE_URL``,
or their ``NIANBAO_`` forms), the sites file's ``[crawler]`` table (``redis_url``, ``database_url``), the
default (Redis on this machine; the SQLite file of the store folder, which only workers on this machine
can share).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from crawler.settings import CrawlSettings

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
REDIS_ENV = ("NIANBAO_REDIS_URL", "REDIS_URL")
DATABASE_ENV = ("NIANBAO_DATABASE_URL", "DATABASE_URL")
STORE_ENV = "NIANBAO_STORE"
HEARTBEAT_ENV = "NIANBAO_HEARTBEAT_TIMEOUT"
LEASE_ENV = "NIANBAO_TASK_LEASE"
MAINTENANCE_ENV = "NIANBAO_BROKER_MAINTENANCE"


def _env(names: tuple[str, ...]) -> str | None:
    return next((os.environ[n] for n in names if os.environ.get(n)), None)


def redacted(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


def database_url(url: str | None) -> str | None:
    """The URL with the psycopg 3 driver named when it names none (``postgresql://`` means psycopg2)."""
    if url is None:
        return None
    for plain in ("postgresql://", "postgres://"):
        if url.startswith(plain):
            return "postgresql+psycopg://" + url[len(plain):]
    return url


@dataclass(frozen=True, slots=True)
class Endpoints:
    """The broker, the store database and the folder of fetched bodies that workers share."""

    redis_url: str
    database_url: str | None
    """None: SQLite in ``store``."""
    store: Path
    """Blobs (fetched bodies) live here: on several machines, the same shared folder on each."""
    heartbeat_timeout: float = 60.0
    """Seconds without a heartbeat after which a worker is taken as dead and its tasks are redelivered."""
    lease: float = 60.0
    """Seconds a site task's lease lasts without renewal (a killed worker's site is free again after it)."""
    maintenance: int = 20_000
    """Broker calls per million that look for dead workers to redeliver their tasks (Dramatiq's default
    is 1 000; a worker polling an idle queue about once a second then finds a dead one within a minute)."""

    @classmethod
    def resolve(
        cls,
        settings: CrawlSettings | None = None,
        *,
        redis_url: str | None = None,
        db_url: str | None = None,
        store: Path | None = None,
    ) -> Endpoints:
        """The endpoints from the command line, the environment, the sites file, the defaults (in that
        order)."""
        settings = settings or CrawlSettings()
        redis = redis_url or _env(REDIS_ENV) or settings.redis_url or DEFAULT_REDIS_URL
        database = database_url(db_url or _env(DATABASE_ENV) or settings.database_url)
        folder = store or Path(os.environ.get(STORE_ENV) or "data")
        return cls(redis, database, folder, float(os.environ.get(HEARTBEAT_ENV) or 60.0),
                   float(os.environ.get(LEASE_ENV) or 60.0), int(os.environ.get(MAINTENANCE_ENV) or 20_000))

    def environment(self) -> dict[str, str]:
        """The endpoints as environment variables, for worker processes."""
        env = {REDIS_ENV[0]: self.redis_url, STORE_ENV: str(self.store.resolve()),
               HEARTBEAT_ENV: str(self.heartbeat_timeout), LEASE_ENV: str(self.lease),
               MAINTENANCE_ENV: str(self.maintenance)}
        if self.database_url:
            env[DATABASE_ENV[0]] = self.database_url
        return env
