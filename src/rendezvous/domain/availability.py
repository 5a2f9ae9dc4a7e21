"""A schedule's weekly rules and date overrides → open UTC intervals.

Rules are wall-clock times in the schedule's zone, so they are expanded per LOCAL date: 09:00–17:00
on the 23-hour spring-forward day is 7 real hours, on the 25-hour fall-back day 9 only if the
window spans the repeated hour. Nonexistent and repeated local times follow ``localtime``.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from rendezvous.domain.intervals import clip, from_epoch, merge, to_epoch
from rendezvous.domain.localtime import local_date, local_to_epoch, zone
from rendezvous.domain.models import Schedule

MINUTES_PER_DAY = 1440
# Cal.com's availability editor cannot write 24:00: a window that runs to midnight is stored as
# 23:59, and Cal.com reads that end as the end of the day (date-ranges.ts adds the minute back).
WRITTEN_END_OF_DAY = 1439


def window_end(end: int) -> int:
    """The end, in minutes since local midnight, that a written window end means: 23:59 (1439)
    is the end of the day (1440, the next midnight), as in Cal.com; later ends are capped there."""
    return MINUTES_PER_DAY if end >= WRITTEN_END_OF_DAY else end


def windows_by_date(
    schedule: Schedule, first: date, last: date
) -> list[tuple[date, list[tuple[int, int]]]]:
    """Each local date in [first, last] with its wall-clock windows (minutes since midnight).

    Any override for a date replaces that date's weekly rules; an override with start == end == 0
    (or any empty one) contributes no window, so it can close a whole day. An end of 23:59 means
    24:00 (``window_end``), for weekly rules and overrides alike, so such a day joins a next day
    open from 00:00.
    """
    weekly: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for rule in schedule.rules:
        end = window_end(rule.end)
        if rule.start < end:
            for weekday in rule.days:
                weekly[weekday].append((rule.start, end))
    overridden: dict[date, list[tuple[int, int]]] = defaultdict(list)
    for ov in schedule.overrides:
        windows = overridden[ov.date]  # creating the key marks the date as overridden
        end = window_end(ov.end)
        if ov.start < end:
            windows.append((ov.start, end))
    out: list[tuple[date, list[tuple[int, int]]]] = []
    for ordinal in range(first.toordinal(), last.toordinal() + 1):
        day = date.fromordinal(ordinal)
        windows = overridden[day] if day in overridden else weekly.get(day.isoweekday(), [])
        if windows:
            out.append((day, windows))
    return out


def daily_epoch_windows(schedule: Schedule, start: int, end: int) -> list[tuple[int, int]]:
    """The open time of each local date, from the date of instant ``start`` to that of ``end``,
    as sorted epoch-second intervals, not clipped to [start, end).

    Windows are merged within a date but never across one: a date open until 24:00 and the next
    one open from 00:00 give two intervals that touch at midnight. Each interval lies within its
    date's local midnights.
    """
    tz = zone(schedule.time_zone)
    out: list[tuple[int, int]] = []
    for day, windows in windows_by_date(schedule, local_date(tz, start), local_date(tz, end)):
        out.extend(
            merge((local_to_epoch(tz, day, lo), local_to_epoch(tz, day, hi)) for lo, hi in windows)
        )
    return out


def open_epoch_intervals(schedule: Schedule, start: int, end: int) -> list[tuple[int, int]]:
    """Open time in [start, end) as a merged list of epoch-second intervals."""
    if end <= start:
        return []
    return clip(merge(daily_epoch_windows(schedule, start, end)), start, end)


def open_intervals(
    schedule: Schedule, start_utc: datetime, end_utc: datetime
) -> list[tuple[datetime, datetime]]:
    """Open time in [start_utc, end_utc) as merged, sorted aware-UTC intervals."""
    return [
        (from_epoch(s), from_epoch(e))
        for s, e in open_epoch_intervals(schedule, to_epoch(start_utc), to_epoch(end_utc))
    ]
