"""The date-and-time picker: a month of days in the visitor's zone, each marked with whether
it has a free slot, and the slots of the chosen day. Pure functions over the slot engine's
answer (``services.slots.find_slots``)."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from rendezvous.domain.models import Slot

WEEK_STARTS = {"Monday": 0, "Sunday": 6, "Saturday": 5}


@dataclass(frozen=True, slots=True)
class Day:
    day: date
    in_month: bool
    free: int  # slots that day


@dataclass(frozen=True, slots=True)
class Month:
    first: date
    weeks: list[list[Day]]
    weekday_names: list[str]

    @property
    def previous(self) -> date:
        return (self.first - timedelta(days=1)).replace(day=1)

    @property
    def next(self) -> date:
        return (self.first + timedelta(days=32)).replace(day=1)


def month_range(first: date, zone: str) -> tuple[datetime, datetime]:
    """The instants [start, end) of the month beginning ``first`` on ``zone``'s wall clock."""
    tz = ZoneInfo(zone)
    following = (first + timedelta(days=32)).replace(day=1)
    start = datetime.combine(first, time(0), tz)
    end = datetime.combine(following, time(0), tz)
    return start, end


def by_day(slots: Iterable[Slot], zone: str) -> dict[date, list[Slot]]:
    """Slots grouped by their local date in ``zone``, in order."""
    tz = ZoneInfo(zone)
    out: dict[date, list[Slot]] = {}
    for slot in slots:
        out.setdefault(slot.start.astimezone(tz).date(), []).append(slot)
    return out


def month_grid(first: date, days: dict[date, list[Slot]], week_start: str = "Monday") -> Month:
    """The weeks of the month beginning ``first`` (each a list of 7 Days, padded with the
    neighbouring months' days), starting on ``week_start``."""
    cal = calendar.Calendar(WEEK_STARTS.get(week_start, 0))
    weeks = [
        [Day(d, d.month == first.month, len(days.get(d, ()))) for d in week]
        for week in cal.monthdatescalendar(first.year, first.month)
    ]
    names = [calendar.day_abbr[(cal.firstweekday + i) % 7] for i in range(7)]
    return Month(first, weeks, names)
