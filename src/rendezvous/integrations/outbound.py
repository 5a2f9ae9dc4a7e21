"""The one guard for every outbound request Rendezvous makes (webhooks, calendar feeds, CalDAV).

Two checks, one rule (``RENDEZVOUS_ALLOW_PRIVATE_NETWORKS``):

- ``check_url`` when a target is saved (a webhook's ``subscriberUrl``, a feed URL): http(s) only,
  and a host that is, or resolves to, a refused address is an ``OutboundRefused`` (a 400).
- ``guarded_client`` for sending: an ``httpx.AsyncClient`` whose connections resolve the host
  themselves, check every address again, and connect to the address they checked — so a name
  that re-resolves to a private address after it was saved (DNS rebinding) is refused at
  connect time. Redirects are not followed and proxies from the environment are ignored (a
  proxy would connect on our behalf, unchecked).

Always refused: cloud metadata addresses (169.254.169.254, fd00:ec2::254, 100.100.100.200),
unspecified (0.0.0.0, ::) and multicast addresses. Refused unless private networks are allowed:
loopback, RFC 1918 / unique-local private ranges, link-local, CGNAT (100.64.0.0/10) and every
other address that is not globally routable.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx

from rendezvous.domain.errors import InvalidInput

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

METADATA_ADDRESSES: frozenset[IPAddress] = frozenset(
    {
        ipaddress.ip_address("169.254.169.254"),  # AWS, GCP, Azure, OpenStack
        ipaddress.ip_address("fd00:ec2::254"),  # AWS IMDS over IPv6
        ipaddress.ip_address("100.100.100.200"),  # Alibaba Cloud
    }
)
CGNAT = ipaddress.ip_network("100.64.0.0/10")
# Resolving a name to check it must not hold a request for long.
RESOLVE_TIMEOUT_SECONDS = 5.0


class OutboundRefused(InvalidInput):
    """A target Rendezvous will not send to; ``message`` says why (a 400 when saving one)."""


def refusal(address: IPAddress, *, allow_private: bool) -> str | None:
    """Why ``address`` may not be contacted, or ``None`` when it may.

    IPv4-mapped IPv6 addresses (``::ffff:10.0.0.1``) are judged as the IPv4 address they carry."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address in METADATA_ADDRESSES:
        return f"{address} is a cloud metadata address"
    if address.is_unspecified:
        return f"{address} is the unspecified address"
    if address.is_multicast:
        return f"{address} is a multicast address"
    if allow_private:
        return None
    if address.is_loopback:
        kind = "a loopback"
    elif address.is_link_local:
        kind = "a link-local"
    elif isinstance(address, ipaddress.IPv4Address) and address in CGNAT:
        kind = "a carrier-grade NAT (100.64.0.0/10)"
    elif address.is_private:
        kind = "a private"
    elif not address.is_global:
        kind = "a reserved (not globally routable)"
    else:
        return None
    return (
        f"{address} is {kind} address; set RENDEZVOUS_ALLOW_PRIVATE_NETWORKS=true "
        "to allow private targets"
    )


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


async def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to (A and AAAA), in resolver order; ``[]`` when it does
    not resolve in ``RESOLVE_TIMEOUT_SECONDS``."""
    literal = _literal(host)
    if literal is not None:
        return [literal]
    loop = asyncio.get_running_loop()
    try:
        infos = await asyncio.wait_for(
            loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), RESOLVE_TIMEOUT_SECONDS
        )
    except (OSError, TimeoutError, UnicodeError):
        return []
    found: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        address = _literal(str(sockaddr[0]))
        if address is not None and address not in found:
            found.append(address)
    return found


def _check_all(
    host: str, addresses: Iterable[IPAddress], *, allow_private: bool, field: str = "url"
) -> None:
    for address in addresses:
        why = refusal(address, allow_private=allow_private)
        if why is not None:
            shown = host if host == str(address) else f"{host} ({address})"
            raise OutboundRefused(f"{field}: {shown} is refused: {why}")


async def check_url(url: str, *, allow_private: bool, field: str = "url") -> str:
    """Check a target URL before it is saved; return it unchanged.

    Raises ``OutboundRefused`` naming ``field`` when the scheme is not http(s), the host is
    missing, or the host is or resolves to a refused address (see ``refusal``). A name that does
    not resolve now is accepted: it is checked again, address by address, at every connect."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise OutboundRefused(f"{field}: not a valid URL: {exc}") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise OutboundRefused(f"{field}: must be an http:// or https:// URL")
    host = parts.hostname
    if not host:
        raise OutboundRefused(f"{field}: the URL has no host")
    port = port or (443 if parts.scheme.lower() == "https" else 80)
    _check_all(host, await resolve(host, port), allow_private=allow_private, field=field)
    return url


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend, but each TCP connect resolves the host, refuses it when any
    address is refused, and connects to the first checked address (no second lookup)."""

    def __init__(self, *, allow_private: bool) -> None:
        self.allow_private = allow_private
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await resolve(host, port)
        if not addresses:
            raise httpcore.ConnectError(f"{host} does not resolve")
        try:
            _check_all(host, addresses, allow_private=self.allow_private, field="target")
        except OutboundRefused as exc:
            raise httpcore.ConnectError(exc.message) from None
        return await self._inner.connect_tcp(
            str(addresses[0]),
            port,
            timeout=timeout,
            local_address=local_address,
            socket_options=socket_options,
        )

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not an outbound target")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """``httpx.AsyncHTTPTransport`` whose connection pool uses ``GuardedBackend``."""

    def __init__(self, *, allow_private: bool, limits: httpx.Limits | None = None) -> None:
        limits = limits or httpx.Limits(max_connections=100, max_keepalive_connections=20)
        super().__init__(trust_env=False, limits=limits)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=GuardedBackend(allow_private=allow_private),
        )


def guarded_client(
    *,
    allow_private: bool,
    timeout: httpx.Timeout | None = None,
    limits: httpx.Limits | None = None,
) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient`` for outbound requests: guarded connects, redirects not followed,
    no proxies from the environment, and ``timeout`` (default: connect 5 s, read/write 10 s)."""
    return httpx.AsyncClient(
        transport=GuardedTransport(allow_private=allow_private, limits=limits),
        timeout=timeout or httpx.Timeout(10.0, connect=5.0),
        follow_redirects=False,
        trust_env=False,
    )
