"""The app's view of external calendars: busy times from a cache with a short TTL.

Each calendar (credential id, external id) has an entry holding its last good fetch, parsed.
A slot request uses what the entry holds; when it is older than the TTL a refresh starts in the
background and the request does not wait for it. Only a calendar never fetched makes a request
wait, and for at most ``wait`` seconds; past that (or when the provider fails) the calendar adds
no busy times to that answer, its entry records the error, and ``GET /v2/calendars`` shows it.
Inside a write transaction nothing waits (mode "raise"): a calendar never fetched raises
NotLoaded, the transaction is rolled back, ``load`` waits for the fetch outside it and the
transaction runs again — a booking never holds the database's writer lock while a provider
answers, and a busy time known by then still blocks it.
A failed fetch is retried after the TTL, not on every request. Expanded occurrences are memoised
per 30-day bucket and host zone, so a warm slot request costs no parsing or expansion.

The cache lives in each server process (several workers each keep their own).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import icalendar

from rendezvous.domain.calendars import (
    ICS_FEED,
    CalendarState,
    ConnectedCalendar,
    Credential,
    Discovered,
    NotLoaded,
)
from rendezvous.domain.errors import InvalidInput
from rendezvous.integrations.calendars import ical, providers
from rendezvous.integrations.calendars.providers import Account, Limits, ProviderError
from rendezvous.integrations.calendars.secrets import KeyProblem, Sealer

BUCKET = timedelta(days=30)
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
MAX_MEMO = 512  # expanded buckets kept per calendar


@dataclass
class _Entry:
    data: list[icalendar.Calendar] | None = None
    fetched_at: datetime | None = None
    tried_at: float | None = None  # monotonic seconds of the last attempt
    error: str | None = None
    task: asyncio.Task[None] | None = None
    waited: asyncio.Task[None] | None = None  # the fetch a load() already waited for
    memo: dict[tuple[str, int], list[ical.Interval]] = field(default_factory=dict)


def _buckets(start: datetime, end: datetime) -> tuple[int, int]:
    """The indexes of the first and last 30-day buckets [start, end) touches."""
    return int((start - EPOCH) / BUCKET), int((end - EPOCH) / BUCKET)


def account(credential: Credential, secret: dict[str, Any]) -> Account:
    """The CalDAV account of a credential whose secret has been opened."""
    return Account(
        credential.server_url or "",
        str(secret.get("username", "")),
        str(secret.get("password", "")),
    )


class Calendars:
    """Implements services.ports.CalendarFeeds over ICS feeds and CalDAV."""

    def __init__(
        self,
        sealer: Sealer,
        *,
        ttl: float,
        wait: float,
        limits: Limits,
        enabled: bool = True,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.sealer = sealer
        self.ttl = ttl
        self.wait = wait
        self.limits = limits
        self.enabled = enabled
        self._monotonic = monotonic
        self._entries: dict[tuple[int, str], _Entry] = {}

    # --- secrets ---------------------------------------------------------------------------

    def seal(self, secret: dict[str, Any]) -> str:
        return self.sealer.seal(secret)

    def unseal(self, token: str) -> dict[str, Any]:
        return self.sealer.unseal(token)

    # --- connecting ------------------------------------------------------------------------

    def _refuse_if_disabled(self, field_name: str) -> None:
        if not self.enabled:
            raise InvalidInput(
                "Connecting external calendars is disabled on this server "
                "(RENDEZVOUS_CALENDARS_ENABLED=false)",
                {"fields": [field_name]},
            )

    async def check_feed(self, url: str) -> None:
        """Fetch and parse the feed; InvalidInput naming ``urls`` when it fails."""
        self._refuse_if_disabled("urls")
        try:
            text = await asyncio.wait_for(
                providers.fetch_feed(url, self.limits), self.limits.timeout * 2
            )
            await asyncio.to_thread(ical.parse, text)
        except TimeoutError:
            raise InvalidInput(
                f"ICS feed {url[:200]} did not answer in time", {"fields": ["urls"]}
            ) from None
        except (ProviderError, ical.BadCalendar) as exc:
            raise InvalidInput(f"ICS feed {url[:200]}: {exc}", {"fields": ["urls"]}) from None

    async def discover(self, server_url: str, username: str, password: str) -> list[Discovered]:
        """The account's calendars; InvalidInput (a 400) when the connection fails."""
        self._refuse_if_disabled("url")
        try:
            found = await providers.discover(Account(server_url, username, password), self.limits)
        except ProviderError as exc:
            raise InvalidInput(
                f"Could not connect to the CalDAV server: {exc}", {"fields": ["url"]}
            ) from None
        if not found:
            raise InvalidInput(
                "The CalDAV account has no calendars", {"fields": ["url", "username"]}
            )
        return found

    # --- busy times ------------------------------------------------------------------------

    def state(self, calendar: ConnectedCalendar) -> CalendarState:
        entry = self._entries.get((calendar.credential_id, calendar.external_id))
        if entry is None:
            return CalendarState(error=None, fetched_at=None)
        return CalendarState(error=entry.error, fetched_at=entry.fetched_at)

    def forget(self, credential_id: int) -> None:
        """Drop the entries of a disconnected credential."""
        for key in [k for k in self._entries if k[0] == credential_id]:
            entry = self._entries.pop(key)
            if entry.task is not None:
                entry.task.cancel()

    async def busy(
        self,
        calendars: Sequence[tuple[ConnectedCalendar, Credential]],
        start: datetime,
        end: datetime,
        *,
        time_zone: str,
        mode: str = "wait",
    ) -> list[tuple[datetime, datetime]]:
        """``mode`` "wait": a calendar never fetched is waited for (at most ``wait`` seconds);
        "raise": never wait — raise NotLoaded naming the calendars a load() has not waited
        for yet (used inside a write transaction); "cached": never wait, never raise."""
        if not self.enabled or not calendars:
            return []
        if mode != "wait":
            cold = [pair for pair in calendars if self._cold(*pair)]
            if cold and mode == "raise":
                raise NotLoaded(cold)
        found: list[tuple[datetime, datetime]] = []
        parts = await asyncio.gather(
            *(
                self._busy_one(cal, cred, start, end, time_zone, wait=mode == "wait")
                for cal, cred in calendars
            )
        )
        for part in parts:
            found.extend(part)
        return ical.merge(found)

    async def load(self, calendars: Sequence[tuple[ConnectedCalendar, Credential]]) -> None:
        """Start the fetch of every calendar not fetched yet and wait for them together, at
        most ``wait`` seconds (outside any transaction). A calendar still not fetched after
        that counts as having no busy times until its fetch ends, as in the slot answers."""
        pending = []
        for calendar, credential in calendars:
            entry = self._start(calendar, credential)
            if entry.data is None and entry.task is not None and not entry.task.done():
                entry.waited = entry.task
                pending.append(entry.task)
        if pending:
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(
                    asyncio.shield(asyncio.gather(*pending, return_exceptions=True)), self.wait
                )

    def _start(self, calendar: ConnectedCalendar, credential: Credential) -> _Entry:
        """The calendar's entry, with a refresh started when it is older than the TTL."""
        key = (credential.id, calendar.external_id)
        entry = self._entries.get(key)
        if entry is None:
            entry = self._entries[key] = _Entry()
        now = self._monotonic()
        stale = entry.tried_at is None or now - entry.tried_at >= self.ttl
        if stale and (entry.task is None or entry.task.done()):
            entry.tried_at = now
            entry.task = asyncio.create_task(self._refresh(entry, calendar, credential))
        return entry

    def _cold(self, calendar: ConnectedCalendar, credential: Credential) -> bool:
        """Never fetched, a fetch running, and no load() has waited for that fetch yet."""
        entry = self._start(calendar, credential)
        return (
            entry.data is None
            and entry.task is not None
            and not entry.task.done()
            and entry.waited is not entry.task
        )

    async def _busy_one(
        self,
        calendar: ConnectedCalendar,
        credential: Credential,
        start: datetime,
        end: datetime,
        time_zone: str,
        *,
        wait: bool = True,
    ) -> list[ical.Interval]:
        entry = self._start(calendar, credential)
        if wait and entry.data is None and entry.task is not None and not entry.task.done():
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(asyncio.shield(entry.task), self.wait)
        if entry.data is None:
            return []
        first, last = _buckets(start, end)
        if all((time_zone, i) in entry.memo for i in range(first, last + 1)):
            return self._expand(entry, start, end, time_zone)  # warm: no expansion left
        # Expanding recurrences is CPU work: off the event loop, so one large or costly feed
        # does not stall every other request.
        return await asyncio.to_thread(self._expand, entry, start, end, time_zone)

    def _expand(
        self, entry: _Entry, start: datetime, end: datetime, time_zone: str
    ) -> list[ical.Interval]:
        assert entry.data is not None
        data, memo = entry.data, entry.memo  # one refresh's data and its memo, together
        first, last = _buckets(start, end)
        seen: set[ical.Interval] = set()
        for index in range(first, last + 1):
            memo_key = (time_zone, index)
            spans = memo.get(memo_key)
            if spans is None:
                if len(memo) >= MAX_MEMO:
                    memo.clear()
                bucket_start = EPOCH + index * BUCKET
                try:
                    spans = ical.busy_between(data, bucket_start, bucket_start + BUCKET, time_zone)
                except ical.BadCalendar as exc:
                    entry.error = str(exc)
                    spans = []
                except Exception as exc:  # a hostile feed must never break slot answers
                    entry.error = f"the calendar could not be read: {type(exc).__name__}"
                    spans = []
                memo[memo_key] = spans
            seen.update(s for s in spans if s[0] < end and s[1] > start)
        return sorted(seen)

    async def _refresh(
        self, entry: _Entry, calendar: ConnectedCalendar, credential: Credential
    ) -> None:
        try:
            data = await asyncio.wait_for(
                self._fetch(calendar, credential), self.limits.timeout * 3
            )
        except TimeoutError:
            entry.error = "the calendar provider did not answer in time"
        except (ProviderError, ical.BadCalendar, KeyProblem) as exc:
            entry.error = str(exc)
        except Exception as exc:  # a provider must never break slot answers
            entry.error = f"the calendar could not be read: {type(exc).__name__}"
        else:
            entry.data = data
            entry.memo = {}
            entry.error = None
            entry.fetched_at = datetime.now(UTC)

    async def _fetch(
        self, calendar: ConnectedCalendar, credential: Credential
    ) -> list[icalendar.Calendar]:
        if credential.type == ICS_FEED:
            text = await providers.fetch_feed(calendar.external_id, self.limits)
            return await asyncio.to_thread(ical.parse, text)
        secret = self.unseal(credential.secret)
        texts = await providers.fetch_calendar(
            account(credential, secret), calendar.external_id, self.limits
        )

        def parse_all() -> list[icalendar.Calendar]:
            parsed: list[icalendar.Calendar] = []
            for text in texts:
                parsed.extend(ical.parse(text))
            return parsed

        return await asyncio.to_thread(parse_all)

    async def aclose(self) -> None:
        for entry in self._entries.values():
            if entry.task is not None and not entry.task.done():
                entry.task.cancel()
