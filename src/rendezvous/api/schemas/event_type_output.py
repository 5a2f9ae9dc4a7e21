"""Event type outputs: ``EventTypeOutput_2024_06_14`` (contract §4.5) and the legacy list item
(§0 item 1), built from the stored settings document (see ``event_types``)."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import Field

from rendezvous.api.schemas.common import OutModel
from rendezvous.api.schemas.event_type_booking_fields import booking_fields_output
from rendezvous.api.schemas.event_type_fields import DISABLEABLE
from rendezvous.api.schemas.event_type_locations import DEFAULT_LOCATIONS

# What a setting means when the stored document lacks it (Cal.com's database defaults). Services
# deriving engine inputs should read settings through ``effective_setting`` to agree with outputs.
DEFAULTS: dict[str, Any] = {
    "description": "",
    "locations": [dict(loc) for loc in DEFAULT_LOCATIONS],
    "bookingFields": [],
    "disableGuests": False,
    "slotInterval": None,
    "minimumBookingNotice": 120,
    "beforeEventBuffer": 0,
    "afterEventBuffer": 0,
    "scheduleId": None,
    "onlyShowFirstAvailableSlot": False,
    "offsetStart": 0,
    "requiresBookerEmailVerification": False,
    "hideCalendarNotes": False,
    "lockTimeZoneToggleOnBookingPage": False,
    "useDestinationCalendarEmail": False,
    "hideCalendarEventDetails": False,
    "successRedirectUrl": None,
    "hideOrganizerEmail": False,
    "hidden": False,
    "bookingRequiresAuthentication": False,
    "metadata": {},
}


def effective_setting(stored: Mapping[str, Any], key: str) -> Any:
    """The value in force: the stored one, else the default; ``None`` for an unset or disabled
    nested setting (bookingWindow, seats, recurrence, limits, confirmationPolicy…)."""
    value = stored.get(key)
    if value is None:
        return copy.deepcopy(DEFAULTS.get(key))
    if key in DISABLEABLE and isinstance(value, Mapping) and value.get("disabled") is True:
        return None
    return value


class EventTypeUserOutput(OutModel):
    id: int
    name: str | None
    username: str | None
    avatar_url: str | None
    week_start: str
    brand_color: str | None
    dark_brand_color: str | None
    metadata: dict[str, Any]


class EventTypeOutput(OutModel):
    """For the OpenAPI document. Optional fields are absent (not null) when unset: serialise with
    ``exclude_unset=True`` (or return ``event_type_output``'s dict as is)."""

    id: int
    owner_id: int
    length_in_minutes: int
    length_in_minutes_options: list[int] | None = None
    title: str
    slug: str
    description: str
    locations: list[dict[str, Any]]
    booking_fields: list[dict[str, Any]]
    disable_guests: bool
    slot_interval: int | None
    minimum_booking_notice: int
    before_event_buffer: int
    after_event_buffer: int
    recurrence: dict[str, Any] | None
    metadata: dict[str, Any]
    price: float
    currency: str
    lock_time_zone_toggle_on_booking_page: bool
    seats_per_time_slot: int | None
    forward_params_success_redirect: bool | None
    success_redirect_url: str | None
    is_instant_event: bool
    seats_show_availability_count: bool
    schedule_id: int | None
    booking_limits_count: dict[str, Any] | None = None
    booker_active_bookings_limit: dict[str, Any]
    only_show_first_available_slot: bool
    booking_limits_duration: dict[str, Any] | None = None
    booking_window: dict[str, Any] = Field(description='{"disabled": true} when unset')
    booker_layouts: dict[str, Any] | None = None
    confirmation_policy: dict[str, Any] = Field(description='{"disabled": true} when unset')
    requires_booker_email_verification: bool
    hide_calendar_notes: bool
    color: dict[str, Any] | None = None
    seats: dict[str, Any] = Field(description='{"disabled": true} when unset')
    offset_start: int
    custom_name: str | None = None
    destination_calendar: dict[str, Any] | None = None
    use_destination_calendar_email: bool
    hide_calendar_event_details: bool
    hide_organizer_email: bool
    cal_video_settings: dict[str, Any] | None = None
    hidden: bool
    booking_requires_authentication: bool
    disable_cancelling: dict[str, Any]
    disable_rescheduling: dict[str, Any]
    users: list[EventTypeUserOutput]
    booking_url: str


# Sent even when unset, with these values: Cal.com's output service
# (OutputEventTypesService_2024_06_14.getResponseEventType) maps these database columns with
# defaults as they are, and always answers bookerActiveBookingsLimit, disableCancelling and
# disableRescheduling objects. Its transformers also answer {"disabled": true} for an unset
# booking window (the periodType column defaults to UNLIMITED), confirmation policy
# (requiresConfirmation false) and seats (seatsPerTimeSlot null). customName
# (eventName ?? undefined) and the other complex settings (bookingLimitsCount,
# bookingLimitsDuration, bookerLayouts, color, destinationCalendar, calVideoSettings) are absent
# when unset.
ALWAYS_SENT: dict[str, Any] = {
    "bookerActiveBookingsLimit": {"disabled": True},
    "bookingWindow": {"disabled": True},
    "confirmationPolicy": {"disabled": True},
    "seats": {"disabled": True},
    "onlyShowFirstAvailableSlot": False,
    "requiresBookerEmailVerification": False,
    "hideCalendarNotes": False,
    "offsetStart": 0,
    "useDestinationCalendarEmail": False,
    "hideCalendarEventDetails": False,
    "hideOrganizerEmail": False,
    "disableCancelling": {"disabled": False},
    "disableRescheduling": {"disabled": False},
}

# In this order (after the always-present fields they sit among): sent when set, or with the
# ALWAYS_SENT value when not.
_OPTIONAL_ECHOED = (
    "bookingLimitsCount",
    "bookerActiveBookingsLimit",
    "onlyShowFirstAvailableSlot",
    "bookingLimitsDuration",
    "bookingWindow",
    "bookerLayouts",
    "confirmationPolicy",
    "requiresBookerEmailVerification",
    "hideCalendarNotes",
    "color",
    "seats",
    "offsetStart",
    "customName",
    "destinationCalendar",
    "useDestinationCalendarEmail",
    "hideCalendarEventDetails",
    "hideOrganizerEmail",
    "calVideoSettings",
    "disableCancelling",
    "disableRescheduling",
)


def _pick(user: Mapping[str, Any], camel: str, snake: str, default: Any = None) -> Any:
    if camel in user:
        return user[camel]
    return user.get(snake, default)


def user_output(user: Mapping[str, Any]) -> dict[str, Any]:
    """An owner/host for ``users[]``; accepts camelCase or snake_case keys."""
    return {
        "id": user["id"],
        "name": user.get("name"),
        "username": user.get("username"),
        "avatarUrl": _pick(user, "avatarUrl", "avatar_url"),
        "weekStart": _pick(user, "weekStart", "week_start", "Monday") or "Monday",
        "brandColor": _pick(user, "brandColor", "brand_color"),
        "darkBrandColor": _pick(user, "darkBrandColor", "dark_brand_color"),
        "metadata": dict(user.get("metadata") or {}),
    }


def event_type_output(
    stored: Mapping[str, Any],
    *,
    id: int,
    owner_id: int,
    users: Sequence[Mapping[str, Any]],
    booking_url: str,
) -> dict[str, Any]:
    """The §4.5 object: every required field always, optional ones when set."""
    s = copy.deepcopy(dict(stored))

    def get(key: str) -> Any:
        return effective_setting(s, key)

    locations = get("locations") or copy.deepcopy(DEFAULTS["locations"])
    seats = get("seats")
    out: dict[str, Any] = {"id": id, "ownerId": owner_id, "lengthInMinutes": s["lengthInMinutes"]}
    if s.get("lengthInMinutesOptions"):
        out["lengthInMinutesOptions"] = s["lengthInMinutesOptions"]
    out |= {
        "title": s["title"],
        "slug": s["slug"],
        "description": get("description") or "",
        "locations": locations,
        "bookingFields": booking_fields_output(
            get("bookingFields"),
            location_count=len(locations),
            disable_guests=bool(get("disableGuests")),
        ),
        "disableGuests": bool(get("disableGuests")),
        "slotInterval": get("slotInterval"),
        "minimumBookingNotice": get("minimumBookingNotice"),
        "beforeEventBuffer": get("beforeEventBuffer"),
        "afterEventBuffer": get("afterEventBuffer"),
        "recurrence": get("recurrence"),
        "metadata": get("metadata") or {},
        # Cal.com compat: payments are out of scope, so every event type is free.
        "price": 0,
        "currency": "usd",
        "lockTimeZoneToggleOnBookingPage": bool(get("lockTimeZoneToggleOnBookingPage")),
        "seatsPerTimeSlot": seats["seatsPerTimeSlot"] if seats else None,
        "forwardParamsSuccessRedirect": True,
        "successRedirectUrl": get("successRedirectUrl"),
        "isInstantEvent": False,
        "seatsShowAvailabilityCount": seats["showAvailabilityCount"] if seats else True,
        "scheduleId": get("scheduleId"),
    }
    for key in _OPTIONAL_ECHOED:
        if s.get(key) is not None:
            out[key] = s[key]
        elif key in ALWAYS_SENT:
            out[key] = copy.deepcopy(ALWAYS_SENT[key])
    out |= {
        "hidden": bool(get("hidden")),
        "bookingRequiresAuthentication": bool(get("bookingRequiresAuthentication")),
        "users": [user_output(u) for u in users],
        "bookingUrl": booking_url,
    }
    return out


def legacy_event_type_item(stored: Mapping[str, Any], id: int, position: int) -> dict[str, Any]:
    """An ``eventTypes[]`` item of the legacy (2024-04-15) list shape (contract §0 item 1)."""
    return {
        "id": id,
        "title": stored["title"],
        "slug": stored["slug"],
        "length": stored["lengthInMinutes"],
        "description": effective_setting(stored, "description") or "",
        "hidden": bool(effective_setting(stored, "hidden")),
        "locations": effective_setting(stored, "locations") or copy.deepcopy(DEFAULTS["locations"]),
        "schedulingType": None,
        "teamId": None,
        "position": position,
        "price": 0,
        "currency": "usd",
    }
