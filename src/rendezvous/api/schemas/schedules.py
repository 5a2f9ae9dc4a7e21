"""Schedule wire models, cal-api-version 2024-06-11 (contract §5, §0 items 10 and 11).

Stored form: a schedule keeps ``availability`` and ``overrides`` exactly as the wire items the user
sent (after normalisation: day names, duplicate days dropped), i.e. lists of
``{"days": [...], "startTime": "HH:MM", "endTime": "HH:MM"}`` and
``{"date": "YYYY-MM-DD", "startTime": "HH:MM", "endTime": "HH:MM"}``; the engine's form is
made from them by ``domain/schedules.StoredSchedule``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, field_validator, model_validator

from rendezvous.api.schemas.bounds import Name, json_bounds
from rendezvous.api.schemas.common import (
    EARLIEST_YEAR,
    LATEST_YEAR,
    WEEKDAYS,
    ClockTime,
    Loc,
    OutModel,
    Problem,
    TimeZoneName,
    Weekday,
    WireModel,
    fail_at,
    field_errors,
)

DAY_MINUTES = 1440

# Contract §0 item 11: every new schedule (and every user's first one) defaults to Mon–Fri 9–5.
DEFAULT_AVAILABILITY: tuple[dict[str, Any], ...] = (
    {"days": list(WEEKDAYS[:5]), "startTime": "09:00", "endTime": "17:00"},
)

# Contract §0 item 10: numbers are 0 = Sunday … 6 = Saturday (JavaScript's Date.getDay()).
_BY_NUMBER = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
_BY_NAME = {name.lower(): name for name in WEEKDAYS}
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
MAX_AVAILABILITY = 100
MAX_OVERRIDES = 1000
# Items are typed (depth 2); the shared JSON bound caps count and size before item validation.
_WINDOWS_BOUND = json_bounds(max_depth=3, max_items=20_000, max_bytes=256 * 1024)
AvailabilityList = Annotated[
    list["AvailabilityInput"], _WINDOWS_BOUND, Field(max_length=MAX_AVAILABILITY)
]
OverrideList = Annotated[list["OverrideInput"], _WINDOWS_BOUND, Field(max_length=MAX_OVERRIDES)]


def to_minutes(clock: str) -> int:
    """``"HH:MM"`` → minutes since midnight; ``"24:00"`` is 1440."""
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def _day_name(value: Any, index: int) -> str:
    if isinstance(value, str):
        text = value.strip()
        if text.lower() in _BY_NAME:
            return _BY_NAME[text.lower()]
        if text.isascii() and text.isdigit():
            value = int(text)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 6:
        return _BY_NUMBER[value]
    fail_at(
        (index,),
        "must be a weekday name (Monday … Sunday) or a number 0 (Sunday) … 6 (Saturday)",
        value,
    )


def _normalise_days(value: Any) -> Any:
    if not isinstance(value, list | tuple):
        return value  # the list type reports the error
    names: list[str] = []
    for index, item in enumerate(value):
        name = _day_name(item, index)
        if name not in names:
            names.append(name)
    return names


Days = Annotated[
    list[Weekday],
    BeforeValidator(
        _normalise_days, json_schema_input_type=list[Weekday | Annotated[int, Field(ge=0, le=6)]]
    ),
    Field(min_length=1),
]


def _check_date(value: str) -> str:
    if not _DATE.fullmatch(value):
        raise ValueError("must be a date as YYYY-MM-DD")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise ValueError("must be a real calendar date (YYYY-MM-DD)") from None
    if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
        raise ValueError(f"must be between the years {EARLIEST_YEAR} and {LATEST_YEAR}")
    return value


class AvailabilityInput(WireModel):
    """A weekly window: on each of ``days``, from ``startTime`` to ``endTime`` (schedule's zone)."""

    days: Days
    start_time: ClockTime
    end_time: ClockTime

    @model_validator(mode="after")
    def _end_after_start(self) -> AvailabilityInput:
        if self.start_time == "24:00":
            fail_at(("startTime",), "must be before 24:00", self.start_time)
        if to_minutes(self.end_time) <= to_minutes(self.start_time):
            fail_at(("endTime",), "must be after startTime", self.end_time)
        return self


class OverrideInput(WireModel):
    """Date-specific hours replacing the weekly ones; 00:00–00:00 means unavailable all day."""

    date: str
    start_time: ClockTime
    end_time: ClockTime

    @field_validator("date")
    @classmethod
    def _real_date(cls, value: str) -> str:
        return _check_date(value)

    @model_validator(mode="after")
    def _end_after_start(self) -> OverrideInput:
        if self.start_time == self.end_time == "00:00":
            return self
        if self.start_time == "24:00":
            fail_at(("startTime",), "must be before 24:00", self.start_time)
        if to_minutes(self.end_time) <= to_minutes(self.start_time):
            fail_at(
                ("endTime",),
                "must be after startTime (use 00:00–00:00 for a day off)",
                self.end_time,
            )
        return self


def _overlaps(windows: Iterable[tuple[int, int, int]]) -> list[tuple[int, int]]:
    """(earlier item, later item) for each window starting before an earlier one has ended."""
    found: list[tuple[int, int]] = []
    reach, owner = -1, -1
    for start, end, index in sorted(windows):
        if start < reach:
            found.append((owner, index))
        if end > reach:
            reach, owner = end, index
    return found


def _availability_problems(items: list[AvailabilityInput]) -> list[Problem]:
    """Windows on the same weekday may not overlap, even when they come from different items."""
    by_day: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    for index, item in enumerate(items):
        for day in item.days:
            by_day[day].append((to_minutes(item.start_time), to_minutes(item.end_time), index))
    problems: list[Problem] = []
    reported: set[int] = set()
    for name in WEEKDAYS:
        for first, second in _overlaps(by_day.get(name, [])):
            if second not in reported:
                reported.add(second)
                loc: Loc = ("availability", second, "startTime")
                message = f"overlaps availability.{first} on {name}"
                problems.append((loc, message, items[second].start_time))
    return problems


def _override_problems(items: list[OverrideInput]) -> list[Problem]:
    """Several overrides may share a date, but not overlap or mix with a day off."""
    by_date: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    for index, item in enumerate(items):
        by_date[item.date].append((to_minutes(item.start_time), to_minutes(item.end_time), index))
    problems: list[Problem] = []
    for day, windows in by_date.items():
        if len(windows) < 2:
            continue
        windows.sort()
        for start, end, index in windows:
            if start == end == 0:
                message = f"a 00:00–00:00 day off can't be combined with other overrides on {day}"
                problems.append(
                    (("overrides", index, "startTime"), message, items[index].start_time)
                )
                break
        else:
            for first, second in _overlaps(windows):
                loc: Loc = ("overrides", second, "startTime")
                message = f"overlaps overrides.{first} on {day}"
                problems.append((loc, message, items[second].start_time))
    return problems


class _ScheduleBody(WireModel):
    def _check_windows(self) -> None:
        availability: list[AvailabilityInput] | None = getattr(self, "availability", None)
        overrides: list[OverrideInput] | None = getattr(self, "overrides", None)
        problems = _availability_problems(availability or []) + _override_problems(overrides or [])
        if problems:
            raise field_errors(problems, type(self).__name__)


class CreateScheduleInput(_ScheduleBody):
    name: Name
    time_zone: TimeZoneName
    is_default: bool
    availability: AvailabilityList = Field(
        default_factory=lambda: [AvailabilityInput.model_validate(i) for i in DEFAULT_AVAILABILITY]
    )
    overrides: OverrideList = Field(default_factory=list)

    @model_validator(mode="after")
    def _no_overlaps(self) -> CreateScheduleInput:
        self._check_windows()
        return self


class UpdateScheduleInput(_ScheduleBody):
    """PATCH: every field optional; ``model_fields_set`` tells what was sent. ``null`` is refused
    (there is nothing to reset to)."""

    name: Name | None = None
    time_zone: TimeZoneName | None = None
    is_default: bool | None = None
    availability: AvailabilityList | None = None
    overrides: OverrideList | None = None

    @model_validator(mode="after")
    def _no_nulls_no_overlaps(self) -> UpdateScheduleInput:
        nulls: list[Problem] = [
            ((self._alias(name),), "may not be null", None)
            for name in sorted(self.model_fields_set)
            if getattr(self, name) is None
        ]
        if nulls:
            raise field_errors(nulls, type(self).__name__)
        self._check_windows()
        return self

    @classmethod
    def _alias(cls, name: str) -> str:
        return cls.model_fields[name].alias or name


def availability_items(items: Iterable[AvailabilityInput]) -> list[dict[str, Any]]:
    """Validated availability → stored/wire dicts, as the user grouped them."""
    return [item.model_dump(by_alias=True) for item in items]


def override_items(items: Iterable[OverrideInput]) -> list[dict[str, Any]]:
    return [item.model_dump(by_alias=True) for item in items]


class AvailabilityOutput(OutModel):
    days: list[str]
    start_time: str
    end_time: str


class OverrideOutput(OutModel):
    date: str
    start_time: str
    end_time: str


class ScheduleOutput(OutModel):
    id: int
    owner_id: int
    name: str
    time_zone: str
    availability: list[AvailabilityOutput]
    is_default: bool
    overrides: list[OverrideOutput]


def schedule_output(
    *,
    id: int,
    owner_id: int,
    name: str,
    time_zone: str,
    is_default: bool,
    availability: Iterable[Mapping[str, Any]],
    overrides: Iterable[Mapping[str, Any]],
) -> dict[str, Any]:
    """The §5 ``Schedule`` object from stored values."""
    out = ScheduleOutput(
        id=id,
        owner_id=owner_id,
        name=name,
        time_zone=time_zone,
        availability=[AvailabilityOutput.model_validate(dict(a)) for a in availability],
        is_default=is_default,
        overrides=[OverrideOutput.model_validate(dict(o)) for o in overrides],
    )
    return out.model_dump()
