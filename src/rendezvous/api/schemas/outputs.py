"""Response models for the OpenAPI document only.

Routers build their bodies as plain dicts and send them as they are: these models describe those
bodies (``rendezvous.api.openapi.documented``) and are never used to validate or serialise an
answer, so describing a response costs a request nothing. A field is required here exactly when
the code always sends it; fields sent only when set are optional (absent, never null).
"""

from __future__ import annotations

from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from rendezvous.api.schemas.common import OutModel
from rendezvous.api.schemas.event_type_output import EventTypeOutput
from rendezvous.api.schemas.me import MeOutput
from rendezvous.api.schemas.schedules import ScheduleOutput

T = TypeVar("T")


class Success(BaseModel, Generic[T]):
    """Cal.com's success envelope: ``{"status": "success", "data": T}``."""

    status: Literal["success"]
    data: T


class StatusOnly(BaseModel):
    """A success without data (deletions that return nothing)."""

    status: Literal["success"]


class ErrorInfo(BaseModel):
    code: str = Field(description="Cal.com's exception name, e.g. NotFoundException")
    message: str
    details: Any = Field(
        description="For 400s: {errors: [{property, location, message, …}]}; otherwise "
        "{message, error, statusCode} and, for rule violations, a reason code"
    )


class ErrorEnvelope(BaseModel):
    """Cal.com's error envelope, plus the top-level ``message`` (contract §0 item 3)."""

    model_config = ConfigDict(title="ErrorEnvelope")

    status: Literal["error"]
    message: str
    timestamp: str = Field(description="ISO 8601 UTC instant")
    path: str = Field(description="The request path and query")
    error: ErrorInfo


# --- bookings (BookingOutput_2024_08_13, contract §3.1) -----------------------------------------


class BookingHost(OutModel):
    id: int
    user_id: int
    name: str
    email: str
    display_email: str
    username: str
    time_zone: str


class BookingAttendee(OutModel):
    name: str
    email: str
    display_email: str
    time_zone: str
    language: str | None
    absent: bool
    phone_number: str | None = None
    seat_uid: str | None = Field(None, description="seated bookings: the holder's and hosts' only")
    created_at: str | None = Field(None, description="seated bookings")
    booking_fields_responses: dict[str, Any] | None = Field(None, description="seated bookings")
    metadata: dict[str, Any] | None = Field(None, description="seated bookings")


class BookingEventTypeRef(OutModel):
    id: int
    slug: str


class BookingOutput(OutModel):
    """One booking; seated bookings carry per-seat attendees and no guests."""

    id: int
    uid: str
    title: str
    description: str | None
    hosts: list[BookingHost]
    status: str = Field(description="accepted, cancelled, rejected or pending")
    start: str
    end: str
    duration: int
    event_type_id: int | None
    event_type: BookingEventTypeRef | None = Field(
        description="null once the event type was deleted"
    )
    location: str
    absent_host: bool
    created_at: str
    updated_at: str
    metadata: dict[str, Any]
    ics_uid: str | None
    meeting_url: str | None = None
    cancellation_reason: str | None = None
    cancelled_by_email: str | None = None
    rejection_reason: str | None = None
    rescheduling_reason: str | None = None
    rescheduled_by_email: str | None = None
    rescheduled_from_uid: str | None = None
    rescheduled_to_uid: str | None = None
    recurring_booking_uid: str | None = None
    attendees: list[BookingAttendee]
    guests: list[str] | None = None
    booking_fields_responses: dict[str, Any] | None = None
    seat_uid: str | None = None


class Pagination(OutModel):
    total_items: int
    remaining_items: int
    returned_items: int
    items_per_page: int
    current_page: int
    total_pages: int
    has_next_page: bool
    has_previous_page: bool


class BookingList(BaseModel):
    status: Literal["success"]
    data: list[BookingOutput]
    pagination: Pagination


# --- slots (contract §2) -------------------------------------------------------------------------


class Slot(OutModel):
    """A start (format=time), or a start and end (format=range); seat counts on seated events."""

    start: str
    end: str | None = None
    seats_booked: int | None = None
    seats_remaining: int | None = None
    seats_total: int | None = None
    attendees_count: int | None = None
    booking_uid: str | None = None


class LegacySlot(OutModel):
    time: str | None = Field(None, description="slotFormat=time")
    start_time: str | None = Field(None, description="slotFormat=range")
    end_time: str | None = Field(None, description="slotFormat=range")
    attendees: int | None = None
    booking_uid: str | None = None


class LegacySlots(BaseModel):
    slots: dict[str, list[LegacySlot]]


class Reservation(OutModel):
    event_type_id: int
    slot_start: str
    slot_end: str
    slot_duration: int
    reservation_uid: str
    reservation_duration: int | None = Field(None, description="absent on GET")
    reservation_until: str


# --- event types (contract §4, §0 item 1) ---------------------------------------------------------


class LegacyEventType(OutModel):
    id: int
    title: str
    slug: str
    length: int
    description: str
    hidden: bool
    locations: list[dict[str, Any]]
    scheduling_type: str | None
    team_id: int | None
    position: int
    price: float
    currency: str


class LegacyProfile(OutModel):
    slug: str | None
    name: str | None
    image: str | None


class LegacyGroupMetadata(OutModel):
    membership_count: int
    read_only: bool


class LegacyEventTypeGroup(OutModel):
    team_id: int | None
    booker_url: str
    membership_role: str | None
    profile: LegacyProfile
    metadata: LegacyGroupMetadata
    event_types: list[LegacyEventType]


class LegacyGroupProfile(LegacyProfile):
    team_id: int | None
    membership_role: str | None
    membership_count: int
    read_only: bool


class LegacyEventTypeList(OutModel):
    """``GET /v2/event-types`` without ``cal-api-version`` (or 2024-04-15)."""

    event_type_groups: list[LegacyEventTypeGroup]
    profiles: list[LegacyGroupProfile]


class DeletedEventType(OutModel):
    id: int
    length_in_minutes: int
    title: str
    slug: str


__all__ = [
    "BookingList",
    "BookingOutput",
    "DeletedEventType",
    "ErrorEnvelope",
    "EventTypeOutput",
    "LegacyEventTypeList",
    "LegacySlots",
    "MeOutput",
    "Reservation",
    "ScheduleOutput",
    "Slot",
    "StatusOnly",
    "Success",
]
