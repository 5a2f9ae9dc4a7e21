"""Confirm or decline a pending booking (its hosts only)."""

from __future__ import annotations

from rendezvous.domain import errors
from rendezvous.domain.booking_draft import held_spans
from rendezvous.domain.bookings import Booking, check_pending
from rendezvous.services.bookings.common import (
    Context,
    Outcome,
    event_type_or_none,
    find_booking,
    is_host,
    outcome,
)
from rendezvous.services.ports import UnitOfWork


async def _pending_for_host(uow: UnitOfWork, uid: str, ctx: Context, action: str) -> Booking:
    booking = await find_booking(uow, uid, lock=True)
    if not is_host(booking, ctx.caller):
        mine = ctx.caller.attendee_email() if ctx.caller else None
        if mine and any(a.email == mine for a in booking.attendees):
            raise errors.Forbidden(f"Only a host of this booking can {action} it")
        raise errors.NotFound(f"Booking with uid={uid} not found")
    check_pending(booking, "confirmed" if action == "confirm" else "declined")
    return booking


async def confirm(uow: UnitOfWork, uid: str, ctx: Context) -> Outcome:
    """Accept the pending booking ``uid``: it takes its time now if it did not hold it (409
    SlotTaken when that time was taken meanwhile)."""
    booking = await _pending_for_host(uow, uid, ctx, "confirm")
    event_type = await event_type_or_none(uow, booking)
    if not await uow.bookings.holds_time(booking.id):
        # A pending booking that did not block its time (decided by its own rows, not by the
        # event type's current setting) takes it now, or fails with 409 — checked here for
        # SQLite; PostgreSQL's exclusion constraint also refuses it.
        hold = held_spans(event_type, booking)
        for host_id, start, end in hold:
            if await uow.occupancy.overlapping([host_id], start, end, now=ctx.now):
                raise errors.SlotTaken("The time of this booking has been taken meanwhile")
        await uow.bookings.hold(booking.id, hold, now=ctx.now)
    # The confirmation mailed to everyone is a new revision of the calendar event (RFC 5546
    # §2.1.4): stored, so the .ics, a later move and a cancellation count past it.
    if not await uow.bookings.transition(
        booking.id,
        from_statuses=("pending",),
        to_status="accepted",
        now=ctx.now,
        ics_sequence=booking.ics_sequence + 1,
    ):
        raise errors.WrongState("This booking is no longer pending")
    confirmed = await find_booking(uow, uid)
    await ctx.notifications(uow).confirmed(confirmed, event_type)
    return await outcome(uow, [confirmed], event_type)


async def decline(uow: UnitOfWork, uid: str, ctx: Context, *, reason: str | None) -> Outcome:
    """Reject the pending booking ``uid`` and free the time it held."""
    booking = await _pending_for_host(uow, uid, ctx, "decline")
    event_type = await event_type_or_none(uow, booking)
    if not await uow.bookings.transition(
        booking.id,
        from_statuses=("pending",),
        to_status="rejected",
        now=ctx.now,
        rejection_reason=reason,
    ):
        raise errors.WrongState("This booking is no longer pending")
    await uow.bookings.release(booking.id)
    declined = await find_booking(uow, uid)
    await ctx.notifications(uow).rejected(declined, event_type, reason=reason)
    return await outcome(uow, [declined], event_type)
