"""Reschedule a booking (a new booking replaces it) or move one seat of a seated booking."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from rendezvous.domain import errors
from rendezvous.domain.booking_draft import NewBooking, hold_of, rescheduled_booking
from rendezvous.domain.bookings import Booking, check_can_change
from rendezvous.domain.event_types import EventType
from rendezvous.domain.hosts import Host
from rendezvous.services.bookings.assign import assign, is_team, lock_for_booking
from rendezvous.services.bookings.common import (
    Context,
    Outcome,
    cancel_active,
    event_type_of,
    find_booking,
    new_uid,
    outcome,
)
from rendezvous.services.bookings.create import consume_own_reservations
from rendezvous.services.bookings.seats import take_seat
from rendezvous.services.ports import UnitOfWork
from rendezvous.services.slots import load_hosts, needs_bookings


async def reschedule(
    uow: UnitOfWork,
    uid: str,
    start: datetime,
    ctx: Context,
    *,
    reason: str | None = None,
    rescheduled_by: str | None = None,
    seat_uid: str | None = None,
) -> Outcome:
    """A new booking at ``start`` replaces the old one, which is cancelled and points to it.
    The old booking's own time counts as free for the new start."""
    old = await find_booking(uow, uid, lock=True)
    event_type = await event_type_of(uow, old)
    policy = event_type.booking.no_rescheduling
    check_can_change(old, action="reschedule", policy=policy, now=ctx.now)
    hosts = await load_hosts(uow, event_type)
    if needs_bookings(event_type.rules) or is_team(event_type, hosts):
        await lock_for_booking(uow, event_type, hosts)
    await consume_own_reservations(uow, ctx, event_type, hosts, start, old.duration)
    if old.seated:
        return await _move_seat(
            uow, old, event_type, hosts, start, ctx, seat_uid, reason, rescheduled_by
        )
    same_host = bool(event_type.settings.get("rescheduleWithSameRoundRobinHost"))
    _, booked_hosts, reason = await assign(
        uow,
        event_type,
        hosts,
        start,
        now=ctx.now,
        duration=old.duration,
        ignore_booking_uid=old.uid,
        keep=old.user_id if same_host else None,
    )
    uid_ = new_uid()
    await cancel_active(
        uow,
        old,
        ctx.now,
        rescheduled_to_uid=uid_,
        rescheduling_reason=reason,
        rescheduled_by_email=rescheduled_by,
    )
    new = rescheduled_booking(
        old,
        event_type,
        start,
        uid=uid_,
        now=ctx.now,
        reason=reason,
        rescheduled_by=rescheduled_by,
        owner=booked_hosts[0].user,
        caller_id=ctx.caller.id if ctx.caller else None,
    )
    if event_type.team_id is not None:
        new = replace(
            new,
            host_ids=tuple(h.user.id for h in booked_hosts),
            user_id=booked_hosts[0].user.id,
            assignment_reason=reason,
        )
    created = await uow.bookings.add(new, hold=hold_of(event_type, new), now=ctx.now)
    await ctx.notifications(uow).rescheduled(created, event_type, old=old, by=rescheduled_by)
    return await outcome(uow, [created], event_type, known=[h.user for h in booked_hosts])


async def _move_seat(
    uow: UnitOfWork,
    old: Booking,
    event_type: EventType,
    hosts: list[Host],
    start: datetime,
    ctx: Context,
    seat_uid: str | None,
    reason: str | None,
    rescheduled_by: str | None,
) -> Outcome:
    """Move one seat to another start: it leaves the old booking (which is cancelled when it was
    the last seat) and takes a seat at the new start."""
    if not seat_uid:
        raise errors.InvalidInput(
            "seatUid is required to reschedule a seat of a seated booking", {"fields": ["seatUid"]}
        )
    seat = next((a for a in old.attendees if a.seat_uid == seat_uid), None)
    if seat is None:
        raise errors.NotFound(f"Seat with uid={seat_uid} not found in booking {old.uid}")
    last_seat = len(old.attendees) == 1
    remaining: Booking | None = None
    if last_seat:
        await cancel_active(
            uow, old, ctx.now, rescheduling_reason=reason, rescheduled_by_email=rescheduled_by
        )
    else:
        await uow.bookings.remove_seat(old.id, seat_uid)
        await uow.bookings.touch(old.id, ctx.now)
        remaining = await find_booking(uow, old.uid)
    await ctx.notifications(uow).seat_left(old, event_type, remaining=remaining)
    moved = NewBooking(
        start=start,
        attendee=replace(seat, seat_uid=None),
        event_type_id=event_type.id,
        responses={k: v for k, v in seat.responses.items() if k not in ("name", "email")},
        metadata=seat.metadata,
    )
    result = await take_seat(
        uow,
        moved,
        ctx,
        event_type,
        hosts,
        old.duration,
        moved.responses,
        moved_from=old,
        moved_by=rescheduled_by,
    )
    if last_seat:
        await uow.bookings.transition(
            old.id,
            from_statuses=("cancelled",),
            to_status="cancelled",
            now=ctx.now,
            rescheduled_to_uid=result.bookings[0].uid,
        )
    return result
