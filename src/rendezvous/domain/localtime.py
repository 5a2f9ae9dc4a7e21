"""Wall-clock ↔ instant conversions with zoneinfo, over epoch seconds.

Deliberate rules for the two DST oddities:

* A local time that does not exist (inside a spring-forward gap) maps to the first instant after
  the gap, i.e. the transition itself: 02:30 on the day New York jumps 02:00→03:00 is 03:00 EDT.
  Cal.com compat: dayjs shifts such times forward by the gap length (02:30 → 03:30); clamping to
  the transition keeps a window from growing on the short day.
* A local time that exists twice (fall-back) means its first occurrence (PEP 495 ``fold=0``).
  Windows are merged afterwards, so the repeated hour is never counted twice. The instants of the
  second pass (``fold=1``) are found by ``repeated_spans``; the slot engine offers no start there.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
DAY = 86_400


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    """The ZoneInfo for an IANA name (raises ZoneInfoNotFoundError for an unknown one)."""
    return ZoneInfo(name)


def _offset(tz: ZoneInfo, epoch: int) -> int:
    off = datetime.fromtimestamp(epoch, tz).utcoffset()
    assert off is not None
    return int(off.total_seconds())


def offset_at(tz: ZoneInfo, epoch: int) -> int:
    """UTC offset in seconds in zone ``tz`` at instant ``epoch``."""
    return _offset(tz, epoch)


def local_to_epoch(tz: ZoneInfo, day: date, minute: int) -> int:
    """The instant at which the wall clock in ``tz`` shows ``day`` + ``minute`` minutes.

    ``minute`` may be 1440 (24:00, the next midnight). See the module docstring for times that
    occur zero or two times.
    """
    # Aware + timedelta is wall-clock arithmetic in zoneinfo and yields fold=0.
    first = datetime(day.year, day.month, day.day, tzinfo=tz) + timedelta(minutes=minute)
    wall = (day.toordinal() - EPOCH_ORDINAL) * DAY + minute * 60
    off0 = first.utcoffset()
    off1 = first.replace(fold=1).utcoffset()
    assert off0 is not None and off1 is not None
    s0 = int(off0.total_seconds())
    s1 = int(off1.total_seconds())
    if s0 >= s1:
        # Unambiguous (equal) or fall-back (s0 > s1): fold=0 is the first occurrence.
        return wall - s0
    # Spring-forward gap: the instant lies between wall - s1 (before) and wall - s0 (after).
    return _change_after(tz, wall - s1, wall - s0, s0)


def _change_after(tz: ZoneInfo, lo: int, hi: int, offset: int) -> int:
    """The first instant in (lo, hi] whose offset is not ``offset``, given that lo has it and
    hi does not (one offset change between them)."""
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _offset(tz, mid) == offset:
            lo = mid
        else:
            hi = mid
    return hi


def repeated_spans(tz: ZoneInfo, start: int, end: int) -> list[tuple[int, int]]:
    """The second passes of repeated local times (PEP 495 ``fold=1``) that begin in (start, end).

    Each is [transition, transition + offset decrease): after a fall-back the wall clock shows
    again, for that long, the times it showed just before. Offset changes are found by comparing
    the offsets at the ends of the span and bisecting, two offset look-ups for a span without
    change; a change that a later one in the same span undoes is not seen, which no zone does
    within the day-long spans the slot engine asks about.
    """
    out: list[tuple[int, int]] = []
    last = end - 1
    if last < start:
        return out
    here, off_here = start, _offset(tz, start)
    off_last = _offset(tz, last)
    while off_here != off_last:
        after = _change_after(tz, here, last, off_here)
        off_after = _offset(tz, after)
        if off_after < off_here:
            out.append((after, after + off_here - off_after))
        here, off_here = after, off_after
    return out


def local_date(tz: ZoneInfo, epoch: int) -> date:
    """The wall-clock date in ``tz`` at instant ``epoch``."""
    return date.fromordinal(EPOCH_ORDINAL + (epoch + _offset(tz, epoch)) // DAY)


def midnight(tz: ZoneInfo, day: date) -> int:
    """The first instant of local ``day`` in ``tz``."""
    return local_to_epoch(tz, day, 0)


class DayIndex:
    """Maps instants to local dates quickly: local midnights over a span, searched with bisect."""

    __slots__ = ("_first", "_midnights")

    def __init__(self, tz: ZoneInfo, start: int, end: int) -> None:
        first = local_date(tz, start)
        last = local_date(tz, max(start, end))
        self._first = first.toordinal()
        self._midnights = [
            midnight(tz, date.fromordinal(o)) for o in range(self._first, last.toordinal() + 2)
        ]

    def ordinal(self, epoch: int) -> int:
        """Proleptic ordinal of the local date of ``epoch`` (must lie inside the span)."""
        return self._first + bisect_right(self._midnights, epoch) - 1

    def day(self, epoch: int) -> date:
        return date.fromordinal(self.ordinal(epoch))
