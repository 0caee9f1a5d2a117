"""Crawler settings.

Like Scrapy's settings module: every knob of politeness and safety has a documented default here, and the
sites file may override them in a ``[crawler]`` table.  :func:`crawler.fetch.wiring.build_fetcher` assembles
the fetching components from them (kept there so the settings import nothing of the fetcher that reads them).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

from auditor import __version__

CONTACT_URL = "https://github.com/nianbao/nianbao#crawler"

DEFAULT_USER_AGENT = f"nianbao/{__version__} (government annual-report compliance auditor; +{CONTACT_URL})"
"""ASCII only (HTTP headers are); names the tool, what it does and where to reach its operators."""


@dataclass(frozen=True, slots=True)
class CrawlSettings:
    """Politeness, safety and limits of a crawl.  All times in seconds."""

    user_agent: str = DEFAULT_USER_AGENT
    delay: float = 2.0
    """Minimum time between two requests to the same host (after the start and after the end of the
    previous one)."""
    jitter: float = 0.5
    """Each per-host gap is ``delay * (1 + uniform(0, jitter))``: never shorter than ``delay``."""
    per_host_concurrency: int = 1
    total_concurrency: int = 16
    """Requests in flight across all hosts."""
    timeout: float = 30.0
    """Whole-response time limit (connect to last byte); the download is aborted past it."""
    max_bytes: int = 50 * 1024 * 1024
    """Largest body accepted; larger downloads are aborted (no report comes near 50 MB)."""
    max_redirects: int = 5
    retries: int = 3
    """Further attempts after a timeout, a connection error, a 5xx or a 429."""
    backoff: float = 1.0
    """First retry waits this long (doubling each time) unless the server says Retry-After."""
    max_retry_after: float = 600.0
    """A Retry-After longer than this is not waited for: the fetch fails instead."""
    response_budget: float = 60.0
    """Total time one URL may spend receiving responses, over all its attempts and redirect hops: a
    server that trickles bytes (slow-loris) costs this much at most, not ``timeout`` × attempts."""
    host_retries: int = 20
    """Retries one host may use in one crawl, over all its URLs; past it a failure is final."""
    max_crawl_delay: float = 30.0
    """A robots.txt Crawl-delay above this is lowered to it (and logged): a delay of an hour would stall
    the crawl of the site and, behind it, the service."""
    max_listing_pages: int = 50
    obey_robots: bool = True
    conditional: bool = True
    """Send If-None-Match / If-Modified-Since with what an earlier run stored."""
    allow_private: tuple[str, ...] = ()
    """Addresses or networks (CIDR) that may be fetched although private or loopback (e.g. 127.0.0.1)."""
    seed: int | None = None
    """Seed of the jitter's random numbers (tests); None for fresh randomness."""
    redis_url: str | None = None
    """Broker and shared politeness of distributed runs (``redis://host:6379/0``); $REDIS_URL overrides."""
    database_url: str | None = None
    """Store database of distributed runs and workers (``postgresql+psycopg://…``); $DATABASE_URL
    overrides."""

    @classmethod
    def from_mapping(cls, data: dict[str, Any], base: CrawlSettings | None = None) -> CrawlSettings:
        """Settings from a ``[crawler]`` table; unknown keys are an error (a typo must not pass silently)."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown crawler setting(s): {', '.join(unknown)}")
        values = dict(data)
        if not str(values.get("user_agent", "")).isascii():
            raise ValueError("user_agent must be ASCII (HTTP header)")
        if "allow_private" in values:
            values["allow_private"] = tuple(str(a) for a in values["allow_private"])
        return replace(base or cls(), **values)

    def with_overrides(self, **values: Any) -> CrawlSettings:
        """A copy with the given settings changed (None values ignored)."""
        return replace(self, **{k: v for k, v in values.items() if v is not None})


FAST = {"delay": 0.0, "jitter": 0.0, "backoff": 0.05}
"""Politeness lifted: for benchmarks and local tests against servers you own."""
