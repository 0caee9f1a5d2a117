"""Per-host politeness shared by every worker: one limiter per host in Redis.

The single-process :class:`~crawler.fetch.throttle.HostThrottle` keeps its per-host state in memory; this
one keeps it in Redis, so that any number of workers on any number of machines together send a host at
most ``per_host`` requests at a time, each one at least the gap (``delay`` with jitter, or robots.txt's
Crawl-delay when longer) after the start *and* the end of the previous one.

Each host has two keys: a sorted set of the slots held (token → lease expiry) and the earliest time of the
next request.  Taking and giving back a slot are single Lua scripts, so they are atomic, and every time is
Redis's own clock (``TIME``): workers on machines whose clocks differ still space their requests by the
delay as the server sees them.  A slot is leased: a worker killed while holding one blocks the host for at
most the lease, never for ever.
"""

from __future__ import annotations

import asyncio
import math
import random
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import redis

KEY_PREFIX = "nianbao:host:"
POLL = 0.05
"""Seconds between tries while every slot of a host is held (the holder gives it back within a request)."""

_NOW = "local t = redis.call('TIME') local now = t[1] * 1000 + t[2] / 1000 "
"""Redis's clock in milliseconds (with the microseconds: a next start is rounded up, never down)."""

_ACQUIRE = _NOW + """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return {1, tonumber(ARGV[5])} end
local nxt = tonumber(redis.call('GET', KEYS[2]) or '0')
if nxt > now then return {1, math.ceil(nxt - now)} end
local base = math.max(tonumber(ARGV[3]), tonumber(redis.call('GET', KEYS[3]) or '0'))
local gap = math.floor(base * tonumber(ARGV[4]))
redis.call('ZADD', KEYS[1], math.floor(now) + tonumber(ARGV[6]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[6]) + 1000)
redis.call('SET', KEYS[2], math.ceil(now + gap), 'PX', gap + 3600000)
return {0, gap}
"""
"""KEYS: slots, next, min_delay.  ARGV: token, per_host, delay ms, jitter factor, poll ms, lease ms.
Returns {0, gap ms} when the slot is taken, else {1, ms to wait}."""

_RELEASE = _NOW + """
redis.call('ZREM', KEYS[1], ARGV[1])
local nxt = math.ceil(math.max(tonumber(redis.call('GET', KEYS[2]) or '0'), now + tonumber(ARGV[2])))
redis.call('SET', KEYS[2], nxt, 'PX', math.ceil(nxt - now) + 3600000)
return nxt
"""
"""KEYS: slots, next.  ARGV: token, gap ms.  The next request waits the gap after this one's end too."""

_DEFER = _NOW + """
local nxt = math.ceil(math.max(tonumber(redis.call('GET', KEYS[1]) or '0'), now + tonumber(ARGV[1])))
redis.call('SET', KEYS[1], nxt, 'PX', math.ceil(nxt - now) + 3600000)
return nxt
"""

_MIN_DELAY = """
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > cur then redis.call('SET', KEYS[1], ARGV[1], 'PX', 86400000) end
return 0
"""


class RedisHostThrottle:
    """Hands out request slots per host across processes; the interface of
    :class:`~crawler.fetch.throttle.HostThrottle` (``slot``, ``defer``, ``set_min_delay``, ``gap``).

    Redis calls are made with the thread-safe synchronous client in a worker thread, so one client (and
    its connection pool) serves every event loop of the process.
    """

    def __init__(
        self,
        client: redis.Redis,
        *,
        delay: float,
        jitter: float,
        per_host: int = 1,
        total: int = 16,
        lease: float = 90.0,
        rng: random.Random | None = None,
    ) -> None:
        self.client = client
        self.delay = delay
        self.jitter = jitter
        self.per_host = per_host
        self.lease = lease
        """Seconds a slot is held at most (longer than a request's whole time limit)."""
        self._total = asyncio.Semaphore(total)
        self._rng = rng or random.Random()
        self._acquire = client.register_script(_ACQUIRE)
        self._release = client.register_script(_RELEASE)
        self._defer = client.register_script(_DEFER)
        self._min_delay = client.register_script(_MIN_DELAY)

    @staticmethod
    def keys(host: str) -> tuple[str, str, str]:
        """The host's Redis keys: held slots, next start (ms), minimum delay (ms)."""
        return f"{KEY_PREFIX}{host}:slots", f"{KEY_PREFIX}{host}:next", f"{KEY_PREFIX}{host}:min_delay"

    def gap(self, host: str) -> float:
        """The configured gap after a request to ``host`` (Crawl-delay, kept in Redis, may lengthen it)."""
        stored = self.client.get(self.keys(host)[2])
        base = max(self.delay, int(stored) / 1000 if stored else 0.0)
        return base * (1.0 + self._rng.uniform(0.0, self.jitter)) if base > 0 else 0.0

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        """Hold one of ``host``'s slots (shared by every worker) once its gap has passed."""
        slots, nxt, min_delay = self.keys(host)
        token = uuid.uuid4().hex
        factor = 1.0 + self._rng.uniform(0.0, self.jitter)
        args: list[str | int | float] = [token, self.per_host, math.ceil(self.delay * 1000), factor,
                                         int(POLL * 1000), int(self.lease * 1000)]
        # The process-wide limit is taken first: a host's slot is then held only for the request itself,
        # which the fetcher's time limit bounds, so the lease never runs out under a live holder.
        async with self._total:
            while True:
                state, value = await asyncio.to_thread(self._acquire, keys=[slots, nxt, min_delay], args=args)
                if int(state) == 0:
                    gap = int(value)
                    break
                await asyncio.sleep(max(int(value), 1) / 1000)
            try:
                yield
            finally:
                # given back even when the task is cancelled: shielded, so the host is not held for a lease
                await asyncio.shield(asyncio.to_thread(self._release, keys=[slots, nxt], args=[token, gap]))

    def defer(self, host: str, seconds: float) -> None:
        """No request to ``host`` from any worker before ``seconds`` from now (Retry-After, backoff)."""
        self._defer(keys=[self.keys(host)[1]], args=[math.ceil(seconds * 1000)])

    def set_min_delay(self, host: str, seconds: float) -> None:
        """Raise the host's gap for every worker to at least ``seconds`` (robots.txt Crawl-delay)."""
        self._min_delay(keys=[self.keys(host)[2]], args=[math.ceil(seconds * 1000)])
