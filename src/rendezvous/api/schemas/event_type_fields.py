"""Nested settings objects of event types, cal-api-version 2024-06-14 (contract §4.1, §4.2).

Objects marked "obj | Disabled" in the contract accept ``{"disabled": true}`` instead, which resets
the setting. They are parsed by ``disableable``: a before-validator that picks the model, so errors
carry plain field paths (``bookingLimitsCount.week``) rather than pydantic's union tags.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from datetime import date
from typing import Annotated, Any, ClassVar, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, model_validator
from pydantic_core import PydanticCustomError

from rendezvous.api.schemas.bounds import (
    IDENTIFIER_MAX,
    MAX_BUFFER_MINUTES,
    MAX_DURATION_MINUTES,
    MAX_LIMIT_COUNT,
    MAX_LIMIT_DURATION,
    MAX_NOTICE_MINUTES,
    MAX_OCCURRENCES,
    MAX_OFFSET_MINUTES,
    MAX_RECURRENCE_INTERVAL,
    MAX_SLOT_INTERVAL_MINUTES,
    MAX_WINDOW_DAYS,
    URL_MAX,
    IntegralFloat,
    Line,
)
from rendezvous.api.schemas.common import (
    EARLIEST_YEAR,
    LATEST_YEAR,
    MAX_ID,
    Problem,
    WireModel,
    fail_at,
    field_errors,
)

PositiveInt = Annotated[int, Field(ge=1, le=MAX_ID), IntegralFloat]
NonNegativeInt = Annotated[int, Field(ge=0, le=MAX_ID), IntegralFloat]
MAX_SEATS_PER_TIME_SLOT = 1000  # Cal.com's MAX_SEATS_PER_TIME_SLOT


LengthMinutes = Annotated[int, Field(ge=1, le=MAX_DURATION_MINUTES), IntegralFloat]
BufferMinutes = Annotated[int, Field(ge=0, le=MAX_BUFFER_MINUTES), IntegralFloat]
IntervalMinutes = Annotated[int, Field(ge=1, le=MAX_SLOT_INTERVAL_MINUTES), IntegralFloat]
NoticeMinutes = Annotated[int, Field(ge=0, le=MAX_NOTICE_MINUTES), IntegralFloat]
OffsetMinutes = Annotated[int, Field(ge=0, le=MAX_OFFSET_MINUTES), IntegralFloat]
LimitCount = Annotated[int, Field(ge=1, le=MAX_LIMIT_COUNT), IntegralFloat]

# --- Strings with a format ---


def slugify(value: str) -> str:
    """Cal.com's ``slugify``: lower-case, accents dropped, every run of other characters → "-",
    no leading or trailing dashes."""
    decomposed = unicodedata.normalize("NFD", value.strip().lower())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    dashed = re.sub(r"[^\w]+|_+", "-", plain)
    return re.sub(r"-{2,}", "-", dashed).strip("-")


def check_slug(value: str) -> str:
    # Cal.com compat: Cal.com slugifies instead of refusing ("Intro Call" → "intro-call"); we do the
    # same and refuse only what leaves nothing usable in a URL.
    slug = slugify(value)
    if not slug:
        raise ValueError("must contain at least one letter or digit")
    return slug


Slug = Annotated[str, AfterValidator(check_slug)]


def check_url(value: str) -> str:
    # Cal.com compat: class-validator's IsUrl also takes scheme-less hosts; we ask for http(s) so
    # that redirects and meeting links are always absolute. The string is kept exactly as sent.
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or re.search(r"\s", value):
        raise ValueError("must be an absolute http(s) URL")
    return value


HttpUrlString = Annotated[str, Field(max_length=URL_MAX), Line, AfterValidator(check_url)]

_HEX = re.compile(r"#?([0-9a-fA-F]{3}|[0-9a-fA-F]{4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})")


def check_hex(value: str) -> str:
    if not _HEX.fullmatch(value):
        raise ValueError("must be a hex color such as #292929")
    return value


HexColor = Annotated[str, AfterValidator(check_hex)]

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def check_date(value: str) -> str:
    try:
        if not _DATE.fullmatch(value):
            raise ValueError
        day = date.fromisoformat(value)
    except ValueError:
        raise ValueError("must be a real date as YYYY-MM-DD") from None
    if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
        raise ValueError(f"must be between the years {EARLIEST_YEAR} and {LATEST_YEAR}")
    return value


DateString = Annotated[str, AfterValidator(check_date)]

# --- Choosing a model by a key (plain paths in errors) ---


def dispatch(choose: Callable[[Mapping[str, Any]], type[BaseModel] | str]) -> BeforeValidator:
    """A before-validator turning a dict into the model ``choose`` names; a string from ``choose``
    is an error message about the object's ``type``."""

    def validate(value: Any) -> Any:
        if isinstance(value, BaseModel):
            return value
        if not isinstance(value, dict):
            raise PydanticCustomError("model_type", "must be an object")
        chosen = choose(value)
        if isinstance(chosen, str):
            fail_at(("type",), chosen, value.get("type"))
        return chosen.model_validate(value)

    return BeforeValidator(validate)


def _only_bool(value: Any) -> Any:
    if not isinstance(value, bool):
        raise PydanticCustomError("bool_type", "Input should be a valid boolean")
    return value


class Disabled(WireModel):
    """``{"disabled": true}``: turn the setting off (reset it)."""

    # Strict: a Literal compares by equality, and 1 == 1.0 == True.
    disabled: Annotated[Literal[True], BeforeValidator(_only_bool)]


def _is_disabled(value: Mapping[str, Any]) -> bool:
    return value.get("disabled") is True


def disableable(model: type[BaseModel]) -> BeforeValidator:
    return dispatch(lambda v: Disabled if _is_disabled(v) else model)


# --- The nested objects ---

PERIODS = ("day", "week", "month", "year")


def _period_problems(values: Mapping[str, int | None], unit: str) -> list[Problem]:
    """Cal.com's rule: a shorter period's limit may not exceed a longer one's."""
    problems: list[Problem] = []
    for i, shorter in enumerate(PERIODS):
        small = values.get(shorter)
        if small is None:
            continue
        for longer in PERIODS[i + 1 :]:
            large = values.get(longer)
            if large is not None and small > large:
                message = f"the {unit} per {shorter} cannot exceed the {unit} per {longer}"
                problems.append(((shorter,), message, small))
                break
    return problems


class _PeriodLimits(WireModel):
    unit: ClassVar[str] = "limit"

    @model_validator(mode="after")
    def _check(self) -> _PeriodLimits:
        values = {p: getattr(self, p) for p in PERIODS}
        if all(v is None for v in values.values()):
            fail_at((), "give at least one of day, week, month, year (or disabled: true)")
        problems = _period_problems(values, self.unit)
        if problems:
            raise field_errors(problems, type(self).__name__)
        return self


class BookingLimitsCount(_PeriodLimits):
    unit: ClassVar[str] = "number of bookings"
    day: LimitCount | None = None
    week: LimitCount | None = None
    month: LimitCount | None = None
    year: LimitCount | None = None


DurationMinutes = Annotated[int, Field(ge=15, le=MAX_LIMIT_DURATION, multiple_of=15), IntegralFloat]


class BookingLimitsDuration(_PeriodLimits):
    unit: ClassVar[str] = "booked minutes"
    day: DurationMinutes | None = None
    week: DurationMinutes | None = None
    month: DurationMinutes | None = None
    year: DurationMinutes | None = None


class BookerActiveBookingsLimit(WireModel):
    maximum_active_bookings: LimitCount | None = None
    offer_reschedule: bool | None = None

    @model_validator(mode="after")
    def _something(self) -> BookerActiveBookingsLimit:
        if self.maximum_active_bookings is None and self.offer_reschedule is None:
            fail_at(("maximumActiveBookings",), "Field required")
        return self


class DaysWindow(WireModel):
    type: Literal["businessDays", "calendarDays"]
    value: Annotated[int, Field(ge=1, le=MAX_WINDOW_DAYS), IntegralFloat]
    rolling: bool | None = None


class RangeWindow(WireModel):
    type: Literal["range"]
    value: list[DateString] = Field(min_length=2, max_length=2)

    @model_validator(mode="after")
    def _ordered(self) -> RangeWindow:
        if self.value[1] < self.value[0]:
            fail_at(("value", 1), "the range may not end before it starts", self.value[1])
        return self


def _window(value: Mapping[str, Any]) -> type[BaseModel] | str:
    if _is_disabled(value):
        return Disabled
    kind = value.get("type")
    if kind in ("businessDays", "calendarDays"):
        return DaysWindow
    if kind == "range":
        return RangeWindow
    return "must be one of businessDays, calendarDays, range (or send disabled: true)"


class NoticeThreshold(WireModel):
    unit: Literal["minutes", "hours"]
    count: Annotated[int, Field(ge=1, le=MAX_NOTICE_MINUTES), IntegralFloat]


class ConfirmationPolicy(WireModel):
    type: Literal["always", "time"]
    block_unconfirmed_bookings_in_booker: bool
    notice_threshold: NoticeThreshold | None = None

    @model_validator(mode="after")
    def _threshold(self) -> ConfirmationPolicy:
        if self.type == "time" and self.notice_threshold is None:
            fail_at(("noticeThreshold",), 'required when type is "time"')
        return self


class Recurrence(WireModel):
    interval: Annotated[int, Field(ge=1, le=MAX_RECURRENCE_INTERVAL), IntegralFloat]
    occurrences: Annotated[int, Field(ge=1, le=MAX_OCCURRENCES), IntegralFloat]
    frequency: Literal["yearly", "monthly", "weekly"]


class Seats(WireModel):
    seats_per_time_slot: Annotated[int, Field(ge=1, le=MAX_SEATS_PER_TIME_SLOT), IntegralFloat]
    show_attendee_info: bool
    show_availability_count: bool


Layout = Literal["month", "week", "column"]


class BookerLayouts(WireModel):
    default_layout: Layout
    enabled_layouts: list[Layout] = Field(min_length=1)

    @model_validator(mode="after")
    def _default_enabled(self) -> BookerLayouts:
        self.enabled_layouts = list(dict.fromkeys(self.enabled_layouts))
        if self.default_layout not in self.enabled_layouts:
            fail_at(("defaultLayout",), "must be one of enabledLayouts", self.default_layout)
        return self


class EventTypeColor(WireModel):
    light_theme_hex: HexColor
    dark_theme_hex: HexColor


class DestinationCalendar(WireModel):
    integration: Annotated[str, Field(min_length=1, max_length=IDENTIFIER_MAX), Line]
    external_id: Annotated[str, Field(min_length=1, max_length=IDENTIFIER_MAX), Line]


class CalVideoSettings(WireModel):
    """Accepted and echoed; a self-hosted server has no Cal Video to apply them to."""

    disable_recording_for_organizer: bool | None = None
    disable_recording_for_guests: bool | None = None
    redirect_url_on_exit: HttpUrlString | None = None
    enable_automatic_recording_for_organizer: bool | None = None
    enable_automatic_transcription: bool | None = None
    disable_transcription_for_guests: bool | None = None
    disable_transcription_for_organizer: bool | None = None
    send_transcription_emails: bool | None = None


class DisableCancelling(WireModel):
    """Here ``disabled: true`` means "bookers may not cancel", not a reset."""

    disabled: bool | None = None


class DisableRescheduling(WireModel):
    disabled: bool | None = None
    minutes_before: Annotated[int, Field(ge=1, le=MAX_NOTICE_MINUTES), IntegralFloat] | None = None


# Annotated field types for the top-level models.
BookingLimitsCountField = Annotated[Disabled | BookingLimitsCount, disableable(BookingLimitsCount)]
BookingLimitsDurationField = Annotated[
    Disabled | BookingLimitsDuration, disableable(BookingLimitsDuration)
]
BookerActiveBookingsLimitField = Annotated[
    Disabled | BookerActiveBookingsLimit, disableable(BookerActiveBookingsLimit)
]
BookingWindowField = Annotated[Disabled | DaysWindow | RangeWindow, dispatch(_window)]
ConfirmationPolicyField = Annotated[Disabled | ConfirmationPolicy, disableable(ConfirmationPolicy)]
RecurrenceField = Annotated[Disabled | Recurrence, disableable(Recurrence)]
SeatsField = Annotated[Disabled | Seats, disableable(Seats)]

DISABLEABLE = (
    "bookingLimitsCount",
    "bookingLimitsDuration",
    "bookerActiveBookingsLimit",
    "bookingWindow",
    "confirmationPolicy",
    "recurrence",
    "seats",
)
