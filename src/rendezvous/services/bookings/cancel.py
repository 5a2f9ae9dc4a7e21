"""Cancel a booking, one seat of a seated booking, or a recurring series (or its rest)."""

from __future__ import annotations

from dataclasses import replace

from rendezvous.domain import errors
from rendezvous.domain.bookings import Booking, check_can_change
from rendezvous.domain.event_types import EventType
from rendezvous.services.bookings.common import (
    Context,
    Outcome,
    cancel_active,
    event_type_or_none,
    find_booking,
    is_host,
    outcome,
)
from rendezvous.services.ports import UnitOfWork


async def cancel(
    uow: UnitOfWork,
    uid: str,
    ctx: Context,
    *,
    reason: str | None = None,
    seat_uid: str | None = None,
    subsequent: bool = False,
) -> Outcome:
    """Cancel the booking ``uid`` (with ``seat_uid``: only that seat; with ``subsequent``: the
    later occurrences of its series too), or every active occurrence of the series ``uid``."""
    booking = await uow.bookings.by_uid(uid, lock=True)
    if booking is None:
        return await _cancel_series(uow, uid, ctx, reason)
    event_type = await event_type_or_none(uow, booking)
    if seat_uid and not booking.seated:
        raise errors.InvalidInput(
            "seatUid applies to seated bookings only; this booking has no seats",
            {"fields": ["seatUid"]},
        )
    if booking.seated:
        if seat_uid:
            return await _cancel_seat(uow, booking, event_type, ctx, seat_uid, reason)
        if not is_host(booking, ctx.caller):
            raise errors.InvalidInput(
                "seatUid is required to cancel a seat; only a host may cancel every seat",
                {"fields": ["seatUid"]},
            )
    targets = [booking]
    if subsequent and booking.recurring_uid:
        later = await uow.bookings.by_recurring_uid(booking.recurring_uid)
        targets += [b for b in later if b.start > booking.start and b.active]
    done = [await _cancel_one(uow, b, event_type, ctx, reason) for b in targets]
    recurring = booking.recurring_uid is not None and subsequent
    return await outcome(uow, done, event_type, recurring=recurring)


async def _cancel_series(uow: UnitOfWork, uid: str, ctx: Context, reason: str | None) -> Outcome:
    series = await uow.bookings.by_recurring_uid(uid)
    if not series:
        raise errors.NotFound(f"Booking with uid={uid} not found")
    targets = [b for b in series if b.active]
    if not targets:
        raise errors.WrongState("Every occurrence of this booking is already cancelled")
    event_type = await event_type_or_none(uow, series[0])
    done = [await _cancel_one(uow, b, event_type, ctx, reason) for b in targets]
    return await outcome(uow, done, event_type, recurring=True)


async def _cancel_one(
    uow: UnitOfWork,
    booking: Booking,
    event_type: EventType | None,
    ctx: Context,
    reason: str | None,
) -> Booking:
    policy = event_type.booking.no_cancelling if event_type else None
    check_can_change(booking, action="cancel", policy=policy, now=ctx.now)
    by = (
        ctx.caller.email
        if ctx.caller
        else (booking.attendees[0].email if booking.attendees else None)
    )
    await cancel_active(uow, booking, ctx.now, cancellation_reason=reason, cancelled_by_email=by)
    cancelled = await find_booking(uow, booking.uid)
    await ctx.notifications(uow).cancelled(cancelled, event_type, reason=reason, by=by)
    return cancelled


async def _cancel_seat(
    uow: UnitOfWork,
    booking: Booking,
    event_type: EventType | None,
    ctx: Context,
    seat_uid: str,
    reason: str | None,
) -> Outcome:
    policy = event_type.booking.no_cancelling if event_type else None
    check_can_change(booking, action="cancel", policy=policy, now=ctx.now)
    seat = [a for a in booking.attendees if a.seat_uid == seat_uid]
    if not seat:
        raise errors.NotFound(f"Seat with uid={seat_uid} not found in booking {booking.uid}")
    if len(booking.attendees) == 1:
        done = await _cancel_one(uow, booking, event_type, ctx, reason)
        return await outcome(uow, [done], event_type)
    await uow.bookings.remove_seat(booking.id, seat_uid)
    await uow.bookings.touch(booking.id, ctx.now)
    remaining = await find_booking(uow, booking.uid)
    notify = ctx.notifications(uow)
    await notify.cancelled(
        replace(booking, status="cancelled"), event_type, reason=reason, by=seat[0].email, seat=seat
    )
    await notify.seat_left(booking, event_type, remaining=remaining)
    return await outcome(uow, [remaining], event_type)
