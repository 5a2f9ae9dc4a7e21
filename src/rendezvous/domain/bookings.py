"""Bookings: their state, the rules of changing it, titles, confirmation and recurrence."""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from rendezvous.domain import errors
from rendezvous.domain.event_type_settings import ChangePolicy

Status = Literal["accepted", "pending", "cancelled", "rejected"]
ACTIVE: tuple[Status, ...] = ("accepted", "pending")


@dataclass(frozen=True, slots=True)
class Attendee:
    name: str
    email: str
    time_zone: str
    language: str = "en"
    phone_number: str | None = None
    seat_uid: str | None = None
    responses: Mapping[str, Any] = field(default_factory=dict)
    metadata: Mapping[str, Any] = field(default_factory=dict)
    absent: bool = False
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Booking:
    id: int
    uid: str
    user_id: int
    event_type_id: int | None
    title: str
    status: Status
    start: datetime
    end: datetime
    created_at: datetime
    updated_at: datetime
    ics_uid: str
    # RFC 5545 §3.8.7.4 SEQUENCE of the calendar event: each reschedule counts one more.
    ics_sequence: int = 0
    description: str = ""
    location: str = ""
    meeting_url: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    responses: Mapping[str, Any] = field(default_factory=dict)
    guests: Sequence[str] = ()
    recurring_uid: str | None = None
    seated: bool = False
    absent_host: bool = False
    cancellation_reason: str | None = None
    cancelled_by_email: str | None = None
    rejection_reason: str | None = None
    rescheduling_reason: str | None = None
    rescheduled_by_email: str | None = None
    rescheduled_from_uid: str | None = None
    rescheduled_to_uid: str | None = None
    # Why a round-robin booking went to its host (``hosts.choose_round_robin``).
    assignment_reason: str | None = None
    attendees: tuple[Attendee, ...] = ()
    host_ids: tuple[int, ...] = ()

    @property
    def duration(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)

    @property
    def active(self) -> bool:
        return self.status in ACTIVE


def default_title(event_title: str, organizer: str, scheduler: str) -> str:
    return f"{event_title} between {organizer} and {scheduler}"


def render_title(
    template: str | None,
    *,
    event_title: str,
    organizer: str,
    scheduler: str,
    location: str = "",
    duration: int = 0,
) -> str:
    """Cal.com's ``customName`` variables; an empty template gives the default title."""
    if not template:
        return default_title(event_title, organizer, scheduler)
    scheduler_first, _, scheduler_last = scheduler.partition(" ")
    values = {
        "{Event type title}": event_title,
        "{Event title}": event_title,
        "{Organiser}": organizer,
        "{Organizer}": organizer,
        "{HOST}": organizer,
        "{Organiser first name}": organizer.partition(" ")[0],
        "{Scheduler}": scheduler,
        "{ATTENDEE}": scheduler,
        "{Scheduler first name}": scheduler_first,
        "{Scheduler last name}": scheduler_last,
        "{Location}": location,
        "{LOCATION}": location,
        "{Event duration}": f"{duration} mins",
    }
    title = template
    for key, value in values.items():
        title = title.replace(key, value)
    return title.strip() or default_title(event_title, organizer, scheduler)


def _add_months(day: date, months: int) -> date | None:
    """The same day-of-month ``months`` later, or None when that month has no such day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    if day.day > calendar.monthrange(year, month)[1]:
        return None
    return day.replace(year=year, month=month)


def occurrences(
    first: datetime,
    *,
    frequency: str,
    interval: int,
    count: int,
    time_zone: str,
) -> list[datetime]:
    """Starts of a recurring booking (RFC 5545 FREQ/INTERVAL/COUNT), keeping the wall-clock
    time of the first one in ``time_zone`` so a weekly 09:00 stays 09:00 across DST.
    Monthly/yearly dates that do not exist (31 February) are skipped, as RFC 5545 §3.3.10 says."""
    tz = ZoneInfo(time_zone)
    local = first.astimezone(tz)
    starts: list[datetime] = []
    step = 0
    while len(starts) < count and step < count * 20:
        day: date | None
        if frequency == "weekly":
            day = local.date() + timedelta(weeks=step * interval)
        elif frequency == "monthly":
            day = _add_months(local.date(), step * interval)
        elif frequency == "yearly":
            day = _add_months(local.date(), step * interval * 12)
        else:
            raise errors.InvalidInput(f"Unknown recurrence frequency {frequency!r}")
        step += 1
        if day is None:
            continue
        moment = datetime.combine(day, local.timetz().replace(tzinfo=None), tz)
        starts.append(moment.astimezone(first.tzinfo))
    return starts


def check_can_change(
    booking: Booking,
    *,
    action: Literal["cancel", "reschedule"],
    policy: ChangePolicy | None,
    now: datetime,
) -> None:
    """Whether the booking can be cancelled or rescheduled: it is still active, and the event
    type's ``policy`` (``disableCancelling`` / ``disableRescheduling``) allows it now.
    Raises WrongState or RuleViolation."""
    if booking.status in ("cancelled", "rejected"):
        verb = "cancelled" if action == "cancel" else "rescheduled"
        raise errors.WrongState(f"A {booking.status} booking cannot be {verb}")
    if policy is not None:
        minutes_before = policy.minutes_before
        if minutes_before is None or booking.start - now < timedelta(minutes=minutes_before):
            what = "Cancelling" if action == "cancel" else "Rescheduling"
            detail = f" within {minutes_before} minutes of the start" if minutes_before else ""
            raise errors.RuleViolation(f"{what} is disabled for this event type{detail}")


def check_pending(booking: Booking, action: str) -> None:
    if booking.status != "pending":
        raise errors.WrongState(
            f"Only a pending booking can be {action}; this one is {booking.status}"
        )


@dataclass(frozen=True, slots=True)
class BookingFilters:
    """GET /v2/bookings filters, already parsed (contract §3.3)."""

    statuses: tuple[str, ...] = ()
    attendee_email: str | None = None
    attendee_name: str | None = None
    booking_uid: str | None = None
    event_type_ids: tuple[int, ...] = ()
    team_ids: tuple[int, ...] = ()
    after_start: datetime | None = None
    before_end: datetime | None = None
    after_created: datetime | None = None
    before_created: datetime | None = None
    after_updated: datetime | None = None
    before_updated: datetime | None = None
    # (column, "asc"|"desc") in priority order; column ∈ start, end, created, updated
    sort: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class StoredResponse:
    """The first response given to an idempotency key."""

    request_hash: str
    status_code: int
    response: dict[str, Any]
