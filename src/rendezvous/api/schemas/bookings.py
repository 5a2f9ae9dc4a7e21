"""Booking wire models, 2024-08-13 (contract §3)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    Field,
    model_validator,
)
from pydantic_core import PydanticCustomError

from rendezvous.api.schemas.bounds import (
    LOCATION_MAX,
    MAX_DURATION_MINUTES,
    MAX_OCCURRENCES,
    NAME_MAX,
    PHONE_MAX,
    RESPONSES_MAX_BYTES,
    RESPONSES_MAX_DEPTH,
    RESPONSES_MAX_ITEMS,
    SLUG_MAX,
    URL_MAX,
    Email,
    IntegralFloat,
    Line,
    Name,
    Reason,
    Uid,
    json_bounds,
    readable,
)
from rendezvous.api.schemas.common import (
    MAX_ID,
    Instant,
    Locale,
    Metadata,
    TimeZoneName,
    WireModel,
    fail_at,
)
from rendezvous.api.schemas.event_type_locations import Integration
from rendezvous.domain.accounts import User
from rendezvous.domain.bookings import Attendee, Booking
from rendezvous.domain.event_types import EventType
from rendezvous.domain.seat_privacy import seat_holder_view, shows_attendees


class AttendeeInput(WireModel):
    name: Name
    email: Email | None = None
    time_zone: TimeZoneName
    phone_number: str | None = Field(None, pattern=r"^\+[1-9][0-9]{6,14}$")
    language: Locale = "en"

    @model_validator(mode="after")
    def _reachable(self) -> AttendeeInput:
        if self.email is None and self.phone_number is None:
            raise ValueError("email is required (or phoneNumber for phone-only booking)")
        return self


LocationText = Annotated[str, Field(max_length=LOCATION_MAX), Line]
# An address (or a place the attendee describes) may span lines.
AddressText = Annotated[str, Field(min_length=1, max_length=LOCATION_MAX)]
PhoneText = Annotated[str, Field(min_length=1, max_length=PHONE_MAX), Line]


class AddressChoice(WireModel):
    """The organizer's address."""

    type: Literal["address"]


class LinkChoice(WireModel):
    """The organizer's link."""

    type: Literal["link"]


class PhoneChoice(WireModel):
    """The organizer's phone."""

    type: Literal["phone"]


class IntegrationChoice(WireModel):
    type: Literal["integration"]
    integration: Integration


class AttendeeAddressChoice(WireModel):
    type: Literal["attendeeAddress"]
    address: AddressText


class AttendeePhoneChoice(WireModel):
    type: Literal["attendeePhone"]
    phone: PhoneText


class AttendeeDefinedChoice(WireModel):
    type: Literal["attendeeDefined"]
    location: AddressText


class OrganizersDefaultAppChoice(WireModel):
    """Team event types only."""

    type: Literal["organizersDefaultApp"]


_CHOICES: dict[str, type[BaseModel]] = {
    "address": AddressChoice,
    "link": LinkChoice,
    "phone": PhoneChoice,
    "integration": IntegrationChoice,
    "attendeeAddress": AttendeeAddressChoice,
    "attendeePhone": AttendeePhoneChoice,
    "attendeeDefined": AttendeeDefinedChoice,
    "organizersDefaultApp": OrganizersDefaultAppChoice,
}


def _location_or_text(value: Any) -> Any:
    """A booking ``location`` is an object chosen by its ``type`` (contract §3.2) or, as before
    Cal.com had objects, a string. Errors name the caller's path (``location``,
    ``location.type``, ``location.address``), never a validator's (issue 9 item 10)."""
    if isinstance(value, str | BaseModel):
        return value
    if not isinstance(value, dict):
        raise PydanticCustomError(
            "location_type",
            "must be an object with a type (see the booking location inputs), or a string",
        )
    kind = value.get("type")
    if kind is None:
        fail_at(("type",), "Field required")
    chosen = _CHOICES.get(kind) if isinstance(kind, str) else None
    if chosen is None:
        fail_at(("type",), "must be one of " + ", ".join(_CHOICES), kind)
    return chosen.model_validate(value)


BookingLocationInput = Annotated[
    AddressChoice
    | LinkChoice
    | PhoneChoice
    | IntegrationChoice
    | AttendeeAddressChoice
    | AttendeePhoneChoice
    | AttendeeDefinedChoice
    | OrganizersDefaultAppChoice
    | LocationText,
    BeforeValidator(_location_or_text),
]


Minutes = Annotated[int, Field(ge=1, le=MAX_DURATION_MINUTES), IntegralFloat]


class CreateBookingInput(WireModel):
    start: Instant = Field(description="UTC ISO start, e.g. 2050-09-05T07:00:00Z")
    attendee: AttendeeInput
    event_type_id: Annotated[int, Field(ge=1, le=MAX_ID), IntegralFloat] | None = None
    event_type_slug: Annotated[str, Field(max_length=SLUG_MAX), Line] | None = None
    username: Annotated[str, Field(max_length=NAME_MAX), Line] | None = None
    team_slug: Annotated[str, Field(max_length=SLUG_MAX), Line] | None = None
    organization_slug: Annotated[str, Field(max_length=SLUG_MAX), Line] | None = None
    guests: list[Email] = Field(default_factory=list, max_length=50)
    location: BookingLocationInput | None = Field(
        None,
        description="An object chosen by type, or a string naming one of the event type's "
        "locations (an integration such as cal-video, or its address, link or phone)",
    )
    meeting_url: Annotated[str, Field(max_length=URL_MAX), Line] | None = Field(
        None, description="deprecated: the meeting URL"
    )
    metadata: Metadata = Field(default_factory=dict)
    length_in_minutes: Minutes | None = None
    booking_fields_responses: Annotated[
        dict[str, Any],
        json_bounds(
            max_depth=RESPONSES_MAX_DEPTH,
            max_items=RESPONSES_MAX_ITEMS,
            max_bytes=RESPONSES_MAX_BYTES,
        ),
    ] = Field(default_factory=dict)
    recurrence_count: Annotated[int, Field(ge=1, le=MAX_OCCURRENCES), IntegralFloat] | None = None
    reservation_uid: Uid | None = Field(
        None, description="Rendezvous: the uid of a slot reservation this booking consumes"
    )

    @model_validator(mode="after")
    def _identified(self) -> CreateBookingInput:
        if self.event_type_id is None and not (
            self.event_type_slug and (self.username or self.team_slug)
        ):
            raise ValueError("send eventTypeId, or eventTypeSlug with username or teamSlug")
        return self


class CancelBookingInput(WireModel):
    cancellation_reason: Reason | None = None
    cancel_subsequent_bookings: bool = False
    seat_uid: Uid | None = None


class RescheduleBookingInput(WireModel):
    start: Instant
    rescheduled_by: Email | None = None
    rescheduling_reason: Reason | None = None
    seat_uid: Uid | None = None


class DeclineBookingInput(WireModel):
    reason: Reason | None = None


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _attendee(a: Attendee) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": a.name,
        "email": a.email,
        "displayEmail": a.email,
        "timeZone": a.time_zone,
        "language": a.language,
        "absent": a.absent,
    }
    if a.phone_number:
        out["phoneNumber"] = a.phone_number
    return out


def _host(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "userId": user.id,  # contract §0 item 11
        "name": user.name or user.username,
        "email": user.email,
        "displayEmail": user.email,
        "username": user.username,
        "timeZone": user.time_zone,
    }


def _seat(attendee: Attendee, *, show_uid: bool) -> dict[str, Any]:
    """A seated booking's attendee; a seat uid is what cancels or moves a seat, so only its
    holder and the hosts see it (``show_uid``)."""
    return (
        _attendee(attendee)
        | ({"seatUid": attendee.seat_uid} if show_uid else {})
        | {
            "createdAt": iso(attendee.created_at),
            "bookingFieldsResponses": readable(dict(attendee.responses)),
            "metadata": readable(dict(attendee.metadata)),
        }
    )


def _changes(booking: Booking) -> dict[str, Any]:
    """What cancelling, declining and rescheduling recorded, where they did."""
    optional = {
        "cancellationReason": booking.cancellation_reason,
        "cancelledByEmail": booking.cancelled_by_email,
        "rejectionReason": booking.rejection_reason,
        "reschedulingReason": booking.rescheduling_reason,
        "rescheduledByEmail": booking.rescheduled_by_email,
        "rescheduledFromUid": booking.rescheduled_from_uid,
        "rescheduledToUid": booking.rescheduled_to_uid,
        "recurringBookingUid": booking.recurring_uid,
    }
    return {k: v for k, v in optional.items() if v is not None}


def _as_seat_holder_sees(
    booking: Booking,
    hosts: Mapping[int, User],
    event_type: EventType | None,
    seat_uid: str | None,
    viewer_email: str | None,
) -> Booking:
    """A seated booking as a non-host sees it: whole when the event type shows attendees,
    else ``seat_holder_view`` of it."""
    settings = event_type.settings if event_type else None
    if shows_attendees(settings):
        return booking
    organizer = hosts.get(booking.user_id)
    return seat_holder_view(
        booking,
        is_own=lambda a: (
            (seat_uid is not None and a.seat_uid == seat_uid)
            or (viewer_email is not None and a.email == viewer_email)
        ),
        event_title=event_type.title if event_type else None,
        settings=settings,
        organizer=(organizer.name or organizer.username) if organizer else "",
        host_emails=[hosts[h].email for h in booking.host_ids if h in hosts],
    )


def booking_output(
    booking: Booking,
    hosts: Mapping[int, User],
    event_type: EventType | None,
    *,
    seat_uid: str | None = None,
    viewer_is_host: bool = False,
    viewer_email: str | None = None,
) -> dict[str, Any]:
    """``BookingOutput_2024_08_13`` and its recurring and seated variants (contract §3.1).

    Seated bookings whose event type hides attendees are shown to a non-host as
    ``seat_holder_view`` makes them: only the viewer's own seat — the one ``seat_uid`` names
    (the seat just booked or moved) or whose attendee has the viewer's *verified* address
    ``viewer_email`` — and nothing another seat typed (issue 9 item 7)."""
    if booking.seated and not viewer_is_host:
        booking = _as_seat_holder_sees(booking, hosts, event_type, seat_uid, viewer_email)
    guests = set(booking.guests)
    out: dict[str, Any] = {
        "id": booking.id,
        "uid": booking.uid,
        "title": booking.title,
        "description": booking.description,
        "hosts": [_host(hosts[h]) for h in booking.host_ids if h in hosts],
        "status": booking.status,
        "start": iso(booking.start),
        "end": iso(booking.end),
        "duration": booking.duration,
        "eventTypeId": booking.event_type_id,
        # null once the event type has been deleted (the booking outlives it)
        "eventType": {"id": event_type.id, "slug": event_type.slug} if event_type else None,
        "location": booking.location,
        "absentHost": booking.absent_host,
        "createdAt": iso(booking.created_at),
        # Cal.com compat: updatedAt equals createdAt until the first change (contract §0 item 11).
        "updatedAt": iso(booking.updated_at),
        "metadata": readable(dict(booking.metadata)),
        "icsUid": booking.ics_uid,
    }
    if booking.meeting_url:
        out["meetingUrl"] = booking.meeting_url
    out.update(_changes(booking))
    if booking.seated:
        out["attendees"] = [
            _seat(a, show_uid=viewer_is_host or a.seat_uid == seat_uid or (
                viewer_email is not None and a.email == viewer_email))
            for a in booking.attendees
        ]  # fmt: skip
        if seat_uid:
            out["seatUid"] = seat_uid
        return out
    out["attendees"] = [_attendee(a) for a in booking.attendees if a.email not in guests]
    out["guests"] = list(booking.guests)
    out["bookingFieldsResponses"] = readable(dict(booking.responses))
    return out
