"""The address policy: IPv6 forms that wrap a private IPv4 address are refused, and the connection goes
to exactly the address that was checked (a rebinding DNS answer gains nothing)."""

from __future__ import annotations

import asyncio
import ipaddress

import pytest

from crawler.fetch.policy import AddressPolicy, embedded_ipv4
from crawler.fetch.result import FetchResult
from crawler.fetch.wiring import Wiring, build_fetcher
from crawler.settings import CrawlSettings
from tests.crawler.hostile_portal import HostilePortal


@pytest.mark.parametrize(("address", "inner"), [
    ("64:ff9b::a9fe:a9fe", "169.254.169.254"),   # NAT64 (RFC 6052)
    ("64:ff9b::7f00:1", "127.0.0.1"),
    ("2002:a00:1::", "10.0.0.1"),                # 6to4 (RFC 3056)
    ("2002:c0a8:101::1", "192.168.1.1"),
    ("::ffff:127.0.0.1", "127.0.0.1"),           # IPv4-mapped
    ("::a9fe:a9fe", "169.254.169.254"),          # IPv4-compatible (deprecated)
])
def test_wrapped_private_addresses_are_refused(address: str, inner: str) -> None:
    ip = ipaddress.ip_address(address)
    assert str(embedded_ipv4(ip)) == inner
    policy = AddressPolicy()
    assert not policy.permits(ip)
    assert inner in policy.describe(ip)


@pytest.mark.parametrize("address", ["64:ff9b::808:808", "2002:808:808::1", "::ffff:8.8.8.8", "8.8.8.8",
                                     "2606:4700::1111"])
def test_wrapped_public_addresses_pass(address: str) -> None:
    assert AddressPolicy().permits(ipaddress.ip_address(address))


def test_allowing_an_address_allows_its_mapped_form_but_not_a_tunnelled_one() -> None:
    policy = AddressPolicy(("127.0.0.1",))
    assert policy.permits(ipaddress.ip_address("::ffff:127.0.0.1"))  # the very same host
    assert not policy.permits(ipaddress.ip_address("64:ff9b::7f00:1"))  # the NAT64 gateway's loopback


def _fetch(url: str, settings: CrawlSettings, answers: dict[str, list[list[str]]]) -> FetchResult:
    async def resolver(host: str, _port: int) -> list[str]:
        queue = answers[host]
        return queue.pop(0) if len(queue) > 1 else queue[0]

    async def go() -> FetchResult:
        async with build_fetcher(settings, Wiring(resolver=resolver)) as fetcher:
            return await fetcher.fetch(url, purpose="article")

    return asyncio.run(go())


def test_a_rebinding_answer_at_connection_time_is_refused() -> None:
    settings = CrawlSettings(delay=0.0, jitter=0.0, retries=0, obey_robots=False)
    with HostilePortal() as portal:
        port = portal.host.rsplit(":", 1)[1]
        # public for the check before the request, loopback a moment later when connecting
        result = _fetch(f"http://rebind.test:{port}/ndbg/report.html", settings,
                        {"rebind.test": [["93.184.216.34"], ["127.0.0.1"]]})
        assert portal.hits == [], "no connection reached the loopback server"
    assert not result.ok
    assert result.skipped is not None and "拒绝访问内网或本机地址 127.0.0.1" in result.skipped


def test_the_connection_goes_to_the_checked_address() -> None:
    settings = CrawlSettings(delay=0.0, jitter=0.0, retries=0, obey_robots=False,
                             allow_private=("127.0.0.1",))
    with HostilePortal() as portal:
        port = portal.host.rsplit(":", 1)[1]
        result = _fetch(f"http://portal.test:{port}/ndbg/report.html", settings,
                        {"portal.test": [["127.0.0.1"]]})
        assert [p for _, p in portal.hits] == ["/ndbg/report.html"]
    assert result.ok and result.data == portal.report


def test_a_name_resolving_to_a_wrapped_private_address_is_refused() -> None:
    settings = CrawlSettings(delay=0.0, jitter=0.0, retries=0, obey_robots=False,
                             allow_private=("127.0.0.1",))
    result = _fetch("http://metadata.test/latest/", settings, {"metadata.test": [["64:ff9b::a9fe:a9fe"]]})
    assert result.skipped is not None and "169.254.169.254" in result.skipped
