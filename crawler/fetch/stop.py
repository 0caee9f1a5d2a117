"""Stopping a crawl promptly: every wait of the fetcher (politeness gaps, Crawl-delay, Retry-After,
backoff) and every response in flight gives way when the crawl is asked to stop.

The stop request is a plain ``Callable[[], bool]`` (``threading.Event.is_set``): SIGTERM handlers and
the scheduler's main thread set the event from outside the crawl's event loop, so the waits look at it
every :data:`TICK` seconds rather than sleeping through it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")

StopCheck = Callable[[], bool]

TICK = 0.2
"""How often a wait looks at the stop request: the longest a stop can go unnoticed."""


class CrawlStopped(Exception):
    """The crawl was asked to stop (SIGTERM, Ctrl-C); what was recorded so far is kept."""


def never() -> bool:
    """The stop check of a crawl nobody stops."""
    return False


async def sleep_unless_stopped(seconds: float, should_stop: StopCheck = never) -> None:
    """Sleep ``seconds``; raise :class:`CrawlStopped` as soon as ``should_stop()`` says so."""
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        if should_stop():
            raise CrawlStopped
        await asyncio.sleep(min(left, TICK))
    if should_stop():
        raise CrawlStopped


async def unless_stopped(work: Awaitable[T], should_stop: StopCheck = never) -> T:
    """Await ``work``; cancel it and raise :class:`CrawlStopped` as soon as ``should_stop()`` says so
    (a slow response is not waited out when the service is being stopped)."""
    if should_stop is never:
        return await work
    task = asyncio.ensure_future(work)
    try:
        while True:
            done, _ = await asyncio.wait({task}, timeout=TICK)
            if done:
                return task.result()
            if should_stop():
                raise CrawlStopped
    finally:
        if not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
