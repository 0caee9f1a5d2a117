"""The fetcher: one GET with politeness and safety around it.

Order of the components (see crawler.fetch.wiring.build_fetcher): host allow-list → address policy →
robots.txt (its Crawl-delay capped) → per-host throttle → request with streaming size/time limits →
retries with backoff and Retry-After, within the URL's response-time budget and the host's retry budget →
redirects followed by hand (each hop checked again, loops detected) → conditional requests from what
earlier runs stored → every response (outcomes, redirects, answers before a retry) handed to the capture
sink.  Every wait and every response in flight gives way to a stop request (:mod:`crawler.fetch.stop`).
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import time
from collections import Counter
from collections.abc import Collection
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Protocol, Self
from urllib.parse import urljoin

import httpx

from crawler.fetch.policy import AddressPolicy
from crawler.fetch.result import Cached, FetchResult, last_header
from crawler.fetch.robots import RobotsCache
from crawler.fetch.stop import StopCheck, never, unless_stopped
from crawler.fetch.throttle import HostThrottle
from crawler.fetch.transport import GuardedTransport, blocked_reason
from crawler.settings import CrawlSettings
from crawler.sites import netloc

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504, 522, 524})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})

log = logging.getLogger("nianbao.crawler.fetch")


class CaptureSink(Protocol):
    """Keeps every fetch outcome as evidence; returns the capture's id."""

    def record(self, result: FetchResult) -> int | None: ...


class ValidatorSource(Protocol):
    """What earlier runs stored, for conditional requests."""

    def cached(self, url: str) -> Cached | None: ...

    def body(self, sha256: str) -> bytes | None: ...


class _TooLarge(Exception):
    pass


class _Refused(Exception):
    """The connection was refused by the address policy: not a failure to retry."""


class _Budget:
    """What one URL may still spend receiving responses (all attempts and hops together)."""

    __slots__ = ("left",)

    def __init__(self, seconds: float) -> None:
        self.left = seconds


class _Response:
    __slots__ = ("body", "headers", "status")

    def __init__(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    def header(self, name: str) -> str | None:
        return last_header(self.headers, name)


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date); None if absent/invalid."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class Fetcher:
    """Fetches URLs politely; use as ``async with build_fetcher(settings) as fetcher``."""

    def __init__(
        self,
        *,
        settings: CrawlSettings,
        policy: AddressPolicy,
        throttle: HostThrottle,
        robots: RobotsCache | None,
        transport: httpx.AsyncBaseTransport | None = None,
        captures: CaptureSink | None = None,
        validators: ValidatorSource | None = None,
        rng: random.Random | None = None,
        extra_headers: dict[str, str] | None = None,
        should_stop: StopCheck = never,
    ) -> None:
        self.settings = settings
        self.policy = policy
        self.throttle = throttle
        self.robots = robots
        self.captures = captures
        self.validators = validators if settings.conditional else None
        self._transport = transport
        self._rng = rng or random.Random()
        self._headers = {
            "User-Agent": settings.user_agent,
            "Accept": "text/html,application/xhtml+xml,application/pdf,application/msword,"
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document,*/*;q=0.8",
            "Accept-Language": "zh-CN,zh;q=0.9",
            **(extra_headers or {}),
        }
        self._client: httpx.AsyncClient | None = None
        self._should_stop = should_stop
        self._retries_used: Counter[str] = Counter()
        """Retries spent per host in this crawl (``settings.host_retries`` at most)."""
        self._capped_delay: set[str] = set()
        self._robots_failures: dict[str, str] = {}
        """robots.txt URL -> why it could not be had (no answer at all): the refusal then says so."""

    async def __aenter__(self) -> Self:
        self._client = httpx.AsyncClient(
            transport=self._transport or GuardedTransport(self.policy),
            headers=self._headers,
            follow_redirects=False,
            trust_env=False,  # never route through a proxy from the environment
            timeout=httpx.Timeout(self.settings.timeout),
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    # ------------------------------------------------------------------------------------ public

    async def fetch(
        self,
        url: str,
        *,
        purpose: str,
        site_id: str | None = None,
        allowed_hosts: Collection[str] | None = None,
    ) -> FetchResult:
        """Fetch ``url`` (following redirects within ``allowed_hosts``; None allows the URL's own host)."""
        hosts = {h.lower() for h in allowed_hosts} if allowed_hosts is not None else {netloc(url)}
        result = await self._follow(url, purpose, site_id, hosts, check_robots=self.robots is not None)
        self._record(result)
        return result

    # ------------------------------------------------------------------------------------ stages

    def _record(self, result: FetchResult) -> None:
        if self.captures is not None:
            result.capture_id = self.captures.record(result)

    async def _follow(
        self, url: str, purpose: str, site_id: str | None, hosts: set[str], *, check_robots: bool
    ) -> FetchResult:
        result = FetchResult(url=url, purpose=purpose, site_id=site_id, fetched_at=datetime.now(UTC))
        started = time.monotonic()
        budget = _Budget(self.settings.response_budget)
        current = url
        chain = [url]
        try:
            for _hop in range(self.settings.max_redirects + 1):
                refusal = await self._refusal(current, hosts, check_robots)
                if refusal is None:
                    try:
                        done = await self._with_retries(current, result, budget)
                    except _Refused as exc:
                        refusal = str(exc)
                if refusal is not None:
                    if current == url:
                        result.skipped = refusal
                    else:
                        result.error = f"重定向到不允许的地址 {current}：{refusal}"
                    return result
                if done is None:
                    return result
                location = done.header("location")
                if done.status in REDIRECT_STATUSES and location:
                    target = urljoin(current, location.strip())
                    if target in chain:
                        self._finish(result, done)
                        result.error = "重定向循环：" + " → ".join([*chain, target])
                        return result
                    self._record_hop(result, current, done, None)
                    chain.append(target)
                    result.redirects.append(target)
                    current = target
                    continue
                self._finish(result, done)
                return result
            result.error = f"重定向次数超过 {self.settings.max_redirects} 次"
            return result
        finally:
            result.final_url = current
            result.elapsed = time.monotonic() - started

    async def _refusal(self, url: str, hosts: set[str], check_robots: bool) -> str | None:
        host = netloc(url)
        if host not in hosts:
            return f"不在允许的主机范围内（{host}）"
        reason = await self.policy.refusal(url)
        if reason is not None:
            return reason
        if check_robots and self.robots is not None:
            rules = await self.robots.rules_for(url, lambda robots_url: self._load_robots(robots_url, hosts))
            delay = self.robots.crawl_delay(rules)
            if delay:
                self.throttle.set_min_delay(host, self._capped_crawl_delay(host, delay))
            if not self.robots.allowed(rules, url):
                failure = self._robots_failures.get(self.robots.robots_url(url))
                if failure is not None:  # RFC 9309 disallows all then; say why, not "robots.txt forbids"
                    return failure
                return "robots.txt 不允许抓取"
        return None

    def _capped_crawl_delay(self, host: str, delay: float) -> float:
        """robots.txt's Crawl-delay, lowered to ``settings.max_crawl_delay`` (logged once per host)."""
        cap = self.settings.max_crawl_delay
        if math.isfinite(delay) and delay <= cap:
            return max(0.0, delay)
        if host not in self._capped_delay:
            self._capped_delay.add(host)
            log.warning(f"{host} 的 robots.txt 要求每次请求间隔 {delay:g} 秒，超过上限，按 {cap:g} 秒抓取",
                        extra={"event": "crawl_delay_capped", "host": host,
                               "requested": delay, "applied": cap})
        return cap

    async def _load_robots(self, robots_url: str, hosts: set[str]) -> tuple[int | None, bytes]:
        result = await self._follow(robots_url, "robots", None,
                                    hosts | {netloc(robots_url)}, check_robots=False)
        self._record(result)
        if result.error is not None or result.status is None:
            if result.status is None:  # no answer at all: the site is down, robots.txt forbade nothing
                self._robots_failures[robots_url] = f"站点无法访问（{result.error or '没有响应'}）"
            return None, b""
        return result.status, result.data

    async def _with_retries(self, url: str, result: FetchResult, budget: _Budget) -> _Response | None:
        """One hop, retried on timeouts, connection errors, 5xx and 429 while the URL's response-time budget
        and the host's retry budget last; None when it finally failed.  Raises _Refused when the address
        policy refused the connection."""
        host = netloc(url)
        cached = self.validators.cached(url) if self.validators is not None else None
        headers = self._conditional_headers(cached)
        for attempt in range(1, self.settings.retries + 2):
            if budget.left <= 0:
                result.error = f"超过单个地址的响应总时限（{self.settings.response_budget:g} 秒）"
                return None
            result.attempts += 1
            try:
                response, error = await self._attempt(url, host, headers, budget)
            except _TooLarge:
                result.error = f"响应超过大小上限 {self.settings.max_bytes} 字节，已中止"
                return None
            if response is not None and response.status not in RETRY_STATUSES:
                if response.status != 304 or cached is None:
                    return response
                revalidated = self._revalidated(response, cached, result)
                if revalidated is not None:
                    return revalidated
                headers, cached = {}, None  # the stored body is gone: ask again, unconditionally
                continue
            wait = self._backoff(attempt)
            if response is not None:
                error = f"HTTP {response.status}"
                hinted = self._retry_wait(response, result, wait)
                if hinted is None:
                    return None
                wait = hinted
            final = self._no_retry(host, attempt, budget)
            if final is not None:
                self._give_up(result, response, f"{error}（{final}）")
                return None
            self._retry_later(result, url, response, f"{error}，{wait:.1f} 秒后重试", wait)
        result.error = "重新验证失败：服务器返回 304，但本地已无此前的内容"
        return None

    async def _attempt(self, url: str, host: str, headers: dict[str, str],
                       budget: _Budget) -> tuple[_Response | None, str | None]:
        """One exchange in the host's throttle slot, its time taken from the budget: the response, or
        why none came.  Raises _TooLarge past the size limit, _Refused when the address policy refused."""
        async with self.throttle.slot(host):
            limit = min(self.settings.timeout, budget.left)
            began = time.monotonic()
            try:
                return await unless_stopped(self._exchange(url, headers, limit), self._should_stop), None
            except (TimeoutError, httpx.TimeoutException):
                # 3 digits: a budget remainder such as 59.9987 reads 60
                return None, f"超时（{limit:.3g} 秒内未完成）"
            except httpx.HTTPError as exc:
                reason = blocked_reason(exc)
                if reason is not None:
                    raise _Refused(reason) from None
                return None, f"连接错误：{type(exc).__name__}: {exc}"
            finally:
                budget.left -= time.monotonic() - began

    def _retry_wait(self, response: _Response, result: FetchResult, wait: float) -> float | None:
        """The wait before retrying a 5xx or 429 answer (its Retry-After when longer); None, with the
        result's error said, when the server asks to wait longer than allowed."""
        result.status = response.status
        hinted = retry_after_seconds(response.header("retry-after"))
        if hinted is None:
            return wait
        if hinted > self.settings.max_retry_after:
            result.error = f"HTTP {response.status}，Retry-After {hinted:g} 秒超过上限，未再重试"
            return None
        return max(wait, hinted)

    def _retry_later(self, result: FetchResult, url: str, response: _Response | None, note: str,
                     wait: float) -> None:
        """Count the retry against the host, keep the failed answer as evidence, hold the host ``wait`` s."""
        host = netloc(url)
        self._retries_used[host] += 1
        if response is not None:
            self._record_hop(result, url, response, note)
        self.throttle.defer(host, wait)

    @staticmethod
    def _give_up(result: FetchResult, response: _Response | None, error: str) -> None:
        """End the URL as failed: the error, and the last answer's headers and body as evidence."""
        result.error = error
        if response is not None:
            result.headers = response.headers
            result.data = response.body

    def _no_retry(self, host: str, attempt: int, budget: _Budget) -> str | None:
        """Why the failed ``attempt`` is the last one (in Chinese), or None when a retry may follow."""
        if attempt > self.settings.retries:
            return f"重试 {self.settings.retries} 次后仍失败"
        if budget.left <= 0:
            return f"已用完单个地址的响应总时限 {self.settings.response_budget:g} 秒，未再重试"
        if self._retries_used[host] >= self.settings.host_retries:
            if self._retries_used[host] == self.settings.host_retries:
                self._retries_used[host] += 1  # log once per host
                log.warning(f"{host} 的重试次数已达上限 {self.settings.host_retries} 次，此后失败不再重试",
                            extra={"event": "host_retries_exhausted", "host": host})
            return f"主机 {host} 本次抓取的重试次数（{self.settings.host_retries} 次）已用完，未再重试"
        return None

    def _record_hop(self, result: FetchResult, url: str, response: _Response, note: str | None) -> None:
        """Keep a response that is not the outcome (a redirect, an answer before a retry) as evidence too."""
        self._record(FetchResult(
            url=url, purpose=result.purpose, site_id=result.site_id,
            fetched_at=datetime.now(UTC), final_url=url,
            status=response.status, headers=response.headers, data=response.body, error=note, attempts=1,
        ))

    def _backoff(self, attempt: int) -> float:
        jitter = 1.0 + self._rng.uniform(0.0, self.settings.jitter)
        return self.settings.backoff * (2.0 ** (attempt - 1)) * jitter

    async def _exchange(self, url: str, headers: dict[str, str], seconds: float) -> _Response:
        """One GET, the whole response (connect to last byte) within ``seconds``."""
        assert self._client is not None, "use the fetcher as an async context manager"
        limit = self.settings.max_bytes
        async with asyncio.timeout(seconds):
            async with self._client.stream("GET", url, headers=headers) as resp:
                declared = resp.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > limit:
                    raise _TooLarge
                chunks: list[bytes] = []
                size = 0
                async for chunk in resp.aiter_bytes():
                    size += len(chunk)
                    if size > limit:
                        raise _TooLarge
                    chunks.append(chunk)
                return _Response(resp.status_code, list(resp.headers.multi_items()), b"".join(chunks))

    @staticmethod
    def _conditional_headers(cached: Cached | None) -> dict[str, str]:
        headers: dict[str, str] = {}
        if cached is not None:
            if cached.etag:
                headers["If-None-Match"] = cached.etag
            if cached.last_modified:
                headers["If-Modified-Since"] = cached.last_modified
        return headers

    def _revalidated(self, response: _Response, cached: Cached, result: FetchResult) -> _Response | None:
        assert self.validators is not None
        body = self.validators.body(cached.sha256)
        if body is None:
            return None
        fresh = {k.lower() for k, _ in response.headers}
        merged = [(k, v) for k, v in cached.headers if k.lower() not in fresh] + response.headers
        result.not_modified = True
        return _Response(304, merged, body)

    @staticmethod
    def _finish(result: FetchResult, response: _Response) -> None:
        result.status = response.status
        result.headers = response.headers
        result.data = response.body
