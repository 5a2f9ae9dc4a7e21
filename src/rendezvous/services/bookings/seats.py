"""Take a seat of a seated event type: join the seated booking at a start, or open it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from rendezvous.domain.booking_draft import (
    Draft,
    NewBooking,
    check_seat_joinable,
    draft_booking,
    hold_of,
)
from rendezvous.domain.bookings import Booking
from rendezvous.domain.event_types import EventType
from rendezvous.domain.hosts import Host
from rendezvous.services.bookings.assign import assign
from rendezvous.services.bookings.common import Context, Outcome, find_booking, new_uid, outcome
from rendezvous.services.ports import UnitOfWork
from rendezvous.services.slots import bookable_slot


async def take_seat(
    uow: UnitOfWork,
    new: NewBooking,
    ctx: Context,
    event_type: EventType,
    hosts: list[Host],
    duration: int,
    responses: Mapping[str, Any],
    *,
    moved_from: Booking | None = None,
    moved_by: str | None = None,
) -> Outcome:
    """Book a seat at ``new.start``. Seats are counted under the booking's row lock, so
    concurrent attendees cannot overfill it. ``moved_from``: the booking a rescheduled seat
    leaves (notified as a reschedule, not a creation)."""
    await bookable_slot(uow, event_type, hosts, new.start, now=ctx.now, duration=duration)
    seat_uid = new_uid()
    existing = await uow.bookings.seated_at(event_type.id, new.start, lock=True)
    if existing is None:
        # The booking that opens the seats goes to its hosts as any other: every host of a
        # collective, one chosen free host (and the mandatory ones) of a round robin; later
        # attendees join it with those hosts.
        _, booked_hosts, reason = await assign(
            uow, event_type, hosts, new.start, now=ctx.now, duration=duration
        )
        draft = Draft(uid=new_uid(), now=ctx.now, video_url_template=ctx.video_url_template,
                      hosts=[h.user for h in booked_hosts])  # fmt: skip
        booking = draft_booking(
            new, draft, event_type, new.start, duration, responses, seat_uid=seat_uid
        )
        booking = replace(
            booking,
            rescheduled_from_uid=moved_from.uid if moved_from else None,
            assignment_reason=reason,
        )
        booking = await uow.bookings.add(booking, hold=hold_of(event_type, booking), now=ctx.now)
    else:
        check_seat_joinable(
            existing,
            seats=event_type.rules.seats_per_slot or 0,
            duration=duration,
            asked_duration=new.duration,
            email=new.attendee.email,
        )
        seat = replace(
            new.attendee,
            seat_uid=seat_uid,
            created_at=ctx.now,
            responses={"name": new.attendee.name, "email": new.attendee.email, **responses},
            metadata=dict(new.metadata),
        )
        await uow.bookings.add_seat(existing.id, seat)
        await uow.bookings.touch(existing.id, ctx.now)
        booking = await find_booking(uow, existing.uid)
    mine = [a for a in booking.attendees if a.seat_uid == seat_uid]
    notify = ctx.notifications(uow)
    if moved_from is None:
        await notify.created(booking, event_type, attendees=mine)
    else:
        await notify.rescheduled(booking, event_type, old=moved_from, by=moved_by, attendees=mine)
    return await outcome(
        uow, [booking], event_type, seat_uid=seat_uid, known=[h.user for h in hosts]
    )
