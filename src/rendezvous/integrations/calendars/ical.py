"""iCalendar (RFC 5545) text → busy intervals, read as a calendar user expects.

Parsing uses ``icalendar``; feeds that carry only a calendar-wide ``X-WR-TIMEZONE`` (Google's
exports) are first made standard with ``x-wr-timezone``; recurrence (RRULE, RDATE, EXDATE and
RECURRENCE-ID overrides) is expanded with ``recurring-ical-events``. An occurrence blocks time
unless it is ``TRANSP:TRANSPARENT`` or ``STATUS:CANCELLED`` (RFC 5545 §3.8.2.7, §3.8.1.11), or
one of Rendezvous's own bookings written back (its time is held in the database already).
All-day events (``DTSTART;VALUE=DATE``) and floating times are read in the host's time zone, as
Cal.com reads them: an all-day event blocks those whole days where the host lives.

A feed is untrusted input, so reading it is bounded (``parse`` runs once per fetch, in a worker
thread; ``busy_between`` per 30-day bucket):

- Events that do not recur (no RRULE, RDATE or RECURRENCE-ID under their UID) are kept apart
  and read directly, so a feed of many one-off events costs one pass, not a recurrence engine
  run per event.
- As Cal.com's CalDAV and ICS readers ("Won't handle [HOURLY|MINUTELY|SECONDLY] recurrence"),
  a recurrence more often than daily is ignored, and so is one whose BYHOUR × BYMINUTE ×
  BYSECOND makes more than ``MAX_PER_DAY`` occurrences a day, or which would take more than
  ``MAX_ITERATIONS`` steps from its DTSTART to ``HORIZON`` (FREQ=DAILY from the year 1).
- More than ``MAX_TZ_RULES`` VTIMEZONE observances (STANDARD/DAYLIGHT) make the feed
  unreadable (every time lookup would walk them all).
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

MAX_PER_DAY = 24
MAX_ITERATIONS = 150_000
HORIZON = date(2100, 1, 1)
MAX_TZ_RULES = 500
SINGLES = "X-RENDEZVOUS-SINGLES"  # marks the calendar holding the events that do not recur
_PERIOD_DAYS = {"DAILY": 1, "WEEKLY": 7, "MONTHLY": 28, "YEARLY": 365}
_MULTIPLIERS = ("BYMONTH", "BYWEEKNO", "BYYEARDAY", "BYMONTHDAY", "BYDAY")


class BadCalendar(ValueError):
    """Text that is not iCalendar data."""


def parse(text: str) -> list[icalendar.Calendar]:
    """Every VCALENDAR in ``text`` (a feed has one; CalDAV objects are parsed one by one),
    X-WR-TIMEZONE made standard, each split in two: the recurring events (with the time
    zones) and, marked ``SINGLES``, the one-off events; recurrences too costly to expand are
    left out (see above). BadCalendar when it is not iCalendar data."""
    upper = text.upper()
    rules = upper.count("BEGIN:STANDARD") + upper.count("BEGIN:DAYLIGHT")
    if rules > MAX_TZ_RULES:
        raise BadCalendar(f"the feed's time zones have more than {MAX_TZ_RULES} rules")
    try:
        calendars = icalendar.Calendar.from_ical(text, multiple=True)
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise BadCalendar(f"not iCalendar data: {str(exc)[:200]}") from None
    if not calendars:
        raise BadCalendar("not iCalendar data: no VCALENDAR")
    found: list[icalendar.Calendar] = []
    for calendar in calendars:
        try:
            standard = x_wr_timezone.to_standard(calendar)
        except (ValueError, TypeError, KeyError, OverflowError) as exc:
            raise BadCalendar(f"not iCalendar data: {str(exc)[:200]}") from None
        found.extend(_split(standard))
    return found


def _recurs(event: Any) -> bool:
    return any(event.get(name) is not None for name in ("RRULE", "RDATE", "RECURRENCE-ID"))


def _too_costly(event: Any) -> bool:
    """Whether expanding the event's RRULE could take unbounded time (see the module)."""
    rule = event.get("RRULE")
    if rule is None:
        return False
    rules = rule if isinstance(rule, list) else [rule]
    for one in rules:
        try:
            freq = str(one.get("FREQ", ["DAILY"])[0]).upper()
            per_day = 1
            for part in ("BYHOUR", "BYMINUTE", "BYSECOND"):
                per_day *= max(1, len(one.get(part, [])))
            if freq not in _PERIOD_DAYS or per_day > MAX_PER_DAY:
                return True
            per_period = per_day
            for part in _MULTIPLIERS:
                per_period *= max(1, len(one.get(part, [])))
            interval = max(1, int(one.get("INTERVAL", [1])[0]))
            start = event["DTSTART"].dt
            first = start.date() if isinstance(start, datetime) else start
            steps = (HORIZON - first).days / (_PERIOD_DAYS[freq] * interval) * per_period
        except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError):
            return True
        if steps > MAX_ITERATIONS:
            return True
    return False


def _split(calendar: icalendar.Calendar) -> list[icalendar.Calendar]:
    events = list(calendar.walk("VEVENT"))
    recurring_uids = {str(e.get("UID", "")) for e in events if _recurs(e)}
    costly = {str(e.get("UID", "")) for e in events if _too_costly(e)}
    recurring = icalendar.Calendar()
    singles = icalendar.Calendar()
    singles.add(SINGLES, "1")
    for component in calendar.subcomponents:
        if component.name == "VTIMEZONE":
            recurring.add_component(component)
        elif component.name == "VEVENT":
            uid = str(component.get("UID", ""))
            if uid in costly:
                continue
            (recurring if uid in recurring_uids else singles).add_component(component)
    return [recurring, singles]


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
        if calendar.get(SINGLES) is not None:
            occurrences: Iterable[Any] = calendar.walk("VEVENT")
        else:
            try:
                occurrences = recurring_ical_events.of(calendar).between(first, last)
            except (ValueError, TypeError, KeyError, OverflowError) as exc:
                raise BadCalendar(f"cannot expand the events: {str(exc)[:200]}") from None
        for event in occurrences:
            if not _blocks(event):
                continue
            try:
                span = _span(event, zone)
            except (ValueError, TypeError, KeyError, OverflowError, AttributeError):
                continue  # one unreadable event (a broken date) does not hide the others
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
