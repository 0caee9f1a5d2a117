"""A real redis-server and a real PostgreSQL on 127.0.0.1, started for the session; a fresh database and an
empty Redis for each test.  Skipped, saying why, only when the server binaries are not installed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.distributed import servers


@pytest.fixture(scope="session")
def redis_server() -> Iterator[str]:
    """The session's redis-server."""
    if (reason := servers.missing("redis")) is not None:
        pytest.skip(reason)
    with servers.redis_server() as url:
        yield url


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The session's PostgreSQL cluster."""
    if (reason := servers.missing("postgres")) is not None:
        pytest.skip(reason)
    with servers.postgres_server() as url:
        yield url


@pytest.fixture
def database_url(postgres_server: str) -> str:
    """A fresh, empty database of the session's PostgreSQL."""
    return servers.create_database(postgres_server)


@pytest.fixture
def redis_url(redis_server: str) -> str:
    """The session's Redis, emptied."""
    import redis

    client = redis.Redis.from_url(redis_server)
    client.flushall()
    client.close()
    return redis_server
