"""Event type inputs, cal-api-version 2024-06-14 (contract §4.1–§4.4), and the stored form.

Stored form ("settings" JSON column): a plain JSON-able dict of the validated input in camelCase
wire form, holding only what the user set: no ``None`` values and no ``{"disabled": true}``
objects (an absent key means "Cal.com's default", see ``event_type_output.DEFAULTS``). Strings are
stored normalised (the slug slugified, booker layouts de-duplicated); nested objects are stored
whole, as sent. ``stored_from_create`` builds it, ``merge_update`` applies a PATCH to it, and
``validate_event_type_settings`` re-checks the merged result (cross-field rules included).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import AfterValidator, Field, ValidationError, model_validator

from rendezvous.api.schemas.common import (
    Id,
    Metadata,
    Problem,
    WireModel,
    field_errors,
)
from rendezvous.api.schemas.event_type_booking_fields import BookingFields
from rendezvous.api.schemas.event_type_fields import (
    DISABLEABLE,
    BookerActiveBookingsLimitField,
    BookerLayouts,
    BookingLimitsCountField,
    BookingLimitsDurationField,
    BookingWindowField,
    CalVideoSettings,
    ConfirmationPolicyField,
    DestinationCalendar,
    DisableCancelling,
    DisableRescheduling,
    EventTypeColor,
    HttpUrlString,
    NonNegativeInt,
    PositiveInt,
    RecurrenceField,
    SeatsField,
    Slug,
)
from rendezvous.api.schemas.event_type_locations import DEFAULT_LOCATIONS, Location
from rendezvous.api.schemas.event_type_output import (
    DEFAULTS,
    EventTypeOutput,
    effective_setting,
    event_type_output,
    legacy_event_type_item,
)
from rendezvous.domain.errors import InvalidInput

__all__ = [
    "DEFAULTS",
    "CreateEventTypeInput",
    "EventTypeOutput",
    "EventTypeSettingsError",
    "UpdateEventTypeInput",
    "effective_setting",
    "event_type_output",
    "legacy_event_type_item",
    "merge_update",
    "settings_problems",
    "stored_from_create",
    "validate_event_type_settings",
]


def _unique(values: list[int]) -> list[int]:
    seen: set[int] = set()
    problems: list[Problem] = []
    for index, value in enumerate(values):
        if value in seen:
            problems.append(((index,), "duplicate length; each option may appear once", value))
        seen.add(value)
    if problems:
        raise field_errors(problems, "lengthInMinutesOptions")
    return values


LengthOptions = Annotated[list[PositiveInt], Field(min_length=1), AfterValidator(_unique)]
Title = Annotated[str, Field(min_length=1, max_length=255)]
SlugText = Annotated[str, Field(max_length=255)]


def _active(settings: Mapping[str, Any], key: str) -> bool:
    value = settings.get(key)
    return isinstance(value, Mapping) and value.get("disabled") is not True


def settings_problems(settings: Mapping[str, Any]) -> list[Problem]:
    """Rules spanning several fields, over a camelCase settings dict. A rule is checked only when
    the fields it involves are present (a PATCH body), so a merged document checks them all."""
    problems: list[Problem] = []
    length, options = settings.get("lengthInMinutes"), settings.get("lengthInMinutesOptions")
    if length is not None and options and length not in options:
        message = f"must include lengthInMinutes ({length})"
        problems.append((("lengthInMinutesOptions",), message, options))
    recurring, seated = _active(settings, "recurrence"), _active(settings, "seats")
    if recurring and _active(settings, "bookerActiveBookingsLimit"):
        message = (
            "can't be combined with recurrence: recurring events have no active-bookings limit"
        )
        problems.append((("bookerActiveBookingsLimit",), message, None))
    if seated and recurring:
        problems.append((("seats",), "can't be combined with recurrence", None))
    if seated and _active(settings, "confirmationPolicy"):
        message = "can't be combined with confirmationPolicy: seated events need no confirmation"
        problems.append((("seats",), message, None))
    locations = settings.get("locations") or DEFAULT_LOCATIONS
    if seated and len(locations) > 1:
        problems.append((("locations",), "only one location is allowed with seats", None))
    return problems


class _EventTypeSettings(WireModel):
    """Every §4.1 field, optional. ``null`` means "not set" (create) or "reset" (PATCH)."""

    length_in_minutes: PositiveInt | None = None
    length_in_minutes_options: LengthOptions | None = None
    title: Title | None = None
    slug: Annotated[Slug, Field(max_length=255)] | None = None
    description: str | None = None
    locations: Annotated[list[Location], Field(min_length=1)] | None = None
    booking_fields: BookingFields | None = None
    disable_guests: bool | None = None
    slot_interval: PositiveInt | None = None
    minimum_booking_notice: NonNegativeInt | None = None
    before_event_buffer: NonNegativeInt | None = None
    after_event_buffer: NonNegativeInt | None = None
    schedule_id: Id | None = None
    booking_limits_count: BookingLimitsCountField | None = None
    booker_active_bookings_limit: BookerActiveBookingsLimitField | None = None
    only_show_first_available_slot: bool | None = None
    booking_limits_duration: BookingLimitsDurationField | None = None
    booking_window: BookingWindowField | None = None
    offset_start: NonNegativeInt | None = None
    booker_layouts: BookerLayouts | None = None
    confirmation_policy: ConfirmationPolicyField | None = None
    recurrence: RecurrenceField | None = None
    requires_booker_email_verification: bool | None = None
    hide_calendar_notes: bool | None = None
    lock_time_zone_toggle_on_booking_page: bool | None = None
    color: EventTypeColor | None = None
    seats: SeatsField | None = None
    custom_name: str | None = None
    destination_calendar: DestinationCalendar | None = None
    use_destination_calendar_email: bool | None = None
    hide_calendar_event_details: bool | None = None
    success_redirect_url: HttpUrlString | None = None
    hide_organizer_email: bool | None = None
    cal_video_settings: CalVideoSettings | None = None
    hidden: bool | None = None
    booking_requires_authentication: bool | None = None
    disable_cancelling: DisableCancelling | None = None
    disable_rescheduling: DisableRescheduling | None = None
    metadata: Metadata | None = None

    def wire(self) -> dict[str, Any]:
        """What was sent, camelCase, JSON-able, without nulls."""
        return self.model_dump(by_alias=True, exclude_unset=True, exclude_none=True, mode="json")

    def _check_rules(self) -> None:
        problems = settings_problems(self.wire())
        if problems:
            raise field_errors(problems, type(self).__name__)


class CreateEventTypeInput(_EventTypeSettings):
    length_in_minutes: PositiveInt
    title: Title
    slug: Annotated[Slug, Field(max_length=255)]

    @model_validator(mode="after")
    def _rules(self) -> CreateEventTypeInput:
        self._check_rules()
        return self


# Required on create, so a PATCH may change but not clear them.
_NOT_NULLABLE = ("lengthInMinutes", "title", "slug")


class UpdateEventTypeInput(_EventTypeSettings):
    """PATCH: changes only what it names; ``null`` or ``{"disabled": true}`` resets a setting."""

    @model_validator(mode="after")
    def _rules(self) -> UpdateEventTypeInput:
        sent = self.model_dump(by_alias=True, exclude_unset=True)
        nulls: list[Problem] = [
            ((key,), "may not be null", None)
            for key in _NOT_NULLABLE
            if key in sent and sent[key] is None
        ]
        if nulls:
            raise field_errors(nulls, type(self).__name__)
        self._check_rules()
        return self


def _without_nones(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_nones(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nones(v) for v in value]
    return value


def _is_reset(key: str, value: Any) -> bool:
    if value is None:
        return True
    return key in DISABLEABLE and isinstance(value, dict) and value.get("disabled") is True


def stored_from_create(inp: CreateEventTypeInput) -> dict[str, Any]:
    """The stored settings document of a new event type."""
    return {k: v for k, v in inp.wire().items() if not _is_reset(k, v)}


def merge_update(stored: Mapping[str, Any], patch: UpdateEventTypeInput) -> dict[str, Any]:
    """PATCH semantics: named fields replace stored ones (nested objects and lists whole);
    ``null`` or ``{"disabled": true}`` removes the key (back to the default); others stay."""
    merged = copy.deepcopy(dict(stored))
    sent = patch.model_dump(by_alias=True, exclude_unset=True, mode="json")
    for key, value in sent.items():
        if _is_reset(key, value):
            merged.pop(key, None)
        else:
            merged[key] = _without_nones(value)
    return merged


class EventTypeSettingsError(InvalidInput, ValueError):
    """A merged settings document breaks a rule. ``field`` names the first offending field;
    ``problems`` lists (field path, message) for all. Maps to 400 like any InvalidInput."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        self.field = problems[0][0]
        message = "; ".join(f"{path}: {text}" for path, text in problems)
        details = {"errors": [{"property": path, "message": text} for path, text in problems]}
        super().__init__(message, details)


def validate_event_type_settings(merged: Mapping[str, Any]) -> None:
    """Re-validate a whole settings document (e.g. stored + PATCH) against every create rule."""
    try:
        CreateEventTypeInput.model_validate(dict(merged))
    except ValidationError as exc:
        problems = [
            (
                ".".join(str(part) for part in err["loc"]) or "body",
                str(err["msg"]).removeprefix("Value error, "),
            )
            for err in exc.errors()
        ]
        raise EventTypeSettingsError(problems) from None
