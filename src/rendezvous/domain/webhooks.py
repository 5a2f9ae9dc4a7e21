"""Webhook triggers and the booking payload subscribers receive (contract §8.2)."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
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
MEETING_STARTED = "MEETING_STARTED"
MEETING_ENDED = "MEETING_ENDED"

# Cal.com's trigger enum (contract §8.1), plus BOOKING_CONFIRMED from the seed (§0 item 6).
TRIGGERS: tuple[str, ...] = (
    "BOOKING_CREATED",
    "BOOKING_PAYMENT_INITIATED",
    "BOOKING_PAID",
    "BOOKING_RESCHEDULED",
    "BOOKING_REQUESTED",
    "BOOKING_CANCELLED",
    "BOOKING_REJECTED",
    "BOOKING_NO_SHOW_UPDATED",
    "BOOKING_LOCATION_UPDATED",
    "BOOKING_REASSIGNED",
    "BOOKING_CONFIRMED",
    "FORM_SUBMITTED",
    "MEETING_ENDED",
    "MEETING_STARTED",
    "RECORDING_READY",
    "INSTANT_MEETING",
    "INSTANT_MEETING_ACCEPTED",
    "RECORDING_TRANSCRIPTION_GENERATED",
    "OOO_CREATED",
    "AFTER_HOSTS_CAL_VIDEO_NO_SHOW",
    "AFTER_GUESTS_CAL_VIDEO_NO_SHOW",
    "FORM_SUBMITTED_NO_EVENT",
    "ROUTING_FORM_FALLBACK_HIT",
    "DELEGATION_CREDENTIAL_ERROR",
    "WRONG_ASSIGNMENT_REPORT",
    "DELEGATION_CREDENTIAL_SECRET_ROTATION_FAILED",
    "DELEGATION_CREDENTIAL_ROTATION_REQUIRED",
    "DELEGATION_CREDENTIAL_SECRET_ROTATED",
    "CALENDAR_ENTRY_REJECTED",
)
# Triggers whose body is flat: the booking fields beside triggerEvent, no payload wrapper.
FLAT_TRIGGERS = frozenset({MEETING_STARTED, MEETING_ENDED})
MEETING_TRIGGERS = (MEETING_STARTED, MEETING_ENDED)
VERSIONS = ("2021-10-20", "2026-07-27")
DEFAULT_VERSION = "2021-10-20"
TIME_UNITS = ("DAY", "HOUR", "MINUTE")
NO_SECRET = "no-secret-provided"  # noqa: S105 - the header value Cal.com sends


@dataclass(frozen=True, slots=True)
class Subscription:
    """A webhook subscription (contract §8.1); ``event_type_id`` set: it fires only for that
    event type's bookings."""

    id: int
    user_id: int
    event_type_id: int | None
    subscriber_url: str
    triggers: tuple[str, ...]
    active: bool
    payload_template: str | None
    secret: str | None
    version: str
    time: int | None = None
    time_unit: str | None = None


@dataclass(frozen=True, slots=True)
class AttemptView:
    """One attempt at a delivery: outcome delivered, retry or failed."""

    attempt: int
    started_at: datetime
    duration_ms: int
    outcome: str
    status_code: int | None
    error: str | None


@dataclass(frozen=True, slots=True)
class DeliveryView:
    """One delivery (an outbox row) with its attempts, oldest first."""

    id: int
    webhook_id: int
    trigger: str
    status: str
    message_id: str
    booking_uid: str | None
    attempts: int
    due_at: datetime
    created_at: datetime
    updated_at: datetime
    last_error: str | None
    log: tuple[AttemptView, ...]


def iso_ms(moment: datetime) -> str:
    """``2050-09-01T10:00:00.000Z``: the ``createdAt`` form of Cal.com's bodies."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def body(trigger: str, created_at: datetime, payload: Mapping[str, Any]) -> dict[str, Any]:
    """The default body (§8.2): ``{triggerEvent, createdAt, payload}``, or flat for
    MEETING_STARTED / MEETING_ENDED (the payload's fields beside ``triggerEvent``)."""
    if trigger in FLAT_TRIGGERS:
        return {"triggerEvent": trigger, "createdAt": iso_ms(created_at), **payload}
    return {"triggerEvent": trigger, "createdAt": iso_ms(created_at), "payload": dict(payload)}


def template_data(message: Mapping[str, Any]) -> dict[str, Any]:
    """What a payloadTemplate sees (§8.3): the payload's fields, ``triggerEvent``, ``createdAt``."""
    inner = message.get("payload")
    if isinstance(inner, Mapping):
        return {
            **inner,
            "triggerEvent": message.get("triggerEvent"),
            "createdAt": message.get("createdAt"),
        }
    return dict(message)


_PLACEHOLDER = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")


def _lookup(data: Any, path: str) -> Any:
    for part in path.split("."):
        if isinstance(data, Mapping):
            data = data.get(part)
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return None
    return data


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Mapping | list):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return str(value)


#: The largest rendered payloadTemplate (characters): a 64 KiB template of ``{{responses}}``
#: placeholders would otherwise expand to hundreds of megabytes.
RENDERED_MAX = 1024 * 1024


class TemplateTooLarge(ValueError):
    """A payloadTemplate whose rendering exceeds ``RENDERED_MAX`` characters."""


def render_template(
    template: str, data: Mapping[str, Any], *, limit: int = RENDERED_MAX
) -> tuple[str, bool]:
    """Render a payloadTemplate (§8.3) against ``data``; return ``(body, is_json)``.

    ``{{path}}`` takes the value at a dotted path (``organizer.name``, ``attendees.0.name``);
    a missing value is empty, an object or list is JSON. Values are inserted once: a value that
    itself contains ``{{…}}`` is not rendered again. ``&quot;`` becomes ``"``. A result that
    parses as JSON is re-serialised compactly (``is_json`` true). Raises ``TemplateTooLarge``
    when the rendering would exceed ``limit`` characters (checked while rendering)."""
    parts: list[str] = []
    size = 0
    at = 0
    for match in _PLACEHOLDER.finditer(template):
        for piece in (template[at : match.start()], _text(_lookup(data, match.group(1)))):
            size += len(piece)
            if size > limit:
                raise TemplateTooLarge(f"the rendered payloadTemplate exceeds {limit} characters")
            parts.append(piece)
        at = match.end()
    parts.append(template[at:])
    rendered = "".join(parts).replace("&quot;", '"')
    try:
        parsed = json.loads(rendered)
    except ValueError:
        return rendered, False
    return json.dumps(parsed, separators=(",", ":"), ensure_ascii=False), True


def cal_signature(secret: str | None, raw_body: bytes) -> str:
    """``X-Cal-Signature-256``: lower-case hex HMAC-SHA256 of the exact body keyed with the
    secret's UTF-8 bytes, or ``no-secret-provided`` (§8.2)."""
    if not secret:
        return NO_SECRET
    return hmac.new(secret.encode(), raw_body, hashlib.sha256).hexdigest()


def meeting_times(booking: Booking) -> dict[str, datetime]:
    """When each MEETING_* trigger is due: at the booking's start and end."""
    return {MEETING_STARTED: booking.start, MEETING_ENDED: booking.end}


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
