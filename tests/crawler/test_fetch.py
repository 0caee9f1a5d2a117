"""The fetcher's components through the transport seam (httpx.MockTransport) and on the demo portal:
address policy, robots.txt, retries and Retry-After, redirects, size and time limits, conditional
requests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import httpx
import pytest

from crawler.demo_portal import DemoPortal
from crawler.fetch import FetchError, fetch_document
from crawler.fetch.client import retry_after_seconds
from crawler.fetch.result import Cached, FetchResult
from crawler.fetch.wiring import Wiring, build_fetcher
from crawler.settings import CrawlSettings
from tests.crawler.support import FAST, gov_path

HOST = "127.0.0.9"
BASE = f"http://{HOST}"
LOCAL = CrawlSettings.from_mapping({**FAST, "allow_private": [HOST]})

Handler = Callable[[httpx.Request], httpx.Response]


def robots_ok(handler: Handler) -> Handler:
    def wrapped(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        return handler(request)

    return wrapped


def fetch(url: str, handler: Handler, settings: CrawlSettings = LOCAL, *, hosts: list[str] | None = None,
          wiring: Wiring | None = None) -> FetchResult:
    wiring = wiring or Wiring()
    wiring.transport = httpx.MockTransport(handler)

    async def go() -> FetchResult:
        async with build_fetcher(settings, wiring) as fetcher:
            return await fetcher.fetch(url, purpose="article", allowed_hosts=hosts)

    return asyncio.run(go())


def test_private_addresses_are_refused_unless_configured() -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        return httpx.Response(200, text="ok")

    refused = fetch(f"{BASE}/a.html", handler, CrawlSettings.from_mapping(FAST))
    assert refused.skipped is not None and "内网或本机地址" in refused.skipped
    assert calls == []
    assert fetch(f"{BASE}/a.html", robots_ok(handler)).ok


def test_hosts_outside_the_allow_list_are_not_contacted() -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        return httpx.Response(200)

    result = fetch("http://127.0.0.8/x.html", handler, hosts=[HOST])
    assert result.skipped == "不在允许的主机范围内（127.0.0.8）" and calls == []


def test_redirect_to_another_host_is_stopped() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"Location": "http://127.0.0.8/elsewhere.html"})

    result = fetch(f"{BASE}/a.html", robots_ok(handler), hosts=[HOST])
    assert not result.ok and result.error is not None and result.error.startswith("重定向到不允许的地址")


def test_redirects_are_bounded() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        n = int(request.url.path.strip("/").removesuffix(".html") or 0)
        return httpx.Response(301, headers={"Location": f"/{n + 1}.html"})

    result = fetch(f"{BASE}/0.html", robots_ok(handler), LOCAL.with_overrides(max_redirects=3))
    assert result.error == "重定向次数超过 3 次" and len(result.redirects) == 4


def test_robots_txt_is_obeyed_and_a_failing_one_disallows_everything() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        if request.url.path == "/robots.txt":
            return httpx.Response(503)
        return httpx.Response(200, text="page")

    result = fetch(f"{BASE}/a.html", handler, LOCAL.with_overrides(retries=0))
    assert result.skipped == "robots.txt 不允许抓取" and seen == ["/robots.txt"]


def test_retries_with_backoff_then_gives_up() -> None:
    attempts: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        attempts.append(asyncio.get_event_loop().time())
        return httpx.Response(503)

    result = fetch(f"{BASE}/a.html", robots_ok(handler), LOCAL.with_overrides(retries=2, backoff=0.05))
    assert result.status == 503 and result.attempts == 3 and not result.ok
    assert result.error == "HTTP 503（重试 2 次后仍失败）"
    assert attempts[1] - attempts[0] >= 0.05 and attempts[2] - attempts[1] >= 0.1  # doubling


def test_client_errors_are_not_retried() -> None:
    result = fetch(f"{BASE}/a.html", robots_ok(lambda r: httpx.Response(404)))
    assert result.status == 404 and result.attempts == 1 and result.describe_failure() == "HTTP 404"


def test_too_long_retry_after_fails_at_once() -> None:
    result = fetch(f"{BASE}/a.html",
                   robots_ok(lambda r: httpx.Response(429, headers={"Retry-After": "86400"})))
    assert result.attempts == 1 and result.error is not None
    assert "Retry-After 86400 秒超过上限" in result.error


def test_retry_after_as_seconds_or_http_date() -> None:
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds("Thu, 01 Jan 2026 12:00:30 GMT", now) == 30.0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


def test_declared_size_over_the_limit_is_refused() -> None:
    big = robots_ok(lambda r: httpx.Response(200, content=b"x" * 5000))
    result = fetch(f"{BASE}/a.html", big, LOCAL.with_overrides(max_bytes=1000))
    assert result.error == "响应超过大小上限 1000 字节，已中止" and result.data == b""


def test_streamed_size_over_the_limit_is_aborted() -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(5):
            yield b"y" * 600

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=chunks())  # no Content-Length: streamed

    result = fetch(f"{BASE}/a.html", robots_ok(handler), LOCAL.with_overrides(max_bytes=1000))
    assert result.error == "响应超过大小上限 1000 字节，已中止"


def test_slow_page_is_aborted_at_the_time_limit(portal: DemoPortal) -> None:
    settings = CrawlSettings.from_mapping({**FAST, "allow_private": ["127.0.0.1"],
                                           "timeout": 0.05, "retries": 1})

    async def go() -> FetchResult:
        async with build_fetcher(settings) as fetcher:
            return await fetcher.fetch(portal.url(gov_path(portal, 7)), purpose="article")

    result = asyncio.run(go())
    assert result.error == "超时（0.05 秒内未完成）（重试 1 次后仍失败）" and result.attempts == 2


class MemoryValidators:
    def __init__(self, body: bytes) -> None:
        self.stored = {"abc": body}

    def cached(self, url: str) -> Cached | None:
        return Cached("abc", [("Content-Type", "text/html; charset=gbk"), ("ETag", '"v1"')], etag='"v1"')

    def body(self, sha256: str) -> bytes | None:
        return self.stored.get(sha256)


def test_304_returns_the_stored_body_with_updated_headers() -> None:
    sent: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request.headers.get("if-none-match"))
        return httpx.Response(304, headers={"ETag": '"v1"', "Date": "Thu, 01 Jan 2026 00:00:00 GMT"})

    result = fetch(f"{BASE}/a.html", robots_ok(handler),
                   wiring=Wiring(validators=MemoryValidators(b"<html>old")))
    assert sent == ['"v1"'] and result.ok and result.not_modified and result.data == b"<html>old"
    assert result.charset == "gbk" and result.header("date") == "Thu, 01 Jan 2026 00:00:00 GMT"


def test_304_without_the_stored_body_asks_again_unconditionally() -> None:
    sent: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request.headers.get("if-none-match"))
        if request.headers.get("if-none-match"):
            return httpx.Response(304)
        return httpx.Response(200, text="fresh")

    validators = MemoryValidators(b"")
    validators.stored.clear()
    result = fetch(f"{BASE}/a.html", robots_ok(handler), wiring=Wiring(validators=validators))
    assert sent == ['"v1"', None] and result.ok and result.data == b"fresh"


def test_fetch_document_for_audit_url(portal: DemoPortal) -> None:
    doc = fetch_document(portal.url(gov_path(portal, 2)))
    assert (doc.kind, doc.encoding, doc.published_source) == ("html", "gb18030", "发布时间")
    assert "年度报告" in doc.data.decode(doc.encoding or "")
    with pytest.raises(FetchError, match="HTTP 404"):
        fetch_document(portal.url("/no/such/page.html"))


def test_a_host_s_retries_are_budgeted_across_its_urls() -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return httpx.Response(503, text="down")

    settings = LOCAL.with_overrides(retries=3, host_retries=4)

    async def go() -> list[FetchResult]:
        async with build_fetcher(settings,
                                 Wiring(transport=httpx.MockTransport(robots_ok(handler)))) as fetcher:
            return [await fetcher.fetch(f"{BASE}/{i}.html", purpose="article") for i in range(3)]

    first, second, third = asyncio.run(go())
    assert (first.attempts, second.attempts, third.attempts) == (4, 2, 1)
    assert "重试次数" in third.error and "已用完" in third.error
    assert len([c for c in calls if c != "/robots.txt"]) == 7
