"""Read one booking, or every occurrence of a recurring one."""

from __future__ import annotations

from rendezvous.domain import errors
from rendezvous.services.bookings.common import Outcome, event_type_or_none, outcome
from rendezvous.services.ports import UnitOfWork


async def get(uow: UnitOfWork, uid: str) -> Outcome:
    """A booking by uid, or every occurrence of a recurring booking by its recurring uid;
    NotFound for neither."""
    booking = await uow.bookings.by_uid(uid)
    if booking is not None:
        return await outcome(uow, [booking], await event_type_or_none(uow, booking))
    series = await uow.bookings.by_recurring_uid(uid)
    if not series:
        raise errors.NotFound(f"Booking with uid={uid} not found")
    event_type = await event_type_or_none(uow, series[0])
    return await outcome(uow, series, event_type, recurring=True)
