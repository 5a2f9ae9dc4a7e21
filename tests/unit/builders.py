"""Tiny builders for engine tests: a schedule, an event, instants and readable slot lists."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from rendezvous.domain.models import (
    BookedTime,
    Busy,
    EventRules,
    Override,
    Rule,
    Schedule,
    Slot,
)
from rendezvous.domain.slots import compute_slots

DAYS = {"mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6, "sun": 7}


def minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def window(text: str) -> tuple[int, int]:
    start, end = text.split("-")
    return minutes(start), minutes(end)


def schedule(
    tz: str = "UTC",
    *,
    mon_fri: str | None = None,
    every_day: str | None = None,
    weekly: dict[str, str] | None = None,
    overrides: dict[str, str | None] | None = None,
) -> Schedule:
    """``weekly={"mon,wed": "09:00-12:00"}``; ``overrides={"2027-03-15": "10:00-11:00"}`` (None or
    "" = unavailable all day; several windows separated by commas)."""
    rules: list[Rule] = []
    if mon_fri:
        rules.append(Rule(frozenset({1, 2, 3, 4, 5}), *window(mon_fri)))
    if every_day:
        rules.append(Rule(frozenset(range(1, 8)), *window(every_day)))
    for days, text in (weekly or {}).items():
        rules.append(Rule(frozenset(DAYS[d] for d in days.split(",")), *window(text)))
    ovs: list[Override] = []
    for day, text in (overrides or {}).items():
        d = date.fromisoformat(day)
        if not text:
            ovs.append(Override(d, 0, 0))
        else:
            ovs.extend(Override(d, *window(w)) for w in text.split(","))
    return Schedule(tz, tuple(rules), tuple(ovs))


def event(duration: int = 30, **kw: Any) -> EventRules:
    return EventRules(duration=duration, **kw)


def utc(text: str) -> datetime:
    """``utc("2027-03-01T09:00")`` or ``utc("2027-03-01")`` → aware UTC datetime."""
    if "T" not in text:
        text += "T00:00"
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def at(tz: str, text: str) -> datetime:
    """A wall-clock time in ``tz`` as an aware UTC datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(tz)).astimezone(UTC)


def busy(start: datetime, minutes_long: int, uid: str | None = None) -> Busy:
    return Busy(start, start + timedelta(minutes=minutes_long), uid)


def booked(start: datetime, minutes_long: int, uid: str = "b1", attendees: int = 1) -> BookedTime:
    return BookedTime(start, start + timedelta(minutes=minutes_long), uid, attendees)


def local(slots: Iterable[Slot], tz: str) -> list[str]:
    """Slot starts as "YYYY-MM-DD HH:MM" wall-clock strings in ``tz``."""
    z = ZoneInfo(tz)
    return [s.start.astimezone(z).strftime("%Y-%m-%d %H:%M") for s in slots]


def times(slots: Iterable[Slot], tz: str) -> list[str]:
    """Slot starts as "HH:MM" in ``tz`` (for single-day tests)."""
    return [x[11:] for x in local(slots, tz)]


def slots(
    sched: Schedule,
    rules: EventRules | None = None,
    *,
    start: str,
    end: str,
    now: str = "2000-01-01",
    busy: Iterable[Busy] = (),
    booked: Iterable[BookedTime] = (),
    **kw: Any,
) -> list[Slot]:
    """compute_slots with readable defaults (days of limits and windows are the schedule's)."""
    return compute_slots(
        sched,
        rules or event(),
        range_start=utc(start),
        range_end=utc(end),
        now=utc(now),
        busy=busy,
        booked=booked,
        **kw,
    )
