"""The pure decisions of writing a booking: who may book, which starts a request books, the
booking drafted for a start, the time it holds, the booking a reschedule writes and whether a
seat can join a seated booking. No I/O, no clock (``now`` is a parameter), no random numbers
(uids are parameters)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from rendezvous.domain import errors
from rendezvous.domain.accounts import User
from rendezvous.domain.bookings import (
    Attendee,
    Booking,
    Status,
    occurrences,
    render_title,
)
from rendezvous.domain.bounds import LATEST_YEAR, MAX_OCCURRENCES, recurrence_fits
from rendezvous.domain.event_types import EventType
from rendezvous.domain.locations import resolve_location

# One stretch of a host's time a booking holds: (host id, start, end), buffers included.
HeldSpan = tuple[int, datetime, datetime]


@dataclass(frozen=True, slots=True)
class NewBooking:
    """A booking request as the booker sent it (the API's create input, parsed)."""

    start: datetime
    attendee: Attendee
    event_type_id: int | None = None
    event_type_slug: str | None = None
    username: str | None = None
    team_slug: str | None = None
    organization_slug: str | None = None
    guests: tuple[str, ...] = ()
    location: Mapping[str, Any] | str | None = None  # an object by type, or the string form
    meeting_url: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    duration: int | None = None  # minutes asked for (lengthInMinutes); None: the default
    responses: Mapping[str, Any] = field(default_factory=dict)
    recurrence_count: int | None = None
    reservation_uid: str | None = None


def check_booker(event_type: EventType, caller_id: int | None) -> None:
    """Who may book the event type (``caller_id`` None: anonymous); raises Forbidden."""
    if event_type.booking.requires_authentication:
        if caller_id is None:
            raise errors.Forbidden("This event type can only be booked by an authenticated user")
        if caller_id != event_type.owner_id:
            raise errors.Forbidden("This event type can only be booked by its owner")


def check_guests(event_type: EventType, guests: Sequence[str]) -> None:
    """Guests may come along unless the event type disables them or is seated; InvalidInput."""
    if guests and (event_type.booking.guests_disabled or event_type.is_seated):
        raise errors.InvalidInput("This event type does not allow guests", {"fields": ["guests"]})


def is_recurring(event_type: EventType) -> bool:
    return event_type.booking.recurrence is not None


def series_starts(
    event_type: EventType, start: datetime, count: int | None, *, time_zone: str
) -> list[datetime]:
    """The starts one request books: ``start`` alone, or every occurrence of a recurring event
    type (``count`` of them, at most its stored occurrences), keeping the wall-clock time of
    ``start`` in ``time_zone`` (the attendee's).
    Raises InvalidInput for a count over the limit or a series ending past the supported year."""
    recurrence = event_type.booking.recurrence
    if recurrence is None:
        return [start]
    # min(): an event type stored before occurrences were bounded cannot ask for more.
    limit = min(recurrence.occurrences, MAX_OCCURRENCES)
    count = count or limit
    if count > limit:
        raise errors.InvalidInput(
            f"recurrenceCount may be at most {limit}", {"fields": ["recurrenceCount"]}
        )
    frequency, interval = recurrence.frequency, recurrence.interval
    if not recurrence_fits(start.year, frequency, interval, count):
        raise errors.InvalidInput(
            f"{count} occurrences every {interval} {frequency} would end after the year "
            f"{LATEST_YEAR}; book fewer",
            {"fields": ["recurrenceCount"]},
        )
    return occurrences(
        start, frequency=frequency, interval=interval, count=count, time_zone=time_zone
    )


def held_spans(event_type: EventType | None, booking: Booking) -> list[HeldSpan]:
    """The time a booking holds for each of its hosts: its own time widened by the event
    type's buffers (none when the event type has been deleted since)."""
    before = event_type.rules.before_buffer if event_type else 0
    after = event_type.rules.after_buffer if event_type else 0
    start = booking.start - timedelta(minutes=before)
    end = booking.end + timedelta(minutes=after)
    return [(host_id, start, end) for host_id in booking.host_ids]


def holds_time(booking: Booking, event_type: EventType) -> bool:
    """Whether a new booking holds its time: accepted ones do, pending ones only when the
    event type blocks unconfirmed bookings."""
    if booking.status == "accepted":
        return True
    policy = event_type.booking.confirmation
    return booking.status == "pending" and policy is not None and policy.blocks_unconfirmed


def hold_of(event_type: EventType, booking: Booking) -> list[HeldSpan]:
    """What a new booking writes as held time: ``held_spans`` if it holds time, else none."""
    return held_spans(event_type, booking) if holds_time(booking, event_type) else []


def initial_status(event_type: EventType, start: datetime, now: datetime) -> Status:
    policy = event_type.booking.confirmation
    return "pending" if policy and policy.needs_confirmation(start, now) else "accepted"


@dataclass(frozen=True, slots=True)
class Draft:
    """What a booking is drafted from besides the request: the new uid, the instant it is
    made, how video locations become URLs, and the host(s) it is booked with."""

    uid: str
    now: datetime
    video_url_template: str
    hosts: Sequence[User]


def _title(
    event_type: EventType,
    responses: Mapping[str, Any],
    organizer: User,
    scheduler: str,
    location: str,
    duration: int,
) -> str:
    """The booker's own title, else the event type's custom name rendered, else the default."""
    return str(responses.get("title") or "") or render_title(
        event_type.booking.custom_name,
        event_title=event_type.title,
        organizer=organizer.name or organizer.username,
        scheduler=scheduler,
        location=location,
        duration=duration,
    )


def draft_booking(
    new: NewBooking,
    draft: Draft,
    event_type: EventType,
    start: datetime,
    duration: int,
    responses: Mapping[str, Any],
    *,
    recurring_uid: str | None = None,
    seat_uid: str | None = None,
) -> Booking:
    """The booking ``new`` makes at ``start`` for ``duration`` minutes (id 0: not stored yet);
    its organizer is the first host. Raises InvalidInput for a location the event type does
    not offer."""
    uid, now, organizer_user = draft.uid, draft.now, draft.hosts[0]
    location = resolve_location(
        new.location,
        event_type.booking.locations,
        uid=uid,
        video_url_template=draft.video_url_template,
        meeting_url=new.meeting_url,
    )
    attendee = replace(new.attendee, seat_uid=seat_uid, created_at=now)
    all_responses = {
        "name": attendee.name,
        "email": attendee.email,
        **({"guests": list(new.guests)} if new.guests else {}),
        **responses,
    }
    guests = tuple(
        Attendee(name=g, email=g, time_zone=attendee.time_zone, created_at=now) for g in new.guests
    )
    if seat_uid:
        attendee = replace(attendee, responses=all_responses, metadata=dict(new.metadata))
    title = _title(event_type, responses, organizer_user, attendee.name, location, duration)
    return Booking(
        id=0,
        uid=uid,
        user_id=organizer_user.id,
        event_type_id=event_type.id,
        title=title,
        description=str(responses.get("notes") or ""),
        status=initial_status(event_type, start, now),
        start=start,
        end=start + timedelta(minutes=duration),
        location=location,
        meeting_url=location if location.startswith(("http://", "https://")) else None,
        metadata=dict(new.metadata),
        responses=all_responses,
        guests=list(new.guests),
        ics_uid=f"{uid}@rendezvous",
        recurring_uid=recurring_uid,
        seated=seat_uid is not None,
        created_at=now,
        updated_at=now,
        attendees=(attendee, *guests),
        host_ids=tuple(h.id for h in draft.hosts),
    )


def check_seat_joinable(
    existing: Booking,
    *,
    seats: int,
    duration: int,
    asked_duration: int | None,
    email: str,
) -> None:
    """Whether a new attendee (``email``) can join the seated booking ``existing``: same
    duration (when one is asked for), a free seat, not already seated. Raises RuleViolation,
    SeatsFull or Conflict."""
    taken_duration = round((existing.end - existing.start).total_seconds() / 60)
    # Asking for another duration is refused; asking for none joins the seats as they are.
    if asked_duration is not None and taken_duration != duration:
        raise errors.RuleViolation(
            f"The seats at this time are booked for {taken_duration} minutes; "
            f"a {duration}-minute seat cannot join them"
        )
    if len(existing.attendees) >= seats:
        raise errors.SeatsFull("Every seat of this time slot is taken")
    folded = email.casefold()
    if folded and any(a.email.casefold() == folded for a in existing.attendees):
        raise errors.Conflict(f"{email} already has a seat at this time")


def rescheduled_booking(
    old: Booking,
    event_type: EventType,
    start: datetime,
    *,
    uid: str,
    now: datetime,
    reason: str | None,
    rescheduled_by: str | None,
    owner: User,
    caller_id: int | None,
) -> Booking:
    """The booking that replaces ``old`` at ``start`` (same duration), pending when the event
    type asks for confirmation unless its owner, authenticated, moves it."""
    status = initial_status(event_type, start, now)
    if (
        status == "pending"
        and rescheduled_by
        and rescheduled_by.lower() == owner.email
        and caller_id is not None
        and caller_id == owner.id
    ):
        # The owner moving their own booking needs no confirmation. Cal.com compat: Cal.com
        # believes the rescheduledBy address alone; here the caller must be authenticated as
        # that owner — a typed address proves nothing (issue 9 item 1).
        status = "accepted"
    return replace(
        old,
        id=0,
        uid=uid,
        status=status,
        start=start,
        end=start + timedelta(minutes=old.duration),
        # The calendar event moves rather than a second one appearing: same UID, next SEQUENCE
        # (RFC 5546 §2.1.4); Cal.com keeps iCalUID across a reschedule too.
        ics_uid=old.ics_uid,
        ics_sequence=old.ics_sequence + 1,
        rescheduled_from_uid=old.uid,
        rescheduled_to_uid=None,
        rescheduling_reason=reason,
        rescheduled_by_email=rescheduled_by,
        cancellation_reason=None,
        cancelled_by_email=None,
        created_at=now,
        updated_at=now,
        meeting_url=old.meeting_url,
    )
