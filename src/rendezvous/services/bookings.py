"""Booking use cases: create, cancel, reschedule, confirm, decline, read.

Each function runs inside a write transaction opened by ``services.transactions.run`` (which
also handles idempotency keys and the commit); none of them commits. Outbox rows are written in
the same transaction as the change they report.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from rendezvous.domain import errors
from rendezvous.domain import webhooks as hooks
from rendezvous.domain.accounts import User
from rendezvous.domain.bookings import (
    ACTIVE,
    Attendee,
    Booking,
    blocks_when_pending,
    check_can_change,
    check_pending,
    needs_confirmation,
    occurrences,
    render_title,
)
from rendezvous.domain.bounds import LATEST_YEAR, MAX_OCCURRENCES, recurrence_fits
from rendezvous.domain.event_types import EventType
from rendezvous.services.booking_fields import (
    check_contact,
    check_responses,
    clean_guests,
    guests_of,
    normalize_email,
)
from rendezvous.services.locations import resolve_location
from rendezvous.services.ports import UnitOfWork
from rendezvous.services.slots import (
    Host,
    bookable_slot,
    load_host,
    needs_bookings,
    resolve_hosted,
)


def new_uid() -> str:
    """144 random bits, URL-safe: booking uids are unguessable."""
    return secrets.token_urlsafe(18)


@dataclass(frozen=True, slots=True)
class Context:
    """What every booking use case needs from configuration."""

    now: datetime
    public_url: str
    video_url_template: str
    caller: User | None = None


@dataclass(frozen=True, slots=True)
class NewBooking:
    start: datetime
    attendee: Attendee
    event_type_id: int | None = None
    event_type_slug: str | None = None
    username: str | None = None
    team_slug: str | None = None
    guests: tuple[str, ...] = ()
    location: Mapping[str, Any] | str | None = None  # an object by type, or the string form
    meeting_url: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    length: int | None = None
    responses: Mapping[str, Any] = field(default_factory=dict)
    recurrence_count: int | None = None
    reservation_uid: str | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    """The bookings a use case produced or changed; ``recurring`` asks for an array answer
    (a whole series); ``seat_uid`` is the caller's seat."""

    bookings: list[Booking]
    event_type: EventType | None
    recurring: bool = False
    seat_uid: str | None = None
    known_users: Mapping[int, User] = field(default_factory=dict)  # hosts already loaded


# --- helpers --------------------------------------------------------------------------------


def _hold(event_type: EventType | None, booking: Booking) -> list[tuple[int, datetime, datetime]]:
    """The occupancy a booking holds: its time with the event type's buffers (none when the
    event type has been deleted since)."""
    before = event_type.rules.before_buffer if event_type else 0
    after = event_type.rules.after_buffer if event_type else 0
    start = booking.start - timedelta(minutes=before)
    end = booking.end + timedelta(minutes=after)
    return [(host_id, start, end) for host_id in booking.host_ids]


def _holds_time(booking: Booking, event_type: EventType) -> bool:
    if booking.status == "accepted":
        return True
    return booking.status == "pending" and blocks_when_pending(
        event_type.settings.get("confirmationPolicy")
    )


async def _emit(
    uow: UnitOfWork,
    ctx: Context,
    trigger: str,
    booking: Booking,
    event_type: EventType | None,
    *,
    attendees: Sequence[Attendee] | None = None,
    extra: Mapping[str, Any] | None = None,
    organizer: User | None = None,
) -> None:
    if organizer is None or organizer.id != booking.user_id:
        organizer = await uow.users.get(booking.user_id)
    if organizer is None:  # pragma: no cover - a booking's organizer is never deleted first
        return
    payload = hooks.booking_payload(
        booking,
        event_type=event_type,
        organizer=organizer,
        booker_url=ctx.public_url,
        attendees=attendees,
        extra=extra,
    )
    await uow.outbox.add(
        kind="webhook",
        topic=trigger,
        payload={"triggerEvent": trigger, "payload": payload},
        now=ctx.now,
        user_id=booking.user_id,
        booking_uid=booking.uid,
    )


async def _event_type_or_none(uow: UnitOfWork, booking: Booking) -> EventType | None:
    """The booking's event type; None once it has been deleted (the booking lives on and can
    still be cancelled, confirmed or declined)."""
    return await uow.event_types.get(booking.event_type_id) if booking.event_type_id else None


def _setting(event_type: EventType | None, name: str) -> Any:
    return event_type.settings.get(name) if event_type else None


async def _event_type_of(uow: UnitOfWork, booking: Booking) -> EventType:
    event_type = await _event_type_or_none(uow, booking)
    if event_type is None:
        raise errors.RuleViolation("The event type of this booking no longer exists")
    return event_type


async def find_booking(uow: UnitOfWork, uid: str, *, lock: bool = False) -> Booking:
    booking = await uow.bookings.by_uid(uid, lock=lock)
    if booking is None:
        raise errors.NotFound(f"Booking with uid={uid} not found")
    return booking


async def _retire(uow: UnitOfWork, booking: Booking, ctx: Context, **fields: Any) -> None:
    """Cancel a booking that is still active (compare-and-swap: a concurrent change wins and
    this one fails) and free its time at once."""
    if not await uow.bookings.transition(
        booking.id, from_statuses=ACTIVE, to_status="cancelled", now=ctx.now, **fields
    ):
        raise errors.WrongState(
            "This booking was changed by someone else; it is not active any more"
        )
    await uow.bookings.release(booking.id)


def _is_host(booking: Booking, user: User | None) -> bool:
    return user is not None and (user.id == booking.user_id or user.id in booking.host_ids)


# --- create ---------------------------------------------------------------------------------


async def create(uow: UnitOfWork, new: NewBooking, ctx: Context) -> Outcome:
    if new.event_type_id is None and new.username is None and new.team_slug:
        # No team exists yet, so no team event type can be named by its team's slug.
        raise errors.NotFound(
            f"Event type '{new.event_type_slug}' of team '{new.team_slug}' not found"
        )
    event_type, host = await resolve_hosted(
        uow, event_type_id=new.event_type_id, slug=new.event_type_slug, username=new.username
    )
    settings = event_type.settings
    if settings.get("bookingRequiresAuthentication"):
        if ctx.caller is None:
            raise errors.Forbidden("This event type can only be booked by an authenticated user")
        if ctx.caller.id != event_type.owner_id:
            raise errors.Forbidden("This event type can only be booked by its owner")
    fields = settings.get("bookingFields")
    check_contact(fields, email=new.attendee.email, phone=new.attendee.phone_number)
    # Emails are kept in lower case, as users' are, so that "the bookings I attend" and every
    # comparison of addresses ignore case.
    email = normalize_email(new.attendee.email)
    new = replace(
        new,
        attendee=replace(new.attendee, email=email),
        guests=clean_guests(guests_of(new.guests, new.responses), email),
    )
    if new.guests and (settings.get("disableGuests") or event_type.is_seated):
        raise errors.InvalidInput("This event type does not allow guests", {"fields": ["guests"]})
    responses = check_responses(new.responses, fields)
    if needs_bookings(event_type.rules):
        # Limits and seats are checks no constraint enforces: one writer per host at a time.
        await uow.lock_hosts([host.user.id])
    length = event_type.rules.length if new.length is None else new.length

    if new.reservation_uid:
        reservation = await uow.reservations.get(new.reservation_uid)
        # Only a booking of the reserved slot itself consumes the hold.
        if (
            reservation
            and reservation.event_type_id == event_type.id
            and reservation.slot_start == new.start
        ):
            await uow.reservations.remove(reservation.id)  # the booking consumes the hold
    await _consume_own_reservations(uow, ctx, event_type, host, new.start, length)

    starts = [new.start]
    recurrence: Mapping[str, Any] = settings.get("recurrence") or {}
    recurring = bool(recurrence) and not recurrence.get("disabled")
    if recurring:
        # min(): an event type stored before occurrences were bounded cannot ask for more.
        limit = min(int(recurrence["occurrences"]), MAX_OCCURRENCES)
        count = new.recurrence_count or limit
        if count > limit:
            raise errors.InvalidInput(
                f"recurrenceCount may be at most {limit}", {"fields": ["recurrenceCount"]}
            )
        frequency, interval = str(recurrence["frequency"]), int(recurrence.get("interval", 1))
        if not recurrence_fits(new.start.year, frequency, interval, count):
            raise errors.InvalidInput(
                f"{count} occurrences every {interval} {frequency} would end after the year "
                f"{LATEST_YEAR}; book fewer",
                {"fields": ["recurrenceCount"]},
            )
        # The series keeps the first occurrence's wall-clock time in the attendee's zone, as
        # Cal.com's API v2 does (luxon setZone(attendee.timeZone).plus({weeks})): the host's
        # profile zone plays no part in scheduling.
        starts = occurrences(
            new.start,
            frequency=frequency,
            interval=interval,
            count=count,
            time_zone=new.attendee.time_zone,
        )

    if event_type.is_seated:
        if recurring:
            # Cal.com compat: seats and recurrence together are refused (event types cannot be
            # saved that way here either).
            raise errors.RuleViolation("Seated recurring event types cannot be booked")
        return await _take_seat(uow, new, ctx, event_type, host, length, responses)

    recurring_uid = new_uid() if recurring else None
    created: list[Booking] = []
    for start in starts:
        await bookable_slot(uow, event_type, host, start, now=ctx.now, duration=length)
        booking = _draft(
            new, ctx, event_type, host, start, length, responses, recurring_uid=recurring_uid
        )
        hold = _hold(event_type, booking) if _holds_time(booking, event_type) else []
        created.append(await uow.bookings.add(booking, hold=hold, now=ctx.now))
    for booking in created:
        trigger = hooks.BOOKING_REQUESTED if booking.status == "pending" else hooks.BOOKING_CREATED
        await _emit(uow, ctx, trigger, booking, event_type, organizer=host.user)
    return Outcome(created, event_type, recurring=recurring, known_users={host.user.id: host.user})


async def _consume_own_reservations(
    uow: UnitOfWork,
    ctx: Context,
    event_type: EventType,
    host: Host,
    start: datetime,
    length: int,
) -> None:
    """GET /v2/slots shows an authenticated caller's own reservations as free, so booking over
    one consumes it, as sending its reservationUid would (rolled back if the booking fails)."""
    if ctx.caller is None:
        return
    rules = event_type.rules
    await uow.reservations.release_held_by(
        ctx.caller.id,
        [host.user.id],
        start - timedelta(minutes=rules.before_buffer),
        start + timedelta(minutes=length + rules.after_buffer),
        now=ctx.now,
    )


def _draft(
    new: NewBooking,
    ctx: Context,
    event_type: EventType,
    host: Host,
    start: datetime,
    length: int,
    responses: Mapping[str, Any],
    *,
    recurring_uid: str | None = None,
    seat_uid: str | None = None,
    uid: str | None = None,
) -> Booking:
    uid = uid or new_uid()
    settings = event_type.settings
    location = resolve_location(
        new.location,
        settings.get("locations"),
        uid=uid,
        video_url_template=ctx.video_url_template,
        meeting_url=new.meeting_url,
    )
    organizer = host.user.name or host.user.username
    attendee = replace(new.attendee, seat_uid=seat_uid, created_at=ctx.now)
    all_responses = {
        "name": attendee.name,
        "email": attendee.email,
        **({"guests": list(new.guests)} if new.guests else {}),
        **responses,
    }
    status = (
        "pending"
        if needs_confirmation(settings.get("confirmationPolicy"), start=start, now=ctx.now)
        else "accepted"
    )
    guests = tuple(
        Attendee(name=g, email=g, time_zone=attendee.time_zone, created_at=ctx.now)
        for g in new.guests
    )
    if seat_uid:
        attendee = replace(attendee, responses=all_responses, metadata=dict(new.metadata))
    return Booking(
        id=0,
        uid=uid,
        user_id=host.user.id,
        event_type_id=event_type.id,
        title=str(responses.get("title") or "")
        or render_title(
            settings.get("customName"),
            event_title=event_type.title,
            organizer=organizer,
            scheduler=attendee.name,
            location=location,
            duration=length,
        ),
        description=str(responses.get("notes") or ""),
        status=status,  # type: ignore[arg-type]
        start=start,
        end=start + timedelta(minutes=length),
        location=location,
        meeting_url=location if location.startswith(("http://", "https://")) else None,
        metadata=dict(new.metadata),
        responses=all_responses,
        guests=list(new.guests),
        ics_uid=f"{uid}@rendezvous",
        recurring_uid=recurring_uid,
        seated=seat_uid is not None,
        created_at=ctx.now,
        updated_at=ctx.now,
        attendees=(attendee, *guests),
        host_ids=(host.user.id,),
    )


async def _take_seat(
    uow: UnitOfWork,
    new: NewBooking,
    ctx: Context,
    event_type: EventType,
    host: Host,
    length: int,
    responses: Mapping[str, Any],
    *,
    trigger: str | None = None,
    extra: Mapping[str, Any] | None = None,
    rescheduled_from: str | None = None,
) -> Outcome:
    """Book a seat: join the seated booking at this start, or open it. Seats are counted under
    the booking's row lock, so concurrent attendees cannot overfill it."""
    await bookable_slot(uow, event_type, host, new.start, now=ctx.now, duration=length)
    seat_uid = new_uid()
    existing = await uow.bookings.seated_at(event_type.id, new.start, lock=True)
    if existing is None:
        booking = _draft(
            new, ctx, event_type, host, new.start, length, responses, seat_uid=seat_uid
        )
        booking = replace(booking, rescheduled_from_uid=rescheduled_from)
        hold = _hold(event_type, booking) if _holds_time(booking, event_type) else []
        booking = await uow.bookings.add(booking, hold=hold, now=ctx.now)
    else:
        seats = event_type.rules.seats_per_slot or 0
        taken_length = round((existing.end - existing.start).total_seconds() / 60)
        # Asking for another length is refused; asking for none joins the seats as they are.
        if new.length is not None and taken_length != length:
            raise errors.RuleViolation(
                f"The seats at this time are booked for {taken_length} minutes; "
                f"a {length}-minute seat cannot join them"
            )
        if len(existing.attendees) >= seats:
            raise errors.SeatsFull("Every seat of this time slot is taken")
        email = new.attendee.email.casefold()
        if email and any(a.email.casefold() == email for a in existing.attendees):
            raise errors.Conflict(f"{new.attendee.email} already has a seat at this time")
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
    if trigger is None:
        trigger = hooks.BOOKING_REQUESTED if booking.status == "pending" else hooks.BOOKING_CREATED
    await _emit(uow, ctx, trigger, booking, event_type, attendees=mine, extra=extra)
    return Outcome([booking], event_type, seat_uid=seat_uid)


# --- read -----------------------------------------------------------------------------------


async def get(uow: UnitOfWork, uid: str) -> Outcome:
    """A booking by uid, or every occurrence of a recurring booking by its recurring uid."""
    booking = await uow.bookings.by_uid(uid)
    if booking is not None:
        event_type = (
            await uow.event_types.get(booking.event_type_id) if booking.event_type_id else None
        )
        return Outcome([booking], event_type)
    series = await uow.bookings.by_recurring_uid(uid)
    if not series:
        raise errors.NotFound(f"Booking with uid={uid} not found")
    event_type = (
        await uow.event_types.get(series[0].event_type_id) if series[0].event_type_id else None
    )
    return Outcome(series, event_type, recurring=True)


# --- cancel ---------------------------------------------------------------------------------


async def cancel(
    uow: UnitOfWork,
    uid: str,
    ctx: Context,
    *,
    reason: str | None = None,
    seat_uid: str | None = None,
    subsequent: bool = False,
) -> Outcome:
    booking = await uow.bookings.by_uid(uid, lock=True)
    if booking is None:
        series = await uow.bookings.by_recurring_uid(uid)
        if not series:
            raise errors.NotFound(f"Booking with uid={uid} not found")
        targets = [b for b in series if b.active]
        if not targets:
            raise errors.WrongState("Every occurrence of this booking is already cancelled")
        event_type = await _event_type_or_none(uow, series[0])
        done = [await _cancel_one(uow, b, event_type, ctx, reason) for b in targets]
        return Outcome(done, event_type, recurring=True)

    event_type = await _event_type_or_none(uow, booking)
    if seat_uid and not booking.seated:
        raise errors.InvalidInput(
            "seatUid applies to seated bookings only; this booking has no seats",
            {"fields": ["seatUid"]},
        )
    if booking.seated:
        if seat_uid:
            return await _cancel_seat(uow, booking, event_type, ctx, seat_uid, reason)
        if not _is_host(booking, ctx.caller):
            raise errors.InvalidInput(
                "seatUid is required to cancel a seat; only a host may cancel every seat",
                {"fields": ["seatUid"]},
            )
    targets = [booking]
    if subsequent and booking.recurring_uid:
        later = await uow.bookings.by_recurring_uid(booking.recurring_uid)
        targets += [b for b in later if b.start > booking.start and b.active]
    done = [await _cancel_one(uow, b, event_type, ctx, reason) for b in targets]
    return Outcome(done, event_type, recurring=booking.recurring_uid is not None and subsequent)


async def _cancel_one(
    uow: UnitOfWork,
    booking: Booking,
    event_type: EventType | None,
    ctx: Context,
    reason: str | None,
) -> Booking:
    check_can_change(
        booking, action="cancel", setting=_setting(event_type, "disableCancelling"), now=ctx.now
    )
    by = (
        ctx.caller.email
        if ctx.caller
        else (booking.attendees[0].email if booking.attendees else None)
    )
    await _retire(
        uow,
        booking,
        ctx,
        cancellation_reason=reason,
        cancelled_by_email=by,
    )
    cancelled = await find_booking(uow, booking.uid)
    await _emit(
        uow,
        ctx,
        hooks.BOOKING_CANCELLED,
        cancelled,
        event_type,
        extra={
            "cancellationReason": reason or "",
            "cancelledBy": by or "",
            "requestReschedule": False,
        },
    )
    return cancelled


async def _cancel_seat(
    uow: UnitOfWork,
    booking: Booking,
    event_type: EventType | None,
    ctx: Context,
    seat_uid: str,
    reason: str | None,
) -> Outcome:
    check_can_change(
        booking, action="cancel", setting=_setting(event_type, "disableCancelling"), now=ctx.now
    )
    seat = [a for a in booking.attendees if a.seat_uid == seat_uid]
    if not seat:
        raise errors.NotFound(f"Seat with uid={seat_uid} not found in booking {booking.uid}")
    if len(booking.attendees) == 1:
        return Outcome([await _cancel_one(uow, booking, event_type, ctx, reason)], event_type)
    await uow.bookings.remove_seat(booking.id, seat_uid)
    await uow.bookings.touch(booking.id, ctx.now)
    await _emit(
        uow,
        ctx,
        hooks.BOOKING_CANCELLED,
        replace(booking, status="cancelled"),
        event_type,
        attendees=seat,
        extra={"cancellationReason": reason or "", "cancelledBy": seat[0].email},
    )
    return Outcome([await find_booking(uow, booking.uid)], event_type)


# --- reschedule -----------------------------------------------------------------------------


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
    event_type = await _event_type_of(uow, old)
    check_can_change(
        old,
        action="reschedule",
        setting=event_type.settings.get("disableRescheduling"),
        now=ctx.now,
    )
    host = await load_host(uow, event_type)
    if needs_bookings(event_type.rules):
        await uow.lock_hosts([host.user.id])
    await _consume_own_reservations(uow, ctx, event_type, host, start, old.duration)
    if old.seated:
        return await _move_seat(
            uow, old, event_type, host, start, ctx, seat_uid, reason, rescheduled_by
        )
    await bookable_slot(
        uow, event_type, host, start, now=ctx.now, duration=old.duration, ignore_booking_uid=old.uid
    )
    new_uid_ = new_uid()
    await _retire(
        uow,
        old,
        ctx,
        rescheduled_to_uid=new_uid_,
        rescheduling_reason=reason,
        rescheduled_by_email=rescheduled_by,
    )
    status = (
        "pending"
        if needs_confirmation(
            event_type.settings.get("confirmationPolicy"), start=start, now=ctx.now
        )
        else "accepted"
    )
    if (
        status == "pending"
        and rescheduled_by
        and rescheduled_by.lower() == host.user.email
        and ctx.caller is not None
        and ctx.caller.id == host.user.id
    ):
        # The owner moving their own booking needs no confirmation. Cal.com compat: Cal.com
        # believes the rescheduledBy address alone; here the caller must be authenticated as
        # that owner — a typed address proves nothing (issue 9 item 1).
        status = "accepted"
    new = replace(
        old,
        id=0,
        uid=new_uid_,
        status=status,  # type: ignore[arg-type]
        start=start,
        end=start + timedelta(minutes=old.duration),
        ics_uid=f"{new_uid_}@rendezvous",
        rescheduled_from_uid=old.uid,
        rescheduled_to_uid=None,
        rescheduling_reason=reason,
        rescheduled_by_email=rescheduled_by,
        cancellation_reason=None,
        cancelled_by_email=None,
        created_at=ctx.now,
        updated_at=ctx.now,
        meeting_url=old.meeting_url,
    )
    hold = _hold(event_type, new) if _holds_time(new, event_type) else []
    created = await uow.bookings.add(new, hold=hold, now=ctx.now)
    await _emit(
        uow,
        ctx,
        hooks.BOOKING_RESCHEDULED,
        created,
        event_type,
        extra={
            "rescheduleId": old.id,
            "rescheduleUid": old.uid,
            "rescheduleStartTime": hooks.iso(old.start),
            "rescheduleEndTime": hooks.iso(old.end),
            "rescheduledBy": rescheduled_by or "",
        },
    )
    return Outcome([created], event_type)


async def _move_seat(
    uow: UnitOfWork,
    old: Booking,
    event_type: EventType,
    host: Host,
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
    if len(old.attendees) == 1:
        await _retire(
            uow,
            old,
            ctx,
            rescheduling_reason=reason,
            rescheduled_by_email=rescheduled_by,
        )
    else:
        await uow.bookings.remove_seat(old.id, seat_uid)
        await uow.bookings.touch(old.id, ctx.now)
    moved = NewBooking(
        start=start,
        attendee=replace(seat, seat_uid=None),
        event_type_id=event_type.id,
        responses={k: v for k, v in seat.responses.items() if k not in ("name", "email")},
        metadata=seat.metadata,
    )
    outcome = await _take_seat(
        uow,
        moved,
        ctx,
        event_type,
        host,
        old.duration,
        moved.responses,
        trigger=hooks.BOOKING_RESCHEDULED,
        extra={
            "rescheduleId": old.id,
            "rescheduleUid": old.uid,
            "rescheduleStartTime": hooks.iso(old.start),
            "rescheduleEndTime": hooks.iso(old.end),
            "rescheduledBy": rescheduled_by or "",
        },
        rescheduled_from=old.uid,
    )
    if len(old.attendees) == 1:
        await uow.bookings.transition(
            old.id,
            from_statuses=("cancelled",),
            to_status="cancelled",
            now=ctx.now,
            rescheduled_to_uid=outcome.bookings[0].uid,
        )
    return outcome


# --- confirm / decline ----------------------------------------------------------------------


async def _pending_for_host(uow: UnitOfWork, uid: str, ctx: Context, action: str) -> Booking:
    booking = await find_booking(uow, uid, lock=True)
    if not _is_host(booking, ctx.caller):
        mine = ctx.caller.attendee_email() if ctx.caller else None
        if mine and any(a.email == mine for a in booking.attendees):
            raise errors.Forbidden(f"Only a host of this booking can {action} it")
        raise errors.NotFound(f"Booking with uid={uid} not found")
    check_pending(booking, "confirmed" if action == "confirm" else "declined")
    return booking


async def confirm(uow: UnitOfWork, uid: str, ctx: Context) -> Outcome:
    booking = await _pending_for_host(uow, uid, ctx, "confirm")
    event_type = await _event_type_or_none(uow, booking)
    if not await uow.bookings.holds_time(booking.id):
        # A pending booking that did not block its time (decided by its own rows, not by the
        # event type's current setting) takes it now, or fails with 409 — checked here for
        # SQLite; PostgreSQL's exclusion constraint also refuses it.
        hold = _hold(event_type, booking)
        for host_id, start, end in hold:
            if await uow.occupancy.overlapping([host_id], start, end, now=ctx.now):
                raise errors.SlotTaken("The time of this booking has been taken meanwhile")
        await uow.bookings.hold(booking.id, hold, now=ctx.now)
    if not await uow.bookings.transition(
        booking.id, from_statuses=("pending",), to_status="accepted", now=ctx.now
    ):
        raise errors.WrongState("This booking is no longer pending")
    confirmed = await find_booking(uow, uid)
    # Cal.com compat: confirming fires BOOKING_CREATED (as Cal.com does) and BOOKING_CONFIRMED.
    await _emit(uow, ctx, hooks.BOOKING_CONFIRMED, confirmed, event_type)
    await _emit(uow, ctx, hooks.BOOKING_CREATED, confirmed, event_type)
    return Outcome([confirmed], event_type)


async def decline(uow: UnitOfWork, uid: str, ctx: Context, *, reason: str | None) -> Outcome:
    booking = await _pending_for_host(uow, uid, ctx, "decline")
    event_type = await _event_type_or_none(uow, booking)
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
    await _emit(
        uow,
        ctx,
        hooks.BOOKING_REJECTED,
        declined,
        event_type,
        extra={"rejectionReason": reason or ""},
    )
    return Outcome([declined], event_type)
