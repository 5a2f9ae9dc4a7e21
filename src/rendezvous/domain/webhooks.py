"""Webhook triggers and the booking payload subscribers receive (contract §8.2)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from rendezvous.domain.accounts import User
from rendezvous.domain.bookings import Attendee, Booking
from rendezvous.domain.event_types import EventType

BOOKING_CREATED = "BOOKING_CREATED"
BOOKING_REQUESTED = "BOOKING_REQUESTED"
BOOKING_CANCELLED = "BOOKING_CANCELLED"
BOOKING_RESCHEDULED = "BOOKING_RESCHEDULED"
BOOKING_CONFIRMED = "BOOKING_CONFIRMED"
BOOKING_REJECTED = "BOOKING_REJECTED"


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _utc_offset(zone: str, at: datetime) -> int:
    offset = at.astimezone(ZoneInfo(zone)).utcoffset()
    return int(offset.total_seconds() // 60) if offset else 0


def _person(attendee: Attendee, at: datetime) -> dict[str, Any]:
    first, _, last = attendee.name.partition(" ")
    person: dict[str, Any] = {
        "name": attendee.name,
        "email": attendee.email,
        "firstName": first,
        "lastName": last,
        "timeZone": attendee.time_zone,
        "language": {"locale": attendee.language},
        "utcOffset": _utc_offset(attendee.time_zone, at),
    }
    if attendee.phone_number:
        person["phoneNumber"] = attendee.phone_number
    return person


def _responses(booking: Booking) -> dict[str, Any]:
    """Cal.com's labelled responses: name and email first, then every other response."""
    responses: dict[str, Any] = {
        "name": {
            "label": "your_name",
            "value": booking.responses.get("name", ""),
            "isHidden": False,
        },
        "email": {
            "label": "email_address",
            "value": booking.responses.get("email", ""),
            "isHidden": False,
        },
    }
    for key, value in booking.responses.items():
        if key not in responses:
            responses[key] = {"label": key, "value": value}
    return responses


def _organizer(organizer: User, at: datetime) -> dict[str, Any]:
    return {
        "id": organizer.id,
        "name": organizer.name or organizer.username,
        "email": organizer.email,
        "username": organizer.username,
        "timeZone": organizer.time_zone,
        "timeFormat": "h:mma" if organizer.time_format == 12 else "HH:mm",
        "language": {"locale": organizer.locale or "en"},
        "utcOffset": _utc_offset(organizer.time_zone, at),
    }


def booking_payload(
    booking: Booking,
    *,
    event_type: EventType | None,
    organizer: User,
    booker_url: str,
    attendees: Sequence[Attendee] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The ``payload`` object of a booking trigger; statuses are upper-case as Cal.com sends
    them. ``attendees`` narrows the list (a seated event reports only the seat concerned)."""
    settings = event_type.settings if event_type else {}
    responses = _responses(booking)
    custom = {k: v for k, v in responses.items() if k not in ("name", "email", "guests", "notes")}
    payload: dict[str, Any] = {
        "bookerUrl": booker_url,
        "type": event_type.slug if event_type else "",
        "title": booking.title,
        "description": booking.description,
        "additionalNotes": booking.description,
        "customInputs": {},
        "startTime": iso(booking.start),
        "endTime": iso(booking.end),
        "organizer": _organizer(organizer, booking.start),
        "attendees": [_person(a, booking.start) for a in (attendees or booking.attendees)],
        "responses": responses,
        "userFieldsResponses": custom,
        "location": booking.location,
        "destinationCalendar": None,
        "eventTypeId": booking.event_type_id,
        "uid": booking.uid,
        "bookingId": booking.id,
        "iCalUID": booking.ics_uid,
        "iCalSequence": booking.ics_sequence,
        "eventTitle": event_type.title if event_type else "",
        "eventDescription": settings.get("description", ""),
        "price": 0,
        "currency": "usd",
        "length": booking.duration,
        "requiresConfirmation": booking.status == "pending",
        "hideCalendarNotes": bool(settings.get("hideCalendarNotes", False)),
        "hideCalendarEventDetails": bool(settings.get("hideCalendarEventDetails", False)),
        "hideOrganizerEmail": bool(settings.get("hideOrganizerEmail", False)),
        "schedulingType": None,
        "seatsPerTimeSlot": event_type.rules.seats_per_slot if event_type else None,
        "metadata": {"videoCallUrl": booking.meeting_url} if booking.meeting_url else {},
        "status": booking.status.upper(),
    }
    if extra:
        payload.update(extra)
    return payload
