"""What the services need from persistence, as protocols: ``db/`` implements them, services
never import it (dependencies point one way: domain ← services ← db)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from rendezvous.domain.accounts import ApiKey, User
from rendezvous.domain.bookings import Attendee, Booking, BookingFilters, StoredResponse
from rendezvous.domain.calendars import CalendarState, ConnectedCalendar, Credential, Discovered
from rendezvous.domain.event_types import EventType
from rendezvous.domain.models import BookedTime, Busy, EventRules
from rendezvous.domain.reservations import Reservation
from rendezvous.domain.schedules import StoredSchedule
from rendezvous.domain.webhooks import DeliveryView, Subscription


class UserRepo(Protocol):
    async def add(self, *, now: datetime, **fields: Any) -> User: ...
    async def get(self, user_id: int) -> User | None: ...
    async def by_email(self, email: str) -> User | None: ...
    async def by_username(self, username: str) -> User | None: ...
    async def email_taken(self, email: str, except_id: int | None = None) -> bool: ...
    async def count(self) -> int: ...
    async def update(self, user_id: int, *, now: datetime, **fields: Any) -> User: ...


class ApiKeyRepo(Protocol):
    async def add(
        self,
        *,
        user_id: int,
        key_hash: str,
        prefix: str,
        now: datetime,
        expires_at: datetime | None,
        note: str | None,
    ) -> ApiKey: ...
    async def with_user_by_hash(self, key_hash: str) -> tuple[ApiKey, User] | None: ...
    async def for_user(self, user_id: int) -> list[ApiKey]: ...
    async def revoke(self, key_id: int, now: datetime) -> bool: ...
    async def exists(self, key_id: int) -> bool: ...
    async def touch(self, key: ApiKey, now: datetime) -> None: ...


class ScheduleRepo(Protocol):
    async def add(
        self,
        *,
        user_id: int,
        name: str,
        time_zone: str,
        availability: list[dict[str, Any]],
        overrides: list[dict[str, Any]],
        now: datetime,
    ) -> int: ...
    async def owned_by(self, schedule_id: int, user_id: int) -> bool: ...
    async def get(self, schedule_id: int) -> StoredSchedule | None: ...
    async def for_user(self, user_id: int) -> list[StoredSchedule]: ...
    async def update(self, schedule_id: int, *, now: datetime, **fields: Any) -> StoredSchedule: ...
    async def remove(self, schedule_id: int) -> None: ...


class EventTypeRepo(Protocol):
    async def add(
        self,
        *,
        owner_id: int | None,
        slug: str,
        title: str,
        hidden: bool,
        schedule_id: int | None,
        rules: EventRules,
        settings: dict[str, Any],
        now: datetime,
        team_id: int | None = None,
    ) -> EventType: ...
    async def update(
        self,
        event_type_id: int,
        *,
        slug: str,
        title: str,
        hidden: bool,
        schedule_id: int | None,
        rules: EventRules,
        settings: dict[str, Any],
        now: datetime,
    ) -> EventType: ...
    async def get(self, event_type_id: int) -> EventType | None: ...
    async def by_owner_slug(self, owner_id: int, slug: str) -> EventType | None: ...
    async def for_owner(
        self, owner_id: int, *, include_hidden: bool = True, newest_first: bool | None = None
    ) -> list[EventType]: ...
    async def remove(self, event_type_id: int) -> None: ...
    async def using_schedule(self, owner_id: int, schedule_id: int, *, or_default: bool) -> int: ...
    async def with_host(
        self,
        *,
        event_type_id: int | None = None,
        username: str | None = None,
        slug: str | None = None,
    ) -> tuple[EventType, User, StoredSchedule | None] | None: ...


class OccupancyRepo(Protocol):
    async def busy(
        self,
        user_ids: Sequence[int],
        start: datetime,
        end: datetime,
        *,
        now: datetime,
        exclude_booking_uid: str | None = None,
        ignore_reservations_of: int | None = None,
    ) -> list[Busy]: ...
    async def overlapping(
        self, user_ids: Sequence[int], start: datetime, end: datetime, *, now: datetime
    ) -> list[tuple[int, int | None, int | None]]: ...


class BookingRepo(Protocol):
    async def booked_times(
        self, event_type_id: int, start: datetime, end: datetime, *, exclude_uid: str | None = None
    ) -> list[BookedTime]: ...
    async def by_uid(self, uid: str, *, lock: bool = False) -> Booking | None: ...
    async def by_recurring_uid(self, recurring_uid: str) -> list[Booking]: ...
    async def seated_at(
        self, event_type_id: int, start: datetime, *, lock: bool
    ) -> Booking | None: ...
    async def list_visible(
        self,
        filters: BookingFilters,
        *,
        user_id: int,
        email: str | None,
        now: datetime,
        take: int,
        skip: int,
    ) -> tuple[list[Booking], int]: ...
    async def add(
        self, booking: Booking, *, hold: Sequence[tuple[int, datetime, datetime]], now: datetime
    ) -> Booking: ...
    async def add_seat(self, booking_id: int, attendee: Attendee) -> None: ...
    async def remove_seat(self, booking_id: int, seat_uid: str) -> bool: ...
    async def hold(
        self, booking_id: int, hold: Sequence[tuple[int, datetime, datetime]], *, now: datetime
    ) -> None: ...
    async def holds_time(self, booking_id: int) -> bool: ...
    async def release(self, booking_id: int) -> None: ...
    async def transition(
        self,
        booking_id: int,
        *,
        from_statuses: Sequence[str],
        to_status: str,
        now: datetime,
        **fields: Any,
    ) -> bool: ...
    async def touch(self, booking_id: int, now: datetime) -> None: ...


class OutboxRepo(Protocol):
    async def add(
        self,
        *,
        kind: str,
        topic: str,
        payload: dict[str, Any],
        now: datetime,
        due_at: datetime | None = None,
        user_id: int | None = None,
        booking_uid: str | None = None,
        webhook_id: int | None = None,
    ) -> None: ...
    async def topics_for(self, booking_uid: str) -> list[str]: ...
    async def withdraw(self, booking_uid: str, topics: Sequence[str]) -> int: ...


class WebhookRepo(Protocol):
    async def add(
        self,
        *,
        user_id: int,
        event_type_id: int | None,
        fields: Mapping[str, Any],
        now: datetime,
    ) -> Subscription: ...
    async def get(self, webhook_id: int) -> Subscription | None: ...
    async def list_for(
        self, user_id: int, event_type_id: int | None, *, take: int, skip: int
    ) -> list[Subscription]: ...
    async def update(
        self, webhook_id: int, changes: Mapping[str, Any], now: datetime
    ) -> Subscription | None: ...
    async def delete(self, webhook_id: int) -> None: ...
    async def subscribed(
        self, user_id: int, event_type_id: int | None, trigger: str
    ) -> list[Subscription]: ...
    async def deliveries(self, webhook_id: int, *, take: int, skip: int) -> list[DeliveryView]: ...
    async def delivery(self, webhook_id: int, delivery_id: int) -> DeliveryView | None: ...
    async def redeliver(self, webhook_id: int, delivery_id: int, now: datetime) -> bool: ...


class IdempotencyRepo(Protocol):
    async def find(self, scope: str, key: str, now: datetime) -> StoredResponse | None: ...
    async def claim(
        self, scope: str, key: str, request_hash: str, *, now: datetime, expires_at: datetime
    ) -> bool: ...
    async def store(
        self, scope: str, key: str, *, status_code: int, response: dict[str, Any]
    ) -> None: ...
    async def purge_expired(self, now: datetime) -> None: ...


class ReservationRepo(Protocol):
    async def add(
        self,
        *,
        uid: str,
        event_type_id: int,
        user_id: int | None,
        host_ids: Sequence[int],
        slot_start: datetime,
        slot_end: datetime,
        hold_start: datetime,
        hold_end: datetime,
        duration: int,
        until: datetime,
        now: datetime,
    ) -> Reservation: ...
    async def get(self, uid: str) -> Reservation | None: ...
    async def remove(self, reservation_id: int) -> None: ...
    async def purge_expired(self, now: datetime) -> int: ...
    async def release_held_by(
        self,
        user_id: int,
        host_ids: Sequence[int],
        start: datetime,
        end: datetime,
        *,
        now: datetime,
    ) -> int: ...


class CalendarRepo(Protocol):
    async def add_credential(
        self,
        *,
        user_id: int,
        type: str,
        app_id: str,
        server_url: str | None,
        secret: str,
        now: datetime,
    ) -> Credential: ...
    async def add_calendar(
        self,
        *,
        credential_id: int,
        user_id: int,
        external_id: str,
        name: str | None,
        read_only: bool,
        is_selected: bool,
        is_destination: bool = False,
    ) -> None: ...
    async def credential(self, credential_id: int) -> Credential | None: ...
    async def credentials_of(self, user_id: int) -> list[Credential]: ...
    async def calendars_of(self, user_id: int) -> list[ConnectedCalendar]: ...
    async def with_credentials(
        self, user_ids: Sequence[int], *, selected: bool | None = None, destination: bool = False
    ) -> list[tuple[ConnectedCalendar, Credential]]: ...
    async def set_selected(
        self, user_id: int, credential_id: int, external_id: str, selected: bool
    ) -> ConnectedCalendar | None: ...
    async def set_destination(self, user_id: int, calendar_id: int | None) -> None: ...
    async def remove_credential(self, credential_id: int) -> None: ...


class CalendarFeeds(Protocol):
    """External calendars (integrations/calendars): busy times from a cache with a short TTL,
    and the connection checks a connect makes."""

    async def busy(
        self,
        calendars: Sequence[tuple[ConnectedCalendar, Credential]],
        start: datetime,
        end: datetime,
        *,
        time_zone: str,
    ) -> list[tuple[datetime, datetime]]:
        """Busy intervals [start, end) in UTC overlapping [start, end), from the last known
        data; bounded in time; a provider that fails contributes what was last fetched."""
        ...

    def state(self, calendar: ConnectedCalendar) -> CalendarState: ...

    def seal(self, secret: dict[str, Any]) -> str: ...
    def unseal(self, token: str) -> dict[str, Any]: ...

    async def check_feed(self, url: str) -> None:
        """Fetch and parse an ICS feed; InvalidInput naming ``urls`` when it fails."""
        ...

    async def discover(self, server_url: str, username: str, password: str) -> list[Discovered]:
        """The calendars of a CalDAV account; InvalidInput when the connection fails."""
        ...


class UnitOfWork(Protocol):
    # Read-only properties, so implementations may hold more specific repository types.
    @property
    def users(self) -> UserRepo: ...
    @property
    def keys(self) -> ApiKeyRepo: ...
    @property
    def schedules(self) -> ScheduleRepo: ...
    @property
    def event_types(self) -> EventTypeRepo: ...
    @property
    def occupancy(self) -> OccupancyRepo: ...
    @property
    def bookings(self) -> BookingRepo: ...
    @property
    def reservations(self) -> ReservationRepo: ...
    @property
    def outbox(self) -> OutboxRepo: ...
    @property
    def idempotency(self) -> IdempotencyRepo: ...
    @property
    def calendars(self) -> CalendarRepo: ...
    @property
    def feeds(self) -> CalendarFeeds | None: ...
    @property
    def webhooks(self) -> WebhookRepo: ...

    async def begin_write(self) -> None: ...
    async def lock_hosts(self, host_ids: Sequence[int]) -> None: ...

    async def commit(self) -> None: ...
    async def rollback(self) -> None: ...
