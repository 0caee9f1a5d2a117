"""Per-host politeness: at most N requests in flight per host, and a minimum gap (with jitter) after
each request to the same host, counted from its start and from its end, which Retry-After and
robots.txt Crawl-delay can lengthen."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass


@dataclass(slots=True)
class _HostState:
    semaphore: asyncio.Semaphore
    next_start: float = 0.0
    min_delay: float = 0.0


class HostThrottle:
    """Hands out request slots per host.

    ``async with throttle.slot(host):`` waits until the host has a free slot and its gap has passed,
    then holds the slot for the duration of the request.
    """

    def __init__(
        self,
        *,
        delay: float,
        jitter: float,
        per_host: int = 1,
        total: int = 16,
        rng: random.Random | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.delay = delay
        self.jitter = jitter
        self.per_host = per_host
        self._total = asyncio.Semaphore(total)
        self._hosts: dict[str, _HostState] = {}
        self._rng = rng or random.Random()
        self._clock = clock
        self._sleep = sleep
        """Every wait goes through it: the fetcher's stops when the crawl is asked to stop."""

    def _state(self, host: str) -> _HostState:
        state = self._hosts.get(host)
        if state is None:
            state = self._hosts[host] = _HostState(asyncio.Semaphore(self.per_host))
        return state

    def gap(self, host: str) -> float:
        """The gap to leave after a request to ``host`` (after its start and after its end)."""
        base = max(self.delay, self._state(host).min_delay)
        return base * (1.0 + self._rng.uniform(0.0, self.jitter)) if base > 0 else 0.0

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        """Hold one of ``host``'s request slots, once its gap since the previous request has passed."""
        state = self._state(host)
        async with state.semaphore:
            while (wait := state.next_start - self._clock()) > 0:
                await self._sleep(wait)
            gap = self.gap(host)
            state.next_start = self._clock() + gap
            try:
                async with self._total:
                    yield
            finally:
                # counted from the end too, so the server never sees two requests closer than the delay
                state.next_start = max(state.next_start, self._clock() + gap)

    def defer(self, host: str, seconds: float) -> None:
        """No request to ``host`` before ``seconds`` from now (Retry-After, backoff)."""
        state = self._state(host)
        state.next_start = max(state.next_start, self._clock() + seconds)

    def set_min_delay(self, host: str, seconds: float) -> None:
        """Raise the host's gap to at least ``seconds`` (robots.txt Crawl-delay)."""
        state = self._state(host)
        state.min_delay = max(state.min_delay, seconds)
