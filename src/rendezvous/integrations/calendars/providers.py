"""The network side of calendars: fetch an ICS feed (httpx) and talk CalDAV (the ``caldav``
package, run in a worker thread since it is synchronous).

Every request is bounded in time (``timeout`` seconds) and size (``max_bytes`` for feeds), and
redirects are not followed (a redirect could lead past the outbound-address check). Both sides
check the target twice: before anything connects (``guard``), and at every TCP connect, which
resolves the host once, refuses it when any address is refused and connects to the address it
checked — feeds through ``outbound.guarded_client``, CalDAV through ``GuardedAdapter`` mounted
on the ``caldav`` package's requests session — so a name re-resolving to a private address
(DNS rebinding) between the check and the connect is refused.
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import httpx

from rendezvous.domain.calendars import Discovered
from rendezvous.integrations import outbound

T = TypeVar("T")


class ProviderError(Exception):
    """The provider could not be reached or answered something unusable (message for users)."""


async def guard(url: str, limits: Limits, field: str = "url") -> None:
    """The outbound guard (integrations/outbound.py) on ``url`` before anything connects: a
    refused target is a ProviderError saying why."""
    try:
        await outbound.check_url(url, allow_private=limits.allow_private, field=field)
    except outbound.OutboundRefused as exc:
        raise ProviderError(exc.message) from None


@dataclass(frozen=True, slots=True)
class Account:
    """A CalDAV account: the server's URL and the credentials."""

    server_url: str
    username: str
    password: str


@dataclass(frozen=True, slots=True)
class Limits:
    timeout: float
    max_bytes: int
    allow_private: bool = False  # RENDEZVOUS_ALLOW_PRIVATE_NETWORKS


async def fetch_feed(url: str, limits: Limits) -> str:
    """The text of the ICS feed at ``url`` (webcal:// is read as https://)."""
    if url.startswith("webcal://"):
        url = "https://" + url[len("webcal://") :]
    await guard(url, limits)
    try:
        async with (
            outbound.guarded_client(
                allow_private=limits.allow_private, timeout=httpx.Timeout(limits.timeout)
            ) as client,
            client.stream("GET", url, headers={"Accept": "text/calendar"}) as response,
        ):
            if response.status_code != 200:
                raise ProviderError(f"the feed answered HTTP {response.status_code}")
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > limits.max_bytes:
                    raise ProviderError(f"the feed is larger than {limits.max_bytes} bytes")
                chunks.append(chunk)
    except httpx.HTTPError as exc:
        raise ProviderError(f"the feed could not be fetched: {type(exc).__name__}") from None
    return b"".join(chunks).decode("utf-8", "replace")


def _guarded_connection(base: type[Any], allow_private: bool) -> type[Any]:
    """A urllib3 connection class whose TCP connect resolves the host once, refuses it when
    any address is refused (outbound.refusal) and connects to the first checked address. TLS
    (SNI, certificate) and the Host header still use the name."""
    import socket

    from urllib3.exceptions import NameResolutionError, NewConnectionError
    from urllib3.util import connection

    class Guarded(base):  # type: ignore[misc]
        def _new_conn(self) -> socket.socket:
            host = self._dns_host
            try:
                infos = socket.getaddrinfo(host, self.port, type=socket.SOCK_STREAM)
            except socket.gaierror as exc:
                raise NameResolutionError(self.host, self, exc) from exc
            addresses: list[outbound.IPAddress] = []
            for *_, sockaddr in infos:
                address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
                if address not in addresses:
                    addresses.append(address)
            for address in addresses:
                why = outbound.refusal(address, allow_private=allow_private)
                if why is not None:
                    raise NewConnectionError(self, f"{host} ({address}) is refused: {why}")
            if not addresses:
                raise NewConnectionError(self, f"{host} does not resolve")
            try:
                return connection.create_connection(
                    (str(addresses[0]), self.port),
                    self.timeout,
                    source_address=self.source_address,
                    socket_options=self.socket_options,
                )
            except OSError as exc:
                raise NewConnectionError(self, f"could not connect: {exc}") from exc

    return Guarded


class TooLarge(ProviderError):
    """A CalDAV answer larger than ``max_bytes``."""


def guarded_adapter(allow_private: bool, max_bytes: int | None = None) -> Any:
    """A requests ``HTTPAdapter`` whose connections are checked at connect time (see above),
    and which reads at most ``max_bytes`` of each answer (inflated) before giving up."""
    from requests.adapters import HTTPAdapter
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

    class HTTPPool(HTTPConnectionPool):
        ConnectionCls = _guarded_connection(HTTPConnection, allow_private)

    class HTTPSPool(HTTPSConnectionPool):
        ConnectionCls = _guarded_connection(HTTPSConnection, allow_private)

    class GuardedAdapter(HTTPAdapter):
        def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = {"http": HTTPPool, "https": HTTPSPool}

        def proxy_manager_for(self, *args: Any, **kwargs: Any) -> Any:
            raise ValueError("proxies are not used for outbound requests")

        def send(self, request: Any, stream: bool = False, **kwargs: Any) -> Any:  # type: ignore[override]
            response = super().send(request, stream=True, **kwargs)
            if max_bytes is None:
                return response
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_content(65536):
                size += len(chunk)
                if size > max_bytes:
                    response.close()
                    raise TooLarge(f"the CalDAV server answered more than {max_bytes} bytes")
                chunks.append(chunk)
            response._content = b"".join(chunks)
            response._content_consumed = True
            return response

    return GuardedAdapter()


def _client(account: Account, limits: Limits) -> Any:
    from caldav.davclient import DAVClient

    client = DAVClient(
        url=account.server_url,
        username=account.username,
        password=account.password,
        timeout=max(1, int(limits.timeout)),
    )
    # No redirects (one could lead past the guard), no proxies from the environment, and
    # every connect checked again (DNS rebinding).
    client.session.max_redirects = 0
    client.session.trust_env = False
    adapter = guarded_adapter(limits.allow_private, limits.max_bytes)
    client.session.mount("http://", adapter)
    client.session.mount("https://", adapter)
    return client


async def _in_thread(work: Callable[[], T], seconds: float) -> T:
    from caldav.lib import error as dav_error

    try:
        return await asyncio.wait_for(asyncio.to_thread(work), seconds)
    except ProviderError:
        raise
    except TimeoutError:
        raise ProviderError("the CalDAV server did not answer in time") from None
    except dav_error.AuthorizationError:
        raise ProviderError("the CalDAV server refused the username or password") from None
    except dav_error.DAVError as exc:
        raise ProviderError(f"CalDAV error: {type(exc).__name__}") from None
    except (OSError, ValueError) as exc:
        raise ProviderError(
            f"the CalDAV server could not be reached: {type(exc).__name__}"
        ) from None
    except Exception as exc:  # niquests and lxml raise their own
        raise ProviderError(f"the CalDAV server could not be used: {type(exc).__name__}") from None


async def _guard_account(account: Account, calendar_url: str | None, limits: Limits) -> None:
    await guard(account.server_url, limits)
    if calendar_url is not None and calendar_url != account.server_url:
        await guard(calendar_url, limits)


async def discover(account: Account, limits: Limits) -> list[Discovered]:
    """The event calendars of the account (RFC 4791 §6.2: the principal's calendar home)."""

    def work() -> list[Discovered]:
        client = _client(account, limits)
        found = []
        for calendar in client.principal().calendars():
            name = calendar.get_display_name()
            found.append(Discovered(external_id=str(calendar.url), name=name, read_only=False))
        return found

    await _guard_account(account, None, limits)
    return await _in_thread(work, limits.timeout * 3)


async def fetch_calendar(account: Account, calendar_url: str, limits: Limits) -> list[str]:
    """The iCalendar text of every event object in the calendar collection."""

    def work() -> list[str]:
        client = _client(account, limits)
        calendar = client.calendar(url=calendar_url)
        return [str(obj.data) for obj in calendar.events()]

    await _guard_account(account, calendar_url, limits)
    return await _in_thread(work, limits.timeout * 3)


async def put_event(account: Account, calendar_url: str, ics: str, limits: Limits) -> None:
    """Create or replace the event (one UID) in the calendar."""

    def work() -> None:
        client = _client(account, limits)
        client.calendar(url=calendar_url).save_event(ics)

    await _guard_account(account, calendar_url, limits)
    await _in_thread(work, limits.timeout * 3)


async def delete_event(account: Account, calendar_url: str, uid: str, limits: Limits) -> bool:
    """Remove the event with ``uid``; False when it is not there (already removed)."""

    def work() -> bool:
        from caldav.lib import error as dav_error

        client = _client(account, limits)
        try:
            event = client.calendar(url=calendar_url).event_by_uid(uid)
        except dav_error.NotFoundError:
            return False
        event.delete()
        return True

    await _guard_account(account, calendar_url, limits)
    return await _in_thread(work, limits.timeout * 3)


def stamp(now: datetime) -> str:
    return now.strftime("%Y%m%dT%H%M%SZ")
