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
other address that is not globally routable. An IPv6 address that carries an IPv4 address
(IPv4-mapped ``::ffff:a.b.c.d``, IPv4-compatible ``::a.b.c.d``, NAT64 ``64:ff9b::/96``, 6to4
``2002::/16``, Teredo) is also judged by the IPv4 address it carries.

Host names are read the way the resolver would, without asking it where possible: a trailing
dot is dropped, IDNA-normalised (``①②⑦.0.0.1`` is ``127.0.0.1``), the numeric IPv4 forms of
``inet_aton`` (``2130706433``, ``0x7f.1``, ``127.1``, ``0177.0.0.1``) are addresses, and the
special-use names of RFC 6761 are answered locally: ``localhost`` and ``*.localhost`` are
loopback, ``*.invalid`` and names that are not valid DNS names never resolve. Only other
names are looked up (in at most ``RESOLVE_TIMEOUT_SECONDS``), and not at all when
``resolve_names`` is false (``RENDEZVOUS_OUTBOUND_RESOLVE_NAMES=false``, which the test suite
uses so that no made-up name is ever sent to a DNS server): then a name is accepted unchecked
when saved and refused at connect time.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
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
NAT64 = ipaddress.ip_network("64:ff9b::/96")
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
# Resolving a name to check it must not hold a request for long.
RESOLVE_TIMEOUT_SECONDS = 5.0
LOOPBACK_NAME = "localhost"  # RFC 6761 §6.3: localhost and *.localhost are loopback
NEVER_RESOLVES = "invalid"  # RFC 6761 §6.4: *.invalid never resolves
_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")
_INET_ATON = re.compile(r"^[0-9a-fx.]+$", re.IGNORECASE)


class OutboundRefused(InvalidInput):
    """A target Rendezvous will not send to; ``message`` says why (a 400 when saving one)."""


def _carried_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries (mapped, compatible, NAT64, 6to4, Teredo)."""
    carried: list[ipaddress.IPv4Address] = []
    if address.ipv4_mapped is not None:
        carried.append(address.ipv4_mapped)
    if address in NAT64 or (address in IPV4_COMPATIBLE and int(address) > 1):
        carried.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    if address.sixtofour is not None:
        carried.append(address.sixtofour)
    if address.teredo is not None:
        carried.extend(address.teredo)
    return carried


def refusal(address: IPAddress, *, allow_private: bool) -> str | None:
    """Why ``address`` may not be contacted, or ``None`` when it may.

    An IPv6 address that carries an IPv4 address (``::ffff:10.0.0.1``, ``::10.0.0.1``,
    ``64:ff9b::10.0.0.1``, 6to4, Teredo) is refused when that IPv4 address is."""
    if isinstance(address, ipaddress.IPv6Address):
        carried = _carried_ipv4(address)
        if address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        for inner in carried:
            why = refusal(inner, allow_private=allow_private)
            if why is not None:
                return why
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
        pass
    if _INET_ATON.match(host):  # 2130706433, 0x7f.1, 127.1, 0177.0.0.1: what inet_aton reads
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def _dns_name(host: str) -> str | None:
    """``host`` as the ASCII name a resolver would look up (lower case, IDNA, no trailing
    dot), or ``None`` when it cannot be a DNS name (so looking it up is pointless)."""
    name = host[:-1] if host.endswith(".") else host
    try:
        name = name.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None
    if not name or len(name) > 253 or not all(_LABEL.match(label) for label in name.split(".")):
        return None
    return name


def local_answer(host: str) -> list[IPAddress] | None:
    """The addresses of ``host`` known without a lookup, or ``None`` when it must be looked up:
    an address (in any form ``inet_aton`` reads), ``localhost`` names, names that never
    resolve (``[]``)."""
    literal = _literal(host)
    if literal is not None:
        return [literal]
    name = _dns_name(host)
    if name is None:
        return []
    literal = _literal(name)
    if literal is not None:
        return [literal]
    top = name.rsplit(".", 1)[-1]
    if top == LOOPBACK_NAME:
        return [ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1")]
    if top == NEVER_RESOLVES:
        return []
    return None


async def resolve(host: str, port: int, *, resolve_names: bool = True) -> list[IPAddress]:
    """Every address ``host`` resolves to (A and AAAA), in resolver order; ``[]`` when it does
    not resolve in ``RESOLVE_TIMEOUT_SECONDS``, cannot be a DNS name, or is a name and
    ``resolve_names`` is false (no lookup is made then). See the module docstring for the
    names answered without a lookup."""
    local = local_answer(host)
    if local is not None:
        return local
    if not resolve_names:
        return []
    host = _dns_name(host) or host
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


async def check_url(
    url: str, *, allow_private: bool, field: str = "url", resolve_names: bool = True
) -> str:
    """Check a target URL before it is saved; return it unchanged.

    Raises ``OutboundRefused`` naming ``field`` when the scheme is not http(s), the host is
    missing, or the host is or resolves to a refused address (see ``refusal``). A name that does
    not resolve now (or is not looked up: ``resolve_names`` false) is accepted: it is checked
    again, address by address, at every connect."""
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
    addresses = await resolve(host, port, resolve_names=resolve_names)
    _check_all(host, addresses, allow_private=allow_private, field=field)
    return url


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend, but each TCP connect resolves the host, refuses it when any
    address is refused, and connects to the first checked address (no second lookup)."""

    def __init__(self, *, allow_private: bool, resolve_names: bool = True) -> None:
        self.allow_private = allow_private
        self.resolve_names = resolve_names
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await resolve(host, port, resolve_names=self.resolve_names)
        if not addresses:
            why = "does not resolve" if self.resolve_names else "is a name (names are not resolved)"
            raise httpcore.ConnectError(f"{host} {why}")
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

    def __init__(
        self,
        *,
        allow_private: bool,
        limits: httpx.Limits | None = None,
        resolve_names: bool = True,
    ) -> None:
        limits = limits or httpx.Limits(max_connections=100, max_keepalive_connections=20)
        super().__init__(trust_env=False, limits=limits)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=GuardedBackend(
                allow_private=allow_private, resolve_names=resolve_names
            ),
        )


def guarded_client(
    *,
    allow_private: bool,
    timeout: httpx.Timeout | None = None,
    limits: httpx.Limits | None = None,
    resolve_names: bool = True,
) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient`` for outbound requests: guarded connects, redirects not followed,
    no proxies from the environment, and ``timeout`` (default: connect 5 s, read/write 10 s).
    ``resolve_names`` false: only addresses and ``localhost`` names can be reached."""
    return httpx.AsyncClient(
        transport=GuardedTransport(
            allow_private=allow_private, limits=limits, resolve_names=resolve_names
        ),
        timeout=timeout or httpx.Timeout(10.0, connect=5.0),
        follow_redirects=False,
        trust_env=False,
    )
