"""Which addresses the crawler may connect to: public ones, and private or loopback ones only when
configured (``allow_private``).  Host allow-lists per site are checked by the caller before this."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class AddressPolicy:
    """Refuses URLs whose host resolves to a private, loopback, link-local or reserved address unless
    that address lies in one of the ``allowed`` networks."""

    def __init__(self, allowed: tuple[str, ...] = ()) -> None:
        self.allowed = tuple(ipaddress.ip_network(a, strict=False) for a in allowed)
        self._cache: dict[str, str | None] = {}

    def permits(self, address: IPAddress) -> bool:
        """Whether a connection to ``address`` is allowed."""
        if any(address in net for net in self.allowed):
            return True
        return address.is_global and not address.is_multicast

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
        reason = await self._check_host(host, parts.port or (443 if parts.scheme == "https" else 80))
        self._cache[host] = reason
        return reason

    async def _check_host(self, host: str, port: int) -> str | None:
        try:
            literal = ipaddress.ip_address(host)
        except ValueError:
            literal = None
        if literal is not None:
            addresses = [literal]
        else:
            try:
                infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
            except OSError as exc:
                return f"无法解析主机名 {host}：{exc}"
            addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
        for address in addresses:
            if not self.permits(address):
                return f"拒绝访问内网或本机地址 {address}（未在 allow_private 中配置）"
        return None
