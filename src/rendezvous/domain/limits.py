"""Booking limits per day / week / month / year, counted in the schedule's zone.

A booking belongs to the period holding its START (Cal.com does the same: "independent of end
date"). Periods are local calendar units in the zone of the schedule the event type uses (as
Cal.com's slot service does: ``eventType.schedule.timeZone``), not the host's profile zone; weeks
start on ``week_start`` (ISO weekday number, 1 = Monday … 7 = Sunday). A slot is refused when its
period already holds ``limit`` bookings (count limits) or when the minutes already booked plus the
slot's own duration would exceed the limit (duration limits; exactly reaching it is allowed, as in
Cal.com).

Limits count bookings (events), not attendees: a seated booking is one booking of its duration
however many seats are taken, and a seat joining it is not a new booking (the slot engine does
not ask ``LimitCheck`` about it).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime
from typing import Literal

from rendezvous.domain.intervals import from_epoch, to_epoch
from rendezvous.domain.localtime import local_date, midnight, zone
from rendezvous.domain.models import BookedTime, EventRules, PeriodLimits

Unit = Literal["day", "week", "month", "year"]
UNITS: tuple[Unit, ...] = ("day", "week", "month", "year")


def period_key(unit: Unit, day: date, week_start: int = 1) -> int:
    """A number naming the period of ``unit`` that holds local ``day``."""
    if unit == "day":
        return day.toordinal()
    if unit == "week":
        return day.toordinal() - (day.isoweekday() - week_start) % 7
    if unit == "month":
        return day.year * 12 + day.month
    return day.year


def period_dates(unit: Unit, day: date, week_start: int = 1) -> tuple[date, date]:
    """First and last local date of the period of ``unit`` that holds ``day``."""
    if unit == "day":
        return day, day
    if unit == "week":
        first = date.fromordinal(period_key("week", day, week_start))
        return first, date.fromordinal(first.toordinal() + 6)
    if unit == "month":
        first = day.replace(day=1)
        nxt = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
        return first, date.fromordinal(nxt.toordinal() - 1)
    return date(day.year, 1, 1), date(day.year, 12, 31)


def _set_units(*limits: PeriodLimits | None) -> list[Unit]:
    return [u for u in UNITS if any(lim is not None and getattr(lim, u) for lim in limits)]


def booked_span(
    rules: EventRules,
    start: datetime,
    end: datetime,
    *,
    time_zone: str,
    week_start: int = 1,
) -> tuple[datetime, datetime]:
    """The UTC span [lo, hi) whose bookings (by start) the service must load to judge the limits
    of slots starting in [start, end): the outermost limited periods, of ``time_zone``'s calendar,
    touching the range. With no limits it is the range itself (still needed for seats)."""
    units = _set_units(rules.count_limits, rules.duration_limits)
    if not units or end <= start:
        return start, end
    tz = zone(time_zone)
    widest = units[-1]
    first, _ = period_dates(widest, local_date(tz, to_epoch(start)), week_start)
    _, last = period_dates(widest, local_date(tz, to_epoch(end) - 1), week_start)
    lo = midnight(tz, first)
    hi = midnight(tz, date.fromordinal(last.toordinal() + 1))
    return from_epoch(min(lo, to_epoch(start))), from_epoch(max(hi, to_epoch(end)))


class LimitCheck:
    """Counts existing bookings per period of ``time_zone``'s calendar once, then answers per
    slot in O(units). Each ``BookedTime`` is one booking, whatever its attendee count."""

    __slots__ = ("_checks", "_week_start")

    def __init__(
        self,
        rules: EventRules,
        booked: Iterable[BookedTime],
        *,
        time_zone: str,
        week_start: int = 1,
    ) -> None:
        self._week_start = week_start
        # Each check: (unit, limit, table, is_duration).
        self._checks: list[tuple[Unit, int, dict[int, int], bool]] = []
        if not _set_units(rules.count_limits, rules.duration_limits):
            return
        tz = zone(time_zone)
        counts: dict[Unit, dict[int, int]] = {u: defaultdict(int) for u in UNITS}
        minutes: dict[Unit, dict[int, int]] = {u: defaultdict(int) for u in UNITS}
        for b in booked:
            day = local_date(tz, to_epoch(b.start))
            duration = (to_epoch(b.end) - to_epoch(b.start)) // 60
            for u in UNITS:
                key = period_key(u, day, week_start)
                counts[u][key] += 1
                minutes[u][key] += duration
        for lim, table, is_duration in (
            (rules.count_limits, counts, False),
            (rules.duration_limits, minutes, True),
        ):
            if lim is None:
                continue
            for u in UNITS:
                value = getattr(lim, u)
                if value:
                    self._checks.append((u, value, table[u], is_duration))

    @property
    def active(self) -> bool:
        return bool(self._checks)

    def allows(self, day: date, duration: int) -> bool:
        """May a new booking of ``duration`` minutes start on local ``day``?"""
        for unit, limit, table, is_duration in self._checks:
            used = table.get(period_key(unit, day, self._week_start), 0)
            if (used + duration > limit) if is_duration else (used >= limit):
                return False
        return True
