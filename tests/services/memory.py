"""An in-memory unit of work for service-level tests of the booking use cases: the repositories
the booking write path uses, holding domain objects in dictionaries. What no booking use case
calls is left out; calling it fails loudly."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from rendezvous.domain.accounts import User
from rendezvous.domain.bookings import Attendee, Booking, BookingFilters
from rendezvous.domain.event_types import EventType
from rendezvous.domain.models import BookedTime, Busy
from rendezvous.domain.reservations import Reservation
from rendezvous.domain.schedules import StoredSchedule
from rendezvous.domain.webhooks import MEETING_TRIGGERS, Subscription


@dataclass
class Held:
    """One stretch of a host's time: a booking's (``booking_id``) or a reservation's."""

    user_id: int
    start: datetime
    end: datetime
    booking_id: int | None = None
    reservation_id: int | None = None
    expires_at: datetime | None = None


@dataclass
class Store:
    users: dict[int, User] = field(default_factory=dict)
    schedules: dict[int, StoredSchedule] = field(default_factory=dict)
    event_types: dict[int, EventType] = field(default_factory=dict)
    bookings: dict[int, Booking] = field(default_factory=dict)
    reservations: dict[int, Reservation] = field(default_factory=dict)
    held: list[Held] = field(default_factory=list)
    outbox: list[tuple[str, str | None]] = field(default_factory=list)  # (topic, booking uid)
    emails: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (change, payload)


class Users:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def get(self, user_id: int) -> User | None:
        return self.store.users.get(user_id)

    async def by_username(self, username: str) -> User | None:
        return next((u for u in self.store.users.values() if u.username == username), None)


class Schedules:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def get(self, schedule_id: int) -> StoredSchedule | None:
        return self.store.schedules.get(schedule_id)


class EventTypes:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def get(self, event_type_id: int) -> EventType | None:
        return self.store.event_types.get(event_type_id)

    async def by_owner_slug(self, owner_id: int, slug: str) -> EventType | None:
        found = (
            e for e in self.store.event_types.values() if (e.owner_id, e.slug) == (owner_id, slug)
        )
        return next(found, None)

    async def with_host(
        self,
        *,
        event_type_id: int | None = None,
        username: str | None = None,
        slug: str | None = None,
    ) -> tuple[EventType, User, StoredSchedule | None] | None:
        if event_type_id is not None:
            event_type = await self.get(event_type_id)
        else:
            owner = await Users(self.store).by_username(username or "")
            event_type = await self.by_owner_slug(owner.id, slug or "") if owner else None
        if event_type is None or event_type.owner_id is None:
            return None
        user = self.store.users[event_type.owner_id]
        schedule_id = event_type.schedule_id or user.default_schedule_id
        return event_type, user, self.store.schedules.get(schedule_id) if schedule_id else None


class Occupancy:
    def __init__(self, store: Store) -> None:
        self.store = store

    def _live(self, user_ids: Sequence[int], start: datetime, end: datetime, now: datetime):
        for h in self.store.held:
            alive = h.expires_at is None or h.expires_at > now
            if alive and h.user_id in user_ids and h.start < end and h.end > start:
                yield h

    async def busy(
        self,
        user_ids: Sequence[int],
        start: datetime,
        end: datetime,
        *,
        now: datetime,
        exclude_booking_uid: str | None = None,
        ignore_reservations_of: int | None = None,
    ) -> list[Busy]:
        found = []
        for h in self._live(user_ids, start, end, now):
            uid = self.store.bookings[h.booking_id].uid if h.booking_id else None
            mine = (
                h.reservation_id is not None
                and ignore_reservations_of is not None
                and (self.store.reservations[h.reservation_id].user_id == ignore_reservations_of)
            )
            if (exclude_booking_uid is None or uid != exclude_booking_uid) and not mine:
                found.append(Busy(h.start, h.end, uid))
        return sorted(found, key=lambda b: b.start)

    async def overlapping(
        self, user_ids: Sequence[int], start: datetime, end: datetime, *, now: datetime
    ) -> list[tuple[int, int | None, int | None]]:
        return [
            (h.user_id, h.booking_id, h.reservation_id)
            for h in self._live(user_ids, start, end, now)
        ]


class Bookings:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def booked_times(
        self, event_type_id: int, start: datetime, end: datetime, *, exclude_uid: str | None = None
    ) -> list[BookedTime]:
        return [
            BookedTime(b.start, b.end, b.uid, len(b.attendees))
            for b in sorted(self.store.bookings.values(), key=lambda b: b.start)
            if b.event_type_id == event_type_id and b.active and start <= b.start < end
            and b.uid != exclude_uid
        ]  # fmt: skip

    async def by_uid(self, uid: str, *, lock: bool = False) -> Booking | None:
        return next((b for b in self.store.bookings.values() if b.uid == uid), None)

    async def by_recurring_uid(self, recurring_uid: str) -> list[Booking]:
        series = [b for b in self.store.bookings.values() if b.recurring_uid == recurring_uid]
        return sorted(series, key=lambda b: b.start)

    async def seated_at(self, event_type_id: int, start: datetime, *, lock: bool) -> Booking | None:
        found = (
            b
            for b in self.store.bookings.values()
            if b.seated and b.active and b.event_type_id == event_type_id and b.start == start
        )
        return next(found, None)

    async def list_visible(
        self, filters: BookingFilters, *, user_id: int, email: str | None, now: datetime,
        take: int, skip: int,
    ) -> tuple[list[Booking], int]:  # fmt: skip
        mine = [
            b
            for b in sorted(self.store.bookings.values(), key=lambda b: b.start)
            if user_id in b.host_ids or (email and any(a.email == email for a in b.attendees))
        ]
        return mine[skip : skip + take], len(mine)

    async def add(
        self, booking: Booking, *, hold: Sequence[tuple[int, datetime, datetime]], now: datetime
    ) -> Booking:
        booking = replace(booking, id=len(self.store.bookings) + 1)
        self.store.bookings[booking.id] = booking
        await self.hold(booking.id, hold, now=now)
        return booking

    async def add_seat(self, booking_id: int, attendee: Attendee) -> None:
        booking = self.store.bookings[booking_id]
        self.store.bookings[booking_id] = replace(booking, attendees=(*booking.attendees, attendee))

    async def remove_seat(self, booking_id: int, seat_uid: str) -> bool:
        booking = self.store.bookings[booking_id]
        left = tuple(a for a in booking.attendees if a.seat_uid != seat_uid)
        self.store.bookings[booking_id] = replace(booking, attendees=left)
        return len(left) < len(booking.attendees)

    async def hold(
        self, booking_id: int, hold: Sequence[tuple[int, datetime, datetime]], *, now: datetime
    ) -> None:
        self.store.held += [Held(u, s, e, booking_id=booking_id) for u, s, e in hold]

    async def holds_time(self, booking_id: int) -> bool:
        return any(h.booking_id == booking_id for h in self.store.held)

    async def release(self, booking_id: int) -> None:
        self.store.held = [h for h in self.store.held if h.booking_id != booking_id]

    async def transition(
        self, booking_id: int, *, from_statuses: Sequence[str], to_status: str, now: datetime,
        **fields: Any,
    ) -> bool:  # fmt: skip
        booking = self.store.bookings[booking_id]
        if booking.status not in from_statuses:
            return False
        changed = replace(booking, status=to_status, updated_at=now, **fields)  # type: ignore[arg-type]
        self.store.bookings[booking_id] = changed
        return True

    async def touch(self, booking_id: int, now: datetime) -> None:
        self.store.bookings[booking_id] = replace(self.store.bookings[booking_id], updated_at=now)


class Reservations:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def get(self, uid: str) -> Reservation | None:
        return next((r for r in self.store.reservations.values() if r.uid == uid), None)

    async def remove(self, reservation_id: int) -> None:
        self.store.reservations.pop(reservation_id, None)
        self.store.held = [h for h in self.store.held if h.reservation_id != reservation_id]

    async def release_held_by(
        self, user_id: int, host_ids: Sequence[int], start: datetime, end: datetime, *,
        now: datetime,
    ) -> int:  # fmt: skip
        mine = {r.id for r in self.store.reservations.values() if r.user_id == user_id}
        gone = {
            h.reservation_id
            for h in self.store.held
            if h.reservation_id in mine
            and h.user_id in host_ids
            and h.start < end
            and h.end > start
        }
        for reservation_id in gone:
            await self.remove(reservation_id)  # type: ignore[arg-type]
        return len(gone)


class Outbox:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def add(
        self, *, kind: str, topic: str, payload: dict[str, Any], now: datetime,
        due_at: datetime | None = None, user_id: int | None = None,
        booking_uid: str | None = None, webhook_id: int | None = None,
    ) -> None:  # fmt: skip
        if kind == "email":  # mail rows (issue 16) are kept apart from the webhook rows
            self.store.emails.append((topic, payload))
            return
        self.store.outbox.append((topic, booking_uid))

    async def withdraw(self, booking_uid: str, topics: Sequence[str]) -> int:
        kept = [(t, u) for t, u in self.store.outbox if not (u == booking_uid and t in topics)]
        gone = len(self.store.outbox) - len(kept)
        self.store.outbox[:] = kept
        return gone


class Webhooks:
    """One subscription of every organizer to every booking trigger (not MEETING_*), so each
    trigger the use cases fire leaves one outbox row to assert on."""

    async def subscribed(
        self, user_id: int, event_type_id: int | None, trigger: str
    ) -> list[Subscription]:
        if trigger in MEETING_TRIGGERS:
            return []
        return [
            Subscription(
                id=1, user_id=user_id, event_type_id=None, subscriber_url="https://hooks.test/",
                triggers=(trigger,), active=True, payload_template=None, secret=None,
                version="2021-10-20",
            )
        ]  # fmt: skip

    async def topics_for(self, booking_uid: str) -> list[str]:
        return [topic for topic, uid in self.store.outbox if uid == booking_uid]


class MemoryUnitOfWork:
    """The booking use cases' unit of work over a Store. ``commit`` makes the changes of the
    transaction the committed state; ``rollback`` restores the state at ``begin_write``."""

    def __init__(self, store: Store | None = None) -> None:
        self.store = store or Store()
        self._saved: Store | None = None
        self.locked: list[int] = []

    @property
    def users(self) -> Users:
        return Users(self.store)

    @property
    def schedules(self) -> Schedules:
        return Schedules(self.store)

    @property
    def event_types(self) -> EventTypes:
        return EventTypes(self.store)

    @property
    def occupancy(self) -> Occupancy:
        return Occupancy(self.store)

    @property
    def bookings(self) -> Bookings:
        return Bookings(self.store)

    @property
    def reservations(self) -> Reservations:
        return Reservations(self.store)

    @property
    def outbox(self) -> Outbox:
        return Outbox(self.store)

    # No external calendars in the use-case tests (services.calendars.host_busy reads none).
    feeds = None

    @property
    def webhooks(self) -> Webhooks:
        return Webhooks()

    async def begin_write(self) -> None:
        self._saved = _copy(self.store)

    async def lock_hosts(self, host_ids: Sequence[int]) -> None:
        self.locked += host_ids

    async def commit(self) -> None:
        self._saved = None

    async def rollback(self) -> None:
        if self._saved is not None:
            self.store.__dict__.update(_copy(self._saved).__dict__)
        self._saved = None


def _copy(store: Store) -> Store:
    return Store(
        users=dict(store.users),
        schedules=dict(store.schedules),
        event_types=dict(store.event_types),
        bookings=dict(store.bookings),
        reservations=dict(store.reservations),
        held=[replace(h) for h in store.held],
        outbox=list(store.outbox),
    )
