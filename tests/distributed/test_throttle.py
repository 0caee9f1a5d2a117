"""The per-host limiter in Redis: shared by every process that uses it, one request at a time per host,
each at least the delay after the previous one's start and end, Crawl-delay and Retry-After shared too."""

from __future__ import annotations

import asyncio
import itertools
import multiprocessing
import time

import redis

from crawler.distributed.throttle import RedisHostThrottle

HOST = "portal.example:80"


def _hammer(url: str, delay: float, count: int, hold: float, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    """In another process: take the host's slot ``count`` times, noting (start, end) of each hold."""
    client = redis.Redis.from_url(url)
    throttle = RedisHostThrottle(client, delay=delay, jitter=0.0)

    async def main() -> list[tuple[float, float]]:
        spans = []
        for _ in range(count):
            async with throttle.slot(HOST):
                start = time.time()
                await asyncio.sleep(hold)
                spans.append((start, time.time()))
        return spans

    out.put(asyncio.run(main()))


def test_processes_share_one_limiter_per_host(redis_url: str) -> None:
    delay, hold = 0.15, 0.05
    queue: multiprocessing.Queue = multiprocessing.get_context("spawn").Queue()  # type: ignore[type-arg]
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_hammer, args=(redis_url, delay, 5, hold, queue)) for _ in range(3)]
    for w in workers:
        w.start()
    spans = sorted(s for _ in workers for s in queue.get(timeout=60))
    for w in workers:
        w.join(30)
    assert len(spans) == 15
    for (start, end), (next_start, _) in itertools.pairwise(spans):
        assert next_start >= end + delay, "a request began before the delay after the previous one"
        assert next_start >= start + delay


def test_crawl_delay_and_retry_after_reach_every_worker(redis_url: str) -> None:
    one = RedisHostThrottle(redis.Redis.from_url(redis_url), delay=0.01, jitter=0.0)
    other = RedisHostThrottle(redis.Redis.from_url(redis_url), delay=0.01, jitter=0.0)
    one.set_min_delay(HOST, 0.3)
    assert other.gap(HOST) >= 0.3

    async def two() -> float:
        async with one.slot(HOST):
            pass
        began = time.monotonic()
        async with other.slot(HOST):
            return time.monotonic() - began

    assert asyncio.run(two()) >= 0.29
    other.defer(HOST, 0.5)

    async def after_defer() -> float:
        began = time.monotonic()
        async with one.slot(HOST):
            return time.monotonic() - began

    assert asyncio.run(after_defer()) >= 0.49


def test_a_killed_holder_blocks_the_host_only_for_its_lease(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    dead = RedisHostThrottle(client, delay=0.0, jitter=0.0, lease=0.5)
    alive = RedisHostThrottle(client, delay=0.0, jitter=0.0)

    # the slot taken and never given back, as by a process killed mid-request
    state, _ = dead._acquire(keys=list(dead.keys(HOST)), args=["dead", 1, 0, 1.0, 50, 500])
    assert state == 0

    async def wait() -> float:
        began = time.monotonic()
        async with alive.slot(HOST):
            return time.monotonic() - began

    waited = asyncio.run(wait())
    assert 0.3 < waited < 2.0
