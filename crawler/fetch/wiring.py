"""The one place where the crawler's fetching components are wired together: :func:`build_fetcher` assembles
address policy, robots.txt, per-host throttle, retries and conditional requests around an httpx transport
— the one seam tests and benchmarks replace (:class:`Wiring`)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import httpx

from crawler.fetch.client import CaptureSink, Fetcher, ValidatorSource
from crawler.fetch.policy import AddressPolicy, Resolver
from crawler.fetch.robots import RobotsCache
from crawler.fetch.stop import StopCheck, never, sleep_unless_stopped
from crawler.fetch.throttle import HostThrottle
from crawler.settings import CrawlSettings


@dataclass(slots=True)
class Wiring:
    """Optional replacements for the defaults (tests and benchmarks)."""

    transport: httpx.AsyncBaseTransport | None = None
    captures: CaptureSink | None = None
    validators: ValidatorSource | None = None
    extra_headers: dict[str, str] = field(default_factory=dict)
    stop: StopCheck | None = None
    """Asked before and during every wait and response: True stops the crawl (CrawlStopped)."""
    resolver: Resolver | None = None
    """Host name resolution (the system's by default): the connection goes to the address it gave."""
    throttle: HostThrottle | None = None
    """Per-host politeness shared beyond this process (distributed workers: one limiter per host in Redis)."""


def build_fetcher(settings: CrawlSettings, wiring: Wiring | None = None) -> Fetcher:
    """The fetcher with its components: address policy → robots.txt → throttle → retries → transport
    (without a transport from ``wiring``: httpx over a network backend that applies the address policy
    to the connection itself, see :mod:`crawler.fetch.transport`)."""
    wiring = wiring or Wiring()
    rng = random.Random(settings.seed)
    stop = wiring.stop or never

    async def sleep(seconds: float) -> None:
        await sleep_unless_stopped(seconds, stop)

    throttle = wiring.throttle or HostThrottle(
        delay=settings.delay,
        jitter=settings.jitter,
        per_host=settings.per_host_concurrency,
        total=settings.total_concurrency,
        rng=rng,
        sleep=sleep,
    )
    return Fetcher(
        settings=settings,
        policy=AddressPolicy(settings.allow_private, wiring.resolver),
        throttle=throttle,
        robots=RobotsCache(settings.user_agent) if settings.obey_robots else None,
        transport=wiring.transport,
        captures=wiring.captures,
        validators=wiring.validators,
        rng=rng,
        extra_headers=wiring.extra_headers,
        should_stop=stop,
    )
