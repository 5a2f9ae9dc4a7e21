"""iCalendar (RFC 5545) text → busy intervals, read as a calendar user expects.

Parsing uses ``icalendar``; feeds that carry only a calendar-wide ``X-WR-TIMEZONE`` (Google's
exports) are first made standard with ``x-wr-timezone``; recurrence (RRULE, RDATE, EXDATE and
RECURRENCE-ID overrides) is expanded with ``recurring-ical-events``. An occurrence blocks time
unless it is ``TRANSP:TRANSPARENT`` or ``STATUS:CANCELLED`` (RFC 5545 §3.8.2.7, §3.8.1.11), or
one of Rendezvous's own bookings written back (its time is held in the database already).
All-day events (``DTSTART;VALUE=DATE``) and floating times are read in the host's time zone, as
Cal.com reads them: an all-day event blocks those whole days where the host lives.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
import x_wr_timezone

from rendezvous.domain.calendars import OWN_UID_SUFFIX

Interval = tuple[datetime, datetime]


class BadCalendar(ValueError):
    """Text that is not iCalendar data."""


def parse(text: str) -> list[icalendar.Calendar]:
    """Every VCALENDAR in ``text`` (a feed has one; CalDAV objects are parsed one by one),
    X-WR-TIMEZONE made standard. BadCalendar when it is not iCalendar data."""
    try:
        calendars = icalendar.Calendar.from_ical(text, multiple=True)
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise BadCalendar(f"not iCalendar data: {str(exc)[:200]}") from None
    if not calendars:
        raise BadCalendar("not iCalendar data: no VCALENDAR")
    return [x_wr_timezone.to_standard(c) for c in calendars]


def _instant(value: Any, zone: ZoneInfo) -> datetime:
    if isinstance(value, datetime):
        moment: datetime = value if value.tzinfo else value.replace(tzinfo=zone)  # floating
        return moment.astimezone(UTC)
    if isinstance(value, date):  # an all-day date: midnight where the host lives
        return datetime(value.year, value.month, value.day, tzinfo=zone).astimezone(UTC)
    raise BadCalendar(f"not a date or date-time: {value!r}")


def _blocks(event: Any) -> bool:
    if str(event.get("UID", "")).endswith(OWN_UID_SUFFIX):
        return False  # a booking written back: its time is already held
    transp = str(event.get("TRANSP", "OPAQUE")).upper()
    status = str(event.get("STATUS", "CONFIRMED")).upper()
    return transp != "TRANSPARENT" and status != "CANCELLED"


def _span(event: Any, zone: ZoneInfo) -> Interval | None:
    start_prop = event.get("DTSTART")
    if start_prop is None:
        return None
    start_value = start_prop.dt
    end_prop = event.get("DTEND")
    if end_prop is not None:
        end_value = end_prop.dt
    elif event.get("DURATION") is not None:
        end_value = start_value + event["DURATION"].dt
    elif isinstance(start_value, datetime):
        end_value = start_value  # RFC 5545 §3.6.1: a date-time without end takes no time
    else:
        end_value = start_value + timedelta(days=1)  # … and a date without end is that day
    start = _instant(start_value, zone)
    end = _instant(end_value, zone)
    if end <= start:
        return None
    return start, end


def busy_between(
    calendars: Iterable[icalendar.Calendar], start: datetime, end: datetime, time_zone: str
) -> list[Interval]:
    """Busy intervals (aware UTC, half-open) of the events of ``calendars`` that overlap
    [start, end), sorted by start. ``time_zone`` (IANA) reads all-day and floating times."""
    zone = ZoneInfo(time_zone)
    # Asked by date a day wider on each side: floating and all-day events are then found
    # whatever the host's offset, and cut to the instants below.
    first = (start - timedelta(days=1)).date()
    last = (end + timedelta(days=2)).date()
    found: list[Interval] = []
    for calendar in calendars:
        try:
            occurrences = recurring_ical_events.of(calendar).between(first, last)
        except (ValueError, TypeError, KeyError, OverflowError) as exc:
            raise BadCalendar(f"cannot expand the events: {str(exc)[:200]}") from None
        for event in occurrences:
            if not _blocks(event):
                continue
            span = _span(event, zone)
            if span is not None and span[0] < end and span[1] > start:
                found.append(span)
    found.sort()
    return found


def merge(intervals: Sequence[Interval]) -> list[Interval]:
    """Sorted, overlapping or touching intervals joined."""
    merged: list[Interval] = []
    for s, e in sorted(intervals):
        if merged and s <= merged[-1][1]:
            if e > merged[-1][1]:
                merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return merged
