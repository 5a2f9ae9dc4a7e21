"""Connected calendars: connect (ICS feeds, CalDAV), list, select for conflict checks, choose
the destination, disconnect, and busy times (contract §9, §0 item 9)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from rendezvous.domain import calendars as cals
from rendezvous.domain.accounts import User
from rendezvous.domain.calendars import CalendarState, ConnectedCalendar, Credential
from rendezvous.domain.errors import InvalidInput, NotFound
from rendezvous.domain.models import Busy
from rendezvous.services.ports import CalendarFeeds, UnitOfWork

T = TypeVar("T")
MAX_FEEDS = 20  # URLs in one ICS-feed credential
MAX_CALENDARS = 100  # connected calendars per user (each is fetched and cached)

#: How host_busy treats a calendar never fetched: "wait" (bounded; read-only requests), "raise"
#: NotLoaded (inside a write transaction, see services/transactions.py), "cached" (never wait).
_MODE: ContextVar[str] = ContextVar("calendar_mode", default="wait")


@contextmanager
def in_transaction(*, may_load: bool = True) -> Iterator[None]:
    """Within: host_busy never waits for a provider. A calendar never fetched raises
    NotLoaded while ``may_load`` (the caller rolls back, calls ``load`` and runs again); after
    that it adds no busy times, as in a slot answer when the provider is slow."""
    token = _MODE.set("raise" if may_load else "cached")
    try:
        yield
    finally:
        _MODE.reset(token)


MAX_LOADS = 4  # calendar loads before a write runs on cached calendar data only


async def in_write(uow: UnitOfWork, work: Callable[[], Awaitable[T]]) -> T:
    """BEGIN a write transaction, run ``work`` and COMMIT; when ``work`` finds a host's
    calendar never fetched, roll back, load it (bounded wait, no lock held) and run again."""
    for loads in range(MAX_LOADS + 1):
        await uow.begin_write()
        try:
            with in_transaction(may_load=loads < MAX_LOADS):
                result = await work()
        except cals.NotLoaded as missing:
            await uow.rollback()
            await load(uow, missing)
            continue
        await uow.commit()
        return result
    raise AssertionError("unreachable: the last pass never raises NotLoaded")  # pragma: no cover


async def load(uow: UnitOfWork, missing: cals.NotLoaded) -> None:
    """Fetch the calendars a write transaction found cold (bounded wait; no transaction)."""
    if uow.feeds is not None:
        await uow.feeds.load(missing.calendars)


@dataclass(frozen=True, slots=True)
class Connection:
    """A credential with its calendars and the cache's state of each."""

    credential: Credential
    calendars: list[tuple[ConnectedCalendar, CalendarState]]


def _feeds(uow: UnitOfWork) -> CalendarFeeds:
    if uow.feeds is None:  # pragma: no cover - the app always wires the cache
        raise InvalidInput("External calendars are not available on this server")
    return uow.feeds


async def _room_for(uow: UnitOfWork, user: User, adding: int, field: str) -> None:
    """InvalidInput naming ``field`` when ``adding`` calendars would take the user past
    ``MAX_CALENDARS`` (every connected calendar costs a fetch and cache memory)."""
    existing = len(await uow.calendars.calendars_of(user.id))
    if existing + adding > MAX_CALENDARS:
        raise InvalidInput(
            f"At most {MAX_CALENDARS} calendars can be connected: {existing} are, and this "
            f"would add {adding}",
            {"fields": [field]},
        )


async def save_ics_feed(
    uow: UnitOfWork, user: User, urls: Sequence[str], *, read_only: bool, now: datetime
) -> Credential:
    """Check every feed (fetch and parse), then store one credential whose calendars are the
    feeds, selected for conflict checks. A feed that fails is a 400 naming ``urls``."""
    feeds = _feeds(uow)
    await _room_for(uow, user, len(dict.fromkeys(urls)), "urls")
    for url in urls:
        await feeds.check_feed(url)
    await uow.begin_write()
    await _room_for(uow, user, len(dict.fromkeys(urls)), "urls")
    credential = await uow.calendars.add_credential(
        user_id=user.id,
        type=cals.ICS_FEED,
        app_id="ics-feed",
        server_url=None,
        secret=feeds.seal({"urls": list(urls)}),
        now=now,
    )
    for url in dict.fromkeys(urls):
        await uow.calendars.add_calendar(
            credential_id=credential.id,
            user_id=user.id,
            external_id=url,
            name=None,
            read_only=True,
            is_selected=True,
        )
    await uow.commit()
    return credential


async def check_ics_feeds(uow: UnitOfWork, user: User) -> dict[str, bool]:
    """Whether the caller's ICS feeds answered at their last fetch: ``{"checked", "valid"}``."""
    feeds = _feeds(uow)
    states = [
        feeds.state(c)
        for c in await uow.calendars.calendars_of(user.id)
        if c.integration == cals.ICS_FEED
    ]
    if not states:
        raise NotFound("No ICS feed is connected")
    return {"checked": True, "valid": all(s.error is None for s in states)}


async def connect_caldav(
    uow: UnitOfWork,
    user: User,
    provider: str,
    *,
    username: str,
    password: str,
    url: str | None,
    now: datetime,
) -> Credential:
    """Connect a CalDAV account (``apple``: iCloud; ``caldav``: ``url``), discover its
    calendars (all selected; the first becomes the destination when there is none). A
    connection that fails is a 400."""
    if provider not in cals.PROVIDERS:
        raise NotFound(f"Calendar provider '{provider}' is not supported (apple, caldav)")
    kind, app_id = cals.PROVIDERS[provider]
    if provider == "apple":
        server_url = cals.APPLE_CALDAV_URL
    else:
        if not url:
            raise InvalidInput(
                "url is required for a CalDAV account (the server's CalDAV address)",
                {"fields": ["url"]},
            )
        server_url = url
    feeds = _feeds(uow)
    found = await feeds.discover(server_url, username, password)
    await uow.begin_write()
    await _room_for(uow, user, len(found), "url")
    credential = await uow.calendars.add_credential(
        user_id=user.id,
        type=kind,
        app_id=app_id,
        server_url=server_url,
        secret=feeds.seal({"username": username, "password": password}),
        now=now,
    )
    has_destination = bool(await uow.calendars.with_credentials([user.id], destination=True))
    for index, calendar in enumerate(found):
        await uow.calendars.add_calendar(
            credential_id=credential.id,
            user_id=user.id,
            external_id=calendar.external_id,
            name=calendar.name,
            read_only=calendar.read_only,
            is_selected=True,
            is_destination=not has_destination and index == 0,
        )
    await uow.commit()
    return credential


async def disconnect(uow: UnitOfWork, user: User, provider: str, credential_id: int) -> Credential:
    """Remove a credential and its calendars; another user's credential is a 404."""
    credential = await uow.calendars.credential(credential_id)
    expected = {"apple": cals.APPLE, "caldav": cals.CALDAV, "ics-feed": cals.ICS_FEED}
    if (
        credential is None
        or credential.user_id != user.id
        or expected.get(provider) not in (None, credential.type)
    ):
        raise NotFound(f"Calendar credential with id={credential_id} not found")
    await uow.begin_write()
    await uow.calendars.remove_credential(credential_id)
    await uow.commit()
    return credential


async def connections(uow: UnitOfWork, user: User) -> list[Connection]:
    """The caller's credentials with their calendars and each calendar's fetch state."""
    feeds = _feeds(uow)
    calendars = await uow.calendars.calendars_of(user.id)
    result = []
    for credential in await uow.calendars.credentials_of(user.id):
        mine = [(c, feeds.state(c)) for c in calendars if c.credential_id == credential.id]
        result.append(Connection(credential, mine))
    return result


async def select(
    uow: UnitOfWork,
    user: User,
    *,
    integration: str,
    external_id: str,
    credential_id: int,
    selected: bool,
) -> ConnectedCalendar:
    """Check (or stop checking) one calendar for conflicts."""
    await uow.begin_write()
    found = await uow.calendars.set_selected(user.id, credential_id, external_id, selected)
    if found is None or found.integration != integration:
        raise NotFound(
            f"Calendar '{external_id[:200]}' of credential {credential_id} ({integration}) "
            "not found"
        )
    await uow.commit()
    return found


async def set_destination(
    uow: UnitOfWork, user: User, *, integration: str, external_id: str
) -> ConnectedCalendar:
    """Make one of the caller's writable calendars the one bookings are written to."""
    await uow.begin_write()
    matches = [
        c
        for c in await uow.calendars.calendars_of(user.id)
        if c.external_id == external_id and c.integration == integration
    ]
    if not matches:
        raise NotFound(f"Calendar '{external_id[:200]}' ({integration}) not found")
    calendar = matches[0]
    if calendar.read_only:
        raise InvalidInput(
            "This calendar is read-only (an ICS feed) and cannot receive bookings",
            {"fields": ["externalId"]},
        )
    await uow.calendars.set_destination(user.id, calendar.id)
    await uow.commit()
    return calendar


async def busy_times(
    uow: UnitOfWork,
    user: User,
    wanted: Sequence[tuple[int, str]],
    start: datetime,
    end: datetime,
    *,
    time_zone: str,
) -> list[Busy]:
    """Busy times of the caller's calendars named by (credentialId, externalId), selected or
    not; a calendar the caller does not have is a 404."""
    feeds = _feeds(uow)
    mine = await uow.calendars.with_credentials([user.id])
    chosen = []
    for credential_id, external_id in wanted:
        match = [
            pair
            for pair in mine
            if pair[1].id == credential_id and pair[0].external_id == external_id
        ]
        if not match:
            raise NotFound(
                f"Calendar '{external_id[:200]}' of credential {credential_id} not found"
            )
        chosen.extend(match)
    spans = await feeds.busy(chosen, start, end, time_zone=time_zone)
    return [Busy(s, e) for s, e in spans]


async def host_busy(
    uow: UnitOfWork, user_id: int, start: datetime, end: datetime, *, time_zone: str
) -> list[Busy]:
    """The busy times of a host's selected calendars in [start, end) (none when the server
    reads no external calendars). Used by the slot engine for every host."""
    if uow.feeds is None:
        return []
    selected = await uow.calendars.with_credentials([user_id], selected=True)
    if not selected:
        return []
    spans = await uow.feeds.busy(selected, start, end, time_zone=time_zone, mode=_MODE.get())
    return [Busy(s, e) for s, e in spans]
