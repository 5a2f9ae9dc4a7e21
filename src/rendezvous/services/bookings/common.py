"""What the booking use cases share: their context, their outcome, and the loads and writes
several of them make."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from rendezvous.domain import errors
from rendezvous.domain.accounts import User
from rendezvous.domain.bookings import ACTIVE, Booking
from rendezvous.domain.event_types import EventType
from rendezvous.services.notifications import Notifications
from rendezvous.services.ports import UnitOfWork


def new_uid() -> str:
    """144 random bits, URL-safe: booking uids are unguessable."""
    return secrets.token_urlsafe(18)


@dataclass(frozen=True, slots=True)
class Context:
    """What every booking use case needs from configuration and the request."""

    now: datetime
    public_url: str
    video_url_template: str
    caller: User | None = None

    def notifications(self, uow: UnitOfWork) -> Notifications:
        return Notifications(uow, self.now, self.public_url)


@dataclass(frozen=True, slots=True)
class Outcome:
    """The bookings a use case produced, changed or read, with all a renderer needs: their
    event type, every host user (``hosts``, by id); ``recurring`` asks for an array answer (a
    whole series); ``seat_uid`` is the caller's seat."""

    bookings: list[Booking]
    event_type: EventType | None
    recurring: bool = False
    seat_uid: str | None = None
    hosts: Mapping[int, User] = field(default_factory=dict)


async def load_users(
    uow: UnitOfWork, bookings: Iterable[Booking], known: Iterable[User] = ()
) -> dict[int, User]:
    """Every host user of ``bookings`` by id (``known`` ones are not loaded again); a host
    deleted since is left out."""
    found = {u.id: u for u in known}
    wanted = {h for b in bookings for h in b.host_ids}
    users: dict[int, User] = {}
    for user_id in sorted(wanted):
        user = found.get(user_id) or await uow.users.get(user_id)
        if user is not None:
            users[user_id] = user
    return users


async def outcome(
    uow: UnitOfWork,
    bookings: list[Booking],
    event_type: EventType | None,
    *,
    recurring: bool = False,
    seat_uid: str | None = None,
    known: Iterable[User] = (),
) -> Outcome:
    """An Outcome with its host users loaded."""
    hosts = await load_users(uow, bookings, known)
    return Outcome(bookings, event_type, recurring=recurring, seat_uid=seat_uid, hosts=hosts)


async def find_booking(uow: UnitOfWork, uid: str, *, lock: bool = False) -> Booking:
    """The booking with ``uid``; NotFound if there is none."""
    booking = await uow.bookings.by_uid(uid, lock=lock)
    if booking is None:
        raise errors.NotFound(f"Booking with uid={uid} not found")
    return booking


async def event_type_or_none(uow: UnitOfWork, booking: Booking) -> EventType | None:
    """The booking's event type; None once it has been deleted (the booking lives on and can
    still be cancelled, confirmed or declined)."""
    return await uow.event_types.get(booking.event_type_id) if booking.event_type_id else None


async def event_type_of(uow: UnitOfWork, booking: Booking) -> EventType:
    """The booking's event type; RuleViolation once it has been deleted."""
    event_type = await event_type_or_none(uow, booking)
    if event_type is None:
        raise errors.RuleViolation("The event type of this booking no longer exists")
    return event_type


async def cancel_active(uow: UnitOfWork, booking: Booking, now: datetime, **fields: Any) -> None:
    """Cancel a booking that is still active (compare-and-swap: a concurrent change wins and
    this one fails with WrongState) and free the time it holds at once."""
    if not await uow.bookings.transition(
        booking.id, from_statuses=ACTIVE, to_status="cancelled", now=now, **fields
    ):
        raise errors.WrongState(
            "This booking was changed by someone else; it is not active any more"
        )
    await uow.bookings.release(booking.id)


def is_host(booking: Booking, user: User | None) -> bool:
    return user is not None and (user.id == booking.user_id or user.id in booking.host_ids)
