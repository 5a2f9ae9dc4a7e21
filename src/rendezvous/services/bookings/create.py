"""Create a booking: load the event type and its host, decide the booking(s), save them with
the time they hold and their notifications."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from rendezvous.domain import errors
from rendezvous.domain.accounts import User
from rendezvous.domain.booking_draft import (
    Draft,
    NewBooking,
    check_booker,
    check_guests,
    draft_booking,
    hold_of,
    is_recurring,
    series_starts,
)
from rendezvous.domain.booking_fields import (
    check_contact,
    check_responses,
    clean_guests,
    guests_of,
    normalize_email,
)
from rendezvous.domain.bookings import Booking
from rendezvous.domain.event_types import EventType
from rendezvous.domain.hosts import Host, host_ids
from rendezvous.services.bookings.assign import assign, is_team, lock_for_booking
from rendezvous.services.bookings.common import Context, Outcome, new_uid, outcome
from rendezvous.services.bookings.seats import take_seat
from rendezvous.services.ports import UnitOfWork
from rendezvous.services.slots import needs_bookings, resolve_hosted


def _normalized(new: NewBooking) -> NewBooking:
    # Emails are kept in lower case, as users' are, so that "the bookings I attend" and every
    # comparison of addresses ignore case.
    email = normalize_email(new.attendee.email)
    return replace(
        new,
        attendee=replace(new.attendee, email=email),
        guests=clean_guests(guests_of(new.guests, new.responses), email),
    )


async def create(uow: UnitOfWork, new: NewBooking, ctx: Context) -> Outcome:
    """Book ``new``: one booking, every occurrence of a recurring event type, or a seat.
    Raises the DomainError saying why a start cannot be taken."""
    event_type, hosts = await resolve_hosted(
        uow,
        event_type_id=new.event_type_id,
        slug=new.event_type_slug,
        username=new.username,
        team_slug=new.team_slug,
        organization_slug=new.organization_slug,
    )
    check_booker(event_type, ctx.caller.id if ctx.caller else None)
    fields = event_type.booking.booking_fields
    check_contact(fields, email=new.attendee.email, phone=new.attendee.phone_number)
    new = _normalized(new)
    check_guests(event_type, new.guests)
    responses = check_responses(new.responses, fields)
    if needs_bookings(event_type.rules) or is_team(event_type, hosts):
        # Limits, seats and the choice of a round-robin host are checks no constraint
        # enforces: one writer per host at a time.
        await lock_for_booking(uow, event_type, hosts)
    duration = event_type.rules.duration if new.duration is None else new.duration
    await _consume_reservation(uow, new, event_type)
    await consume_own_reservations(uow, ctx, event_type, hosts, new.start, duration)
    recurring = is_recurring(event_type)
    # The series keeps the first occurrence's wall-clock time in the attendee's zone, as
    # Cal.com's API v2 does (luxon setZone(attendee.timeZone).plus({weeks})): the host's
    # profile zone plays no part in scheduling.
    starts = series_starts(
        event_type, new.start, new.recurrence_count, time_zone=new.attendee.time_zone
    )
    if event_type.is_seated:
        if recurring:
            # Cal.com compat: seats and recurrence together are refused (event types cannot be
            # saved that way here either).
            raise errors.RuleViolation("Seated recurring event types cannot be booked")
        return await take_seat(uow, new, ctx, event_type, hosts, duration, responses)

    recurring_uid = new_uid() if recurring else None
    created: list[Booking] = []
    organizers: list[User] = []
    for start in starts:
        _, booked_hosts, reason = await assign(
            uow, event_type, hosts, start, now=ctx.now, duration=duration
        )
        draft = Draft(uid=new_uid(), now=ctx.now, video_url_template=ctx.video_url_template,
                      hosts=[h.user for h in booked_hosts])  # fmt: skip
        booking = draft_booking(
            new, draft, event_type, start, duration, responses, recurring_uid=recurring_uid
        )
        booking = replace(booking, assignment_reason=reason)
        hold = hold_of(event_type, booking)
        created.append(await uow.bookings.add(booking, hold=hold, now=ctx.now))
        organizers.append(booked_hosts[0].user)
    notify = ctx.notifications(uow)
    for index, (booking, organizer) in enumerate(zip(created, organizers, strict=True)):
        # A recurring series is mailed once, for its first occurrence (as Cal.com emails a
        # series once): 730 occurrences must not become 1,460 emails and hold the writer lock.
        await notify.created(booking, event_type, organizer=organizer, mail=index == 0)
    known = [h.user for h in hosts]
    return await outcome(uow, created, event_type, recurring=recurring, known=known)


async def _consume_reservation(uow: UnitOfWork, new: NewBooking, event_type: EventType) -> None:
    """A booking of the reserved slot itself consumes the reservation it names."""
    if not new.reservation_uid:
        return
    reservation = await uow.reservations.get(new.reservation_uid)
    if (
        reservation
        and reservation.event_type_id == event_type.id
        and reservation.slot_start == new.start
    ):
        await uow.reservations.remove(reservation.id)


async def consume_own_reservations(
    uow: UnitOfWork,
    ctx: Context,
    event_type: EventType,
    hosts: list[Host],
    start: datetime,
    duration: int,
) -> None:
    """GET /v2/slots shows an authenticated caller's own reservations as free, so booking over
    one consumes it, as sending its reservationUid would (rolled back if the booking fails)."""
    if ctx.caller is None:
        return
    rules = event_type.rules
    await uow.reservations.release_held_by(
        ctx.caller.id,
        host_ids(hosts),
        start - timedelta(minutes=rules.before_buffer),
        start + timedelta(minutes=duration + rules.after_buffer),
        now=ctx.now,
    )
