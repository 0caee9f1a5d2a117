"""The per-host throttle on its own: concurrency per host, gaps, Retry-After deferral."""

from __future__ import annotations

import asyncio
import random

from crawler.fetch.throttle import HostThrottle


def run_holders(throttle: HostThrottle, hosts: list[str], hold: float = 0.02) -> dict[str, int]:
    active: dict[str, int] = {}
    peak: dict[str, int] = {}

    async def holder(host: str) -> None:
        async with throttle.slot(host):
            active[host] = active.get(host, 0) + 1
            peak[host] = max(peak.get(host, 0), active[host])
            await asyncio.sleep(hold)
            active[host] -= 1

    async def main() -> None:
        await asyncio.gather(*(holder(h) for h in hosts))

    asyncio.run(main())
    return peak


def test_one_request_at_a_time_per_host_but_hosts_in_parallel() -> None:
    throttle = HostThrottle(delay=0.0, jitter=0.0, per_host=1, total=8)
    assert run_holders(throttle, ["a", "b"] * 4) == {"a": 1, "b": 1}


def test_per_host_concurrency_can_be_raised() -> None:
    throttle = HostThrottle(delay=0.0, jitter=0.0, per_host=3, total=8)
    assert run_holders(throttle, ["a"] * 6) == {"a": 3}


def test_gap_is_never_below_the_delay_and_jitter_only_adds() -> None:
    throttle = HostThrottle(delay=2.0, jitter=0.5, rng=random.Random(3))
    gaps = [throttle.gap("h") for _ in range(200)]
    assert min(gaps) >= 2.0 and max(gaps) <= 3.0 and len(set(gaps)) > 100


def test_defer_and_crawl_delay_push_the_next_start() -> None:
    now = [100.0]
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds
        await asyncio.sleep(0)

    throttle = HostThrottle(delay=1.0, jitter=0.0, clock=lambda: now[0], sleep=fake_sleep)
    throttle.set_min_delay("h", 5.0)
    assert throttle.gap("h") == 5.0
    throttle.defer("h", 30.0)

    async def first_wait() -> float:
        async with throttle.slot("h"):
            pass
        return sum(slept)

    assert asyncio.run(first_wait()) == 30.0
