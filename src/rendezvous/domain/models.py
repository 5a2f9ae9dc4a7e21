"""Frozen inputs and outputs of the scheduling engine.

The services layer fills these from the database and hands them to ``slots.compute_slots``.
Every datetime is aware (UTC); every duration is whole minutes; wall-clock times are minutes
since local midnight in the schedule's zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

BookingWindowKind = Literal["businessDays", "calendarDays", "range"]
SlotFormat = Literal["time", "range"]


@dataclass(frozen=True, slots=True)
class Rule:
    """A weekly window: on each of ``days`` (ISO weekdays, 1=Monday … 7=Sunday), local
    ``start``..``end`` minutes since midnight; ``end`` may be 1440 (24:00), and 1439 (23:59)
    means the same (``availability.window_end``)."""

    days: frozenset[int]
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Override:
    """A date-specific window. Any override for a date replaces that date's weekly rules;
    several overrides for one date are several windows; ``start == end == 0`` means the
    whole date is unavailable. An ``end`` of 1439 (23:59) means 1440, as for ``Rule``."""

    date: date
    start: int
    end: int

    @property
    def blocks_day(self) -> bool:
        return self.start == self.end == 0


@dataclass(frozen=True, slots=True)
class Schedule:
    time_zone: str
    rules: tuple[Rule, ...] = ()
    overrides: tuple[Override, ...] = ()


@dataclass(frozen=True, slots=True)
class BookingWindow:
    """How far ahead a booker may book (Cal.com ``bookingWindow`` / ``periodType``).

    ``calendarDays``/``businessDays`` use ``days`` and ``rolling``; ``range`` uses the
    inclusive local dates ``start_date``..``end_date`` in the schedule's zone.
    """

    kind: BookingWindowKind
    days: int = 0
    rolling: bool = False
    start_date: date | None = None
    end_date: date | None = None


@dataclass(frozen=True, slots=True)
class PeriodLimits:
    """Per-period limits, in bookings (count limits) or minutes (duration limits)."""

    day: int | None = None
    week: int | None = None
    month: int | None = None
    year: int | None = None

    @property
    def any(self) -> bool:
        return any(v is not None for v in (self.day, self.week, self.month, self.year))


@dataclass(frozen=True, slots=True)
class EventRules:
    """The event type's slot-shaping settings (all durations in minutes)."""

    duration: int
    duration_options: tuple[int, ...] = ()
    slot_interval: int | None = None
    before_buffer: int = 0
    after_buffer: int = 0
    minimum_notice: int = 0
    booking_window: BookingWindow | None = None
    count_limits: PeriodLimits | None = None
    duration_limits: PeriodLimits | None = None
    offset_start: int = 0
    only_first_slot: bool = False
    seats_per_slot: int | None = None


@dataclass(frozen=True, slots=True)
class Busy:
    """An occupied interval [start, end). For a booking it ALREADY includes that booking's
    own before/after buffers; it may also be an external calendar busy time or a slot
    reservation held by someone else. ``booking_uid`` names the booking, if any."""

    start: datetime
    end: datetime
    booking_uid: str | None = None


@dataclass(frozen=True, slots=True)
class BookedTime:
    """An active booking of THIS event type (used for booking limits and seats).
    ``start``/``end`` are the meeting itself, without buffers."""

    start: datetime
    end: datetime
    uid: str
    attendees: int = 1


@dataclass(frozen=True, slots=True)
class Slot:
    """An offered start. Seat fields are set only for seated event types."""

    start: datetime
    end: datetime
    seats_booked: int | None = None
    seats_total: int | None = None
    booking_uid: str | None = None

    @property
    def seats_remaining(self) -> int | None:
        if self.seats_total is None:
            return None
        return self.seats_total - (self.seats_booked or 0)
