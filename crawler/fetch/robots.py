"""robots.txt, fetched once per origin and obeyed (protego), following RFC 9309 on failures."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from protego import Protego

RobotsLoader = Callable[[str], Awaitable[tuple[int | None, bytes]]]
"""Fetches a robots.txt URL; returns (status or None when unreachable, body)."""

_ALLOW_ALL = Protego.parse("")
_DISALLOW_ALL = Protego.parse("User-agent: *\nDisallow: /\n")


class RobotsCache:
    """The parsed robots.txt of each origin, for one user agent.

    A 4xx robots.txt allows everything; an unreachable one or a 5xx disallows everything for the crawl
    (RFC 9309 §2.3.1.3-4): the site asked not to be disturbed, or cannot say what it allows.
    """

    def __init__(self, user_agent: str) -> None:
        self.user_agent = user_agent
        self._parsed: dict[str, Protego] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    @staticmethod
    def robots_url(url: str) -> str:
        """The robots.txt URL of ``url``'s origin."""
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}/robots.txt"

    async def rules_for(self, url: str, load: RobotsLoader) -> Protego:
        """The rules of ``url``'s origin, loading robots.txt on first use."""
        origin = self.robots_url(url)
        lock = self._locks.setdefault(origin, asyncio.Lock())
        async with lock:
            if origin not in self._parsed:
                status, body = await load(origin)
                self._parsed[origin] = self._parse(status, body)
        return self._parsed[origin]

    @staticmethod
    def _parse(status: int | None, body: bytes) -> Protego:
        if status is None or status >= 500:
            return _DISALLOW_ALL
        if status >= 400:
            return _ALLOW_ALL
        return Protego.parse(body.decode("utf-8", errors="replace"))

    def allowed(self, rules: Protego, url: str) -> bool:
        """Whether ``rules`` let this crawler fetch ``url``."""
        return bool(rules.can_fetch(url, self.user_agent))

    def crawl_delay(self, rules: Protego) -> float | None:
        """The Crawl-delay the rules ask of this crawler, if any."""
        delay = rules.crawl_delay(self.user_agent)
        return float(delay) if delay is not None else None
