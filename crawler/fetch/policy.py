"""Which addresses the crawler may connect to: public ones, and private or loopback ones only when
configured (``allow_private``).  Host allow-lists per site are checked by the caller before this.

Two places apply the policy: :meth:`AddressPolicy.refusal` before a request (a clear reason in the
capture log, no request made), and :class:`crawler.fetch.transport.GuardedBackend` at connection time,
which resolves the host once and connects to exactly the address it checked — so a name that resolves
to a public address for the check and to a private one a moment later (DNS rebinding) gains nothing.

IPv6 forms that carry an IPv4 address are judged by that address: IPv4-mapped ``::ffff:a.b.c.d``
(the very same host), NAT64 ``64:ff9b::/96`` (RFC 6052), 6to4 ``2002::/16`` (RFC 3056), Teredo
``2001::/32`` and the deprecated IPv4-compatible ``::a.b.c.d``.  Python calls ``64:ff9b::a9fe:a9fe``
"global"; through a NAT64 gateway it is 169.254.169.254, the cloud metadata service.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

Resolver = Callable[[str, int], Awaitable[list[str]]]
"""Resolves (host, port) to address strings; the seam tests replace to play a rebinding DNS server."""

NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")


async def system_resolver(host: str, port: int) -> list[str]:
    """The operating system's resolver (getaddrinfo), addresses in its order of preference."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, NAT64, 6to4, Teredo, compatible), if any."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in IPV4_COMPATIBLE and int(address) > 1:  # not :: or ::1, which are themselves
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _public(address: IPAddress) -> bool:
    return address.is_global and not address.is_multicast


class AddressPolicy:
    """Refuses hosts that resolve to a private, loopback, link-local or reserved address (directly or
    wrapped in an IPv6 transition form) unless that address lies in one of the ``allowed`` networks."""

    def __init__(self, allowed: tuple[str, ...] = (), resolver: Resolver | None = None) -> None:
        self.allowed = tuple(ipaddress.ip_network(a, strict=False) for a in allowed)
        self.resolver = resolver or system_resolver
        self._cache: dict[str, str | None] = {}

    def permits(self, address: IPAddress) -> bool:
        """Whether a connection to ``address`` is allowed."""
        if any(address in net for net in self.allowed):
            return True
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            return self.permits(address.ipv4_mapped)  # the same host: allowed exactly when its IPv4 form is
        inner = embedded_ipv4(address)
        # A tunnelled address reaches the IPv4 host through a gateway: never one of "our" allowed ones.
        return _public(address) and (inner is None or _public(inner))

    def describe(self, address: IPAddress) -> str:
        """The reason for refusing ``address`` (in Chinese), naming the IPv4 address it wraps."""
        inner = embedded_ipv4(address)
        shown = f"{address}（即 {inner}）" if inner is not None else str(address)
        return f"拒绝访问内网或本机地址 {shown}（未在 allow_private 中配置）"

    async def resolve(self, host: str, port: int) -> list[IPAddress]:
        """The addresses ``host`` stands for: itself when it is an IP literal, else the resolver's answer."""
        try:
            return [ipaddress.ip_address(host.strip("[]"))]
        except ValueError:
            pass
        return [ipaddress.ip_address(a.split("%", 1)[0]) for a in await self.resolver(host, port)]

    def first_refused(self, addresses: list[IPAddress]) -> IPAddress | None:
        """The first of ``addresses`` the policy refuses, if any."""
        return next((a for a in addresses if not self.permits(a)), None)

    async def refusal(self, url: str) -> str | None:
        """None when ``url`` may be fetched, else the reason (in Chinese, for the capture log)."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            return f"不支持的协议：{parts.scheme or '无'}"
        host = parts.hostname
        if not host:
            return "URL 缺少主机名"
        if host in self._cache:
            return self._cache[host]
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            return f"URL 的端口无效：{parts.netloc}"
        reason = await self._check_host(host, port)
        self._cache[host] = reason
        return reason

    async def _check_host(self, host: str, port: int) -> str | None:
        try:
            addresses = await self.resolve(host, port)
        except (OSError, ValueError) as exc:
            return f"无法解析主机名 {host}：{exc}"
        if not addresses:
            return f"无法解析主机名 {host}：没有地址"
        refused = self.first_refused(addresses)
        return self.describe(refused) if refused is not None else None
