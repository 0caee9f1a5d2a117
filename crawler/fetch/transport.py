"""The crawler's own transport: httpx over an httpcore network backend that applies the address policy
to the connection itself.

The backend resolves the host once, refuses the connection when any of its addresses is one the
policy forbids, and connects to the checked address (by IP, so nothing is looked up again).  TLS is
unaffected: httpcore still sends the host name for SNI and checks the certificate against it.
"""

from __future__ import annotations

from collections.abc import Iterable

import httpcore
import httpx

from crawler.fetch.policy import AddressPolicy


class BlockedAddress(httpcore.ConnectError):
    """The connection was refused by the address policy (the message is the reason, in Chinese)."""


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Connects only to addresses the policy permits, resolving each host exactly once per connection."""

    def __init__(self, policy: AddressPolicy, inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self.policy = policy
        self.inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Resolve ``host``, check every address, connect to the first that answers."""
        try:
            addresses = await self.policy.resolve(host, port)
        except (OSError, ValueError) as exc:
            raise httpcore.ConnectError(f"无法解析主机名 {host}：{exc}") from exc
        if not addresses:
            raise httpcore.ConnectError(f"无法解析主机名 {host}：没有地址")
        refused = self.policy.first_refused(addresses)
        if refused is not None:
            raise BlockedAddress(self.policy.describe(refused))
        error: Exception | None = None
        for address in addresses:
            try:
                return await self.inner.connect_tcp(str(address), port, timeout=timeout,
                                                    local_address=local_address,
                                                    socket_options=socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        assert error is not None
        raise error

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Never: the crawler speaks TCP only."""
        raise BlockedAddress("不允许连接本机套接字")

    async def sleep(self, seconds: float) -> None:
        """As the inner backend sleeps."""
        await self.inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport with its connection pool built on :class:`GuardedBackend` (no proxy, no
    environment: a proxy would make the connected address someone else's)."""

    def __init__(self, policy: AddressPolicy) -> None:
        super().__init__(trust_env=False)
        # httpx takes no network backend; the pool it built is replaced by the same pool on ours.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=100,
            max_keepalive_connections=20,
            keepalive_expiry=5.0,
            network_backend=GuardedBackend(policy),
        )


def blocked_reason(exc: BaseException) -> str | None:
    """The policy's reason when ``exc`` (an httpx error) comes from a refused connection, else None."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, BlockedAddress):
            return str(current)
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None
