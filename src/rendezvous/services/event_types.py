"""Event types (contract §4): the caller's own, plus the public listing by username.

An event type is stored twice over: ``settings``, the wire document of what the user set (echoed
by the API), and the engine's rules derived from it by ``rules_from_settings`` (read by slots and
bookings without parsing wire JSON). Both are written together, so they cannot drift.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from rendezvous.domain.accounts import User
from rendezvous.domain.errors import Conflict, InvalidInput, NotFound
from rendezvous.domain.event_types import EventType
from rendezvous.domain.models import BookingWindow, BookingWindowKind, EventRules, PeriodLimits
from rendezvous.services.ports import UnitOfWork

PERIODS = ("day", "week", "month", "year")

# Cal.com's database default for minimumBookingNotice (minutes), used when the user set none.
DEFAULT_MINIMUM_NOTICE = 120

Settings = dict[str, Any]
ApplyPatch = Callable[[Mapping[str, Any]], Settings]
"""Stored settings → the settings after a PATCH, validated (raises on a broken rule)."""


def _active(stored: Mapping[str, Any], key: str) -> Mapping[str, Any] | None:
    """A nested setting in force: absent, null and ``{"disabled": true}`` all mean "off"."""
    value = stored.get(key)
    if not isinstance(value, Mapping) or value.get("disabled") is True:
        return None
    return value


def _number(stored: Mapping[str, Any], key: str, default: int) -> int:
    value = stored.get(key)
    return default if value is None else int(value)


def _window(value: Mapping[str, Any] | None) -> BookingWindow | None:
    if value is None:
        return None
    if value["type"] == "range":
        first, last = value["value"]
        return BookingWindow(
            kind="range", start_date=date.fromisoformat(first), end_date=date.fromisoformat(last)
        )
    kind: BookingWindowKind = "businessDays" if value["type"] == "businessDays" else "calendarDays"
    return BookingWindow(kind=kind, days=int(value["value"]), rolling=bool(value.get("rolling")))


def _limits(value: Mapping[str, Any] | None) -> PeriodLimits | None:
    if value is None:
        return None
    limits = PeriodLimits(**{period: value.get(period) for period in PERIODS})
    return limits if limits.any else None


def rules_from_settings(stored: Mapping[str, Any]) -> EventRules:
    """The engine's view of a stored settings document (defaults filled in as Cal.com's)."""
    seats = _active(stored, "seats")
    interval = stored.get("slotInterval")
    return EventRules(
        duration=int(stored["lengthInMinutes"]),
        duration_options=tuple(int(n) for n in stored.get("lengthInMinutesOptions") or ()),
        slot_interval=None if interval is None else int(interval),
        before_buffer=_number(stored, "beforeEventBuffer", 0),
        after_buffer=_number(stored, "afterEventBuffer", 0),
        minimum_notice=_number(stored, "minimumBookingNotice", DEFAULT_MINIMUM_NOTICE),
        booking_window=_window(_active(stored, "bookingWindow")),
        count_limits=_limits(_active(stored, "bookingLimitsCount")),
        duration_limits=_limits(_active(stored, "bookingLimitsDuration")),
        offset_start=_number(stored, "offsetStart", 0),
        only_first_slot=bool(stored.get("onlyShowFirstAvailableSlot")),
        seats_per_slot=int(seats["seatsPerTimeSlot"]) if seats else None,
    )


@dataclass(frozen=True, slots=True)
class Listing:
    """Event types of one owner; ``owner`` is None when the username matched nobody."""

    owner: User | None
    event_types: list[EventType]


def not_found(event_type_id: int) -> NotFound:
    return NotFound(f"Event type with id={event_type_id} not found")


async def list_event_types(
    uow: UnitOfWork,
    *,
    caller: User | None,
    username: str | None,
    event_slug: str | None,
    newest_first: bool | None = None,
) -> Listing:
    """With ``username``: that user's event types, hidden ones only for the user themself. Without:
    the caller's own, hidden included. ``event_slug`` narrows to one slug and needs ``username``."""
    if username is None:
        if event_slug is not None:
            raise InvalidInput("eventSlug needs username", {"fields": ["username"]})
        if caller is None:
            raise InvalidInput(
                "username is required unless you authenticate: send username to list a user's "
                "public event types, or an API key to list your own",
                {"fields": ["username"]},
            )
        owner = caller
    else:
        found = await uow.users.by_username(username)
        if found is None:
            return Listing(None, [])
        owner = found
    include_hidden = caller is not None and caller.id == owner.id
    event_types = await uow.event_types.for_owner(
        owner.id, include_hidden=include_hidden, newest_first=newest_first
    )
    if event_slug is not None:
        event_types = [et for et in event_types if et.slug == event_slug]
    return Listing(owner, event_types)


async def get_event_type(uow: UnitOfWork, owner: User, event_type_id: int) -> EventType:
    event_type = await uow.event_types.get(event_type_id)
    # Another user's event type is "not found": never reveal that it exists.
    if event_type is None or event_type.owner_id != owner.id:
        raise not_found(event_type_id)
    return event_type


async def _check_references(
    uow: UnitOfWork, owner: User, settings: Mapping[str, Any], *, except_id: int | None = None
) -> None:
    schedule_id = settings.get("scheduleId")
    if schedule_id is not None and not await uow.schedules.owned_by(schedule_id, owner.id):
        raise NotFound(f"Schedule with id={schedule_id} not found")
    slug = str(settings["slug"])
    same_slug = await uow.event_types.by_owner_slug(owner.id, slug)
    if same_slug is not None and same_slug.id != except_id:
        raise Conflict(f"You already have an event type with slug '{slug}'")


def _columns(settings: Settings) -> dict[str, Any]:
    # scheduleId lives only in its column, which the database keeps pointing at a real schedule;
    # a copy in the settings document could outlive the schedule.
    return {
        "slug": str(settings["slug"]),
        "title": str(settings["title"]),
        "hidden": bool(settings.get("hidden")),
        "schedule_id": settings.get("scheduleId"),
        "rules": rules_from_settings(settings),
        "settings": {k: v for k, v in settings.items() if k != "scheduleId"},
    }


def _document(event_type: EventType) -> Settings:
    """The stored settings with the schedule from its column: what a PATCH is merged into."""
    settings = dict(event_type.settings)
    if event_type.schedule_id is not None:
        settings["scheduleId"] = event_type.schedule_id
    return settings


async def create_event_type(
    uow: UnitOfWork, owner: User, settings: Settings, now: datetime
) -> EventType:
    """``settings`` is the validated stored document of the new event type."""
    await uow.begin_write()
    event_type = await add_event_type(uow, owner, settings, now)
    await uow.commit()
    return event_type


async def add_event_type(
    uow: UnitOfWork, owner: User, settings: Settings, now: datetime
) -> EventType:
    """Add an event type inside the caller's write transaction (no commit): the CLI's demo
    user gets its first event type in the transaction that creates the user."""
    await _check_references(uow, owner, settings)
    return await uow.event_types.add(owner_id=owner.id, now=now, **_columns(settings))


async def update_event_type(
    uow: UnitOfWork, owner: User, event_type_id: int, apply: ApplyPatch, now: datetime
) -> EventType:
    """Load, let ``apply`` merge and re-validate the PATCH, save: one transaction."""
    await uow.begin_write()
    current = await get_event_type(uow, owner, event_type_id)
    settings = apply(_document(current))
    await _check_references(uow, owner, settings, except_id=current.id)
    updated = await uow.event_types.update(current.id, now=now, **_columns(settings))
    await uow.commit()
    return updated


async def delete_event_type(uow: UnitOfWork, owner: User, event_type_id: int) -> EventType:
    await uow.begin_write()
    event_type = await get_event_type(uow, owner, event_type_id)
    await uow.event_types.remove(event_type.id)
    await uow.commit()
    return event_type
