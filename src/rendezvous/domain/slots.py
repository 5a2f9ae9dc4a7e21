"""Open time + event rules + what is taken → the slots a booker may pick.

Semantics (minutes throughout; instants are epoch seconds inside the loops):

* Duration: ``rules.duration`` unless the caller asks for one of ``duration_options``.
* Grid: the grid restarts at every local midnight of the schedule's zone. Each local day's open
  windows (windows of that day that overlap or touch are one) are grid bases; starts step by
  ``slot_interval`` (or the duration) in real time from a base and must lie inside that window.
  A window that continues past midnight does not carry its grid over: the next day's window
  starts a new grid at its 00:00. The slot itself only has to fit in the open time, which may run
  across midnight: with 00:00–24:00 every day, a 45-minute slot at 23:30 (ending 00:15) is
  offered, and so is 00:00. The starts of a day therefore depend on that day's rules only, never
  on the query range, ``now`` or bookings: those only remove candidates.
  Cal.com compat: Cal.com starts a day at now + notice rounded up to a clock boundary and restarts
  after busy times; we keep the schedule's grid, so offered starts are stable.
* Daylight saving: windows keep their wall-clock meaning (see ``availability``) and starts step in
  real time. A local time that does not exist is never a start; a start in the second pass of a
  repeated local time (PEP 495 ``fold=1``, e.g. 01:00–02:00 EST after 01:00–02:00 EDT in New
  York) is dropped, so the repeated hour is not offered twice. Both rules look only at the start
  instant, not at the query.
* ``offset_start`` (Cal.com ``offsetStart``): the first start of each grid moves ``offset``
  minutes later and starts step by interval + offset, as Cal.com's slot builder does.
* Buffers: a candidate is free when [start − before, end + after) meets no busy interval (busy
  intervals of bookings already carry their own buffers).
* Minimum notice: start ≥ now + notice (so never in the past).
* Booking window: see ``booking_window``; booking limits: see ``limits``. Both count calendar days
  (weeks, months, years) of the schedule's zone, the zone the rules are written in, whatever the
  host's profile zone (Cal.com's slot service counts limits in the event type's schedule's zone).
* Seats: a booking of this event type starting exactly at a candidate, with free seats, keeps the
  slot (its own busy intervals are ignored; others still block); a full one removes it. A seat
  that joins such a booking adds no event and no minutes, so booking limits do not apply to it
  (they count bookings, as Cal.com does, not attendees).
* Range: a slot is listed when it lies inside the query, start ≥ ``range_start`` and end ≤
  ``range_end``, as Cal.com clips the open time to the requested range before it cuts slots. So
  the booking check asks about one start with the range [start, start + duration). As in
  Cal.com, what clients send for "through the end of an hour or day" keeps the slot that ends
  then: a slot may end one second after ``range_end`` (``…T18:59:59`` keeps 18:30–19:00), and a
  ``range_end`` inside the minute 23:59 of the schedule's zone reaches the next local midnight
  (Cal.com adds that minute back to an open time clipped to 23:59, date-ranges.ts).
* ``only_first_slot``: the first remaining slot of each day of ``display_time_zone`` (the zone
  the caller renders in), as Cal.com groups by the booker's zone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from rendezvous.domain import booking_window as bw
from rendezvous.domain.availability import WRITTEN_END_OF_DAY, daily_epoch_windows
from rendezvous.domain.errors import DurationNotOffered
from rendezvous.domain.intervals import PointSet, from_epoch, merge, to_epoch
from rendezvous.domain.limits import LimitCheck, booked_span
from rendezvous.domain.localtime import (
    DAY,
    DayIndex,
    local_date,
    midnight,
    offset_at,
    repeated_spans,
    zone,
)
from rendezvous.domain.models import BookedTime, BookingWindow, Busy, EventRules, Schedule, Slot


def resolve_duration(rules: EventRules, duration: int | None) -> int:
    """The slot duration in minutes for a request; raises DurationNotOffered for a foreign one."""
    if duration is None or duration == rules.duration or duration in rules.duration_options:
        return rules.duration if duration is None else duration
    raise DurationNotOffered(
        f"Duration {duration} is not offered by this event type",
        {"offered": sorted({rules.duration, *rules.duration_options})},
    )


@dataclass(frozen=True, slots=True)
class LoadSpans:
    """What the service must load for one slot query: busy intervals overlapping ``busy`` and
    bookings of the event type starting inside ``booked`` (both [start, end) UTC)."""

    busy: tuple[datetime, datetime]
    booked: tuple[datetime, datetime]


def _generation_bounds(
    rules: EventRules, range_start: int, range_end: int, now: int, time_zone: str
) -> tuple[int, int]:
    """[lo, hi) of candidate starts worth generating (rolling windows look from now); the
    window's dates are dates in ``time_zone``, the schedule's."""
    tz = zone(time_zone)
    earliest = now + rules.minimum_notice * 60
    window = rules.booking_window
    lo = earliest if _is_rolling(rules) else max(range_start, earliest)
    hi = range_end
    first, last = bw.fixed_bounds(window, local_date(tz, now))
    if first is not None:
        lo = max(lo, midnight(tz, first))
    if last is not None:
        hi = min(hi, midnight(tz, date.fromordinal(last.toordinal() + 1)))
    return lo, hi


def spans_to_load(
    schedule: Schedule,
    rules: EventRules,
    *,
    range_start: datetime,
    range_end: datetime,
    now: datetime,
    week_start: int = 1,
    duration: int | None = None,
) -> LoadSpans:
    """The UTC spans of busy times and bookings that ``compute_slots`` needs for this query
    (periods of limits and windows are the schedule's calendar days)."""
    minutes = resolve_duration(rules, duration)
    lo, hi = _generation_bounds(
        rules, to_epoch(range_start), to_epoch(range_end), to_epoch(now), schedule.time_zone
    )
    hi = max(lo, hi)
    busy = (
        from_epoch(lo - rules.before_buffer * 60),
        from_epoch(hi + (minutes + rules.after_buffer) * 60),
    )
    booked = booked_span(
        rules, from_epoch(lo), from_epoch(hi), time_zone=schedule.time_zone, week_start=week_start
    )
    return LoadSpans(busy=busy, booked=booked)


_Grid = tuple[int, int, int, tuple[tuple[int, int], ...]]


def _grids(schedule: Schedule, lo: int, hi: int, dur: int) -> list[_Grid]:
    """The grids whose starts may fall in [lo, hi) for slots ``dur`` seconds long, as
    (base, start limit, fit limit, repeated spans).

    One grid per open window of a local day (``daily_epoch_windows``): starts are ``base`` + k ×
    step below ``start limit`` (the window's end), and a slot must end by ``fit limit``, the end
    of the open time merged across midnights (the windows of the days up to the one of
    ``hi + dur`` suffice, as a slot starting before ``hi`` ends before that). No start is offered
    in a repeated span, the second pass of a fall-back inside the window. All of it is computed
    from whole local days, so it does not depend on where [lo, hi) begins or ends.
    """
    daily = daily_epoch_windows(schedule, lo, hi + dur)
    if not daily:
        return []
    tz = zone(schedule.time_zone)
    merged = merge(daily)
    out: list[_Grid] = []
    j = 0
    for start, end in daily:
        if end <= lo:
            continue
        if start >= hi:
            break
        while merged[j][1] < end:
            j += 1
        out.append((start, end, merged[j][1], tuple(repeated_spans(tz, start, end))))
    return out


Accepted = list[tuple[int, int | None, str | None]]  # (start epoch, seats taken, booking uid)


def compute_slots(
    schedule: Schedule,
    rules: EventRules,
    *,
    range_start: datetime,
    range_end: datetime,
    now: datetime,
    busy: Iterable[Busy],
    booked: Iterable[BookedTime] = (),
    duration: int | None = None,
    week_start: int = 1,
    display_time_zone: str | None = None,
) -> list[Slot]:
    """Slots inside [range_start, range_end] (start ≥ range_start, end ≤ range_end, with
    Cal.com's allowances for ends written "…:59:59", see ``_fit_end``), sorted by start. Days
    of booking limits and windows are the schedule's; ``week_start`` is an ISO weekday;
    ``display_time_zone`` (default: the schedule's) only groups ``only_first_slot``. See the
    module docstring."""
    minutes = resolve_duration(rules, duration)
    dur = minutes * 60
    accepted = accepted_starts(
        schedule,
        rules,
        range_start=range_start,
        range_end=range_end,
        now=now,
        busy=busy,
        booked=booked,
        duration=minutes,
        week_start=week_start,
        display_time_zone=display_time_zone,
    )
    seats_total = rules.seats_per_slot
    return [Slot(from_epoch(t), from_epoch(t + dur), n, seats_total, uid) for t, n, uid in accepted]


def accepted_starts(
    schedule: Schedule,
    rules: EventRules,
    *,
    range_start: datetime,
    range_end: datetime,
    now: datetime,
    busy: Iterable[Busy],
    booked: Iterable[BookedTime] = (),
    duration: int | None = None,
    week_start: int = 1,
    display_time_zone: str | None = None,
) -> Accepted:
    """``compute_slots``'s answer as (start epoch seconds, seats taken, seated booking uid),
    before the slots are built: for callers that combine several hosts' starts."""
    minutes = resolve_duration(rules, duration)
    dur = minutes * 60
    offset = rules.offset_start * 60
    step = ((rules.slot_interval or minutes) * 60) + offset
    before, after = rules.before_buffer * 60, rules.after_buffer * 60
    r_start, r_end, now_s = to_epoch(range_start), to_epoch(range_end), to_epoch(now)
    day_zone = schedule.time_zone
    lo, hi = _generation_bounds(rules, r_start, r_end, now_s, day_zone)
    if lo >= hi or step <= 0:
        return []

    booked = tuple(booked)
    busy_raw = [(to_epoch(b.start), to_epoch(b.end), b.booking_uid) for b in busy]
    taken = PointSet(merge((s, e) for s, e, _ in busy_raw))
    seats_total = rules.seats_per_slot
    seated = _seated(booked) if seats_total is not None else {}
    limits = LimitCheck(rules, booked, time_zone=day_zone, week_start=week_start)
    day_tz = zone(day_zone)
    days = DayIndex(day_tz, lo, hi) if limits.active or _is_rolling(rules) else None

    taken_times = _TakenTimes(busy_raw, taken, seated, seats_total, before, after)
    accepted = _accepted(schedule, lo, hi, dur, offset, step, taken_times, limits, days, minutes)

    if _is_rolling(rules) and accepted:
        assert days is not None and rules.booking_window is not None
        accepted = _within_rolling_window(accepted, rules.booking_window, day_tz, days, now_s, hi)
    fit_end = _fit_end(r_end, day_tz)
    return _shown(accepted, rules, r_start, fit_end, dur, display_time_zone or day_zone)


@dataclass(frozen=True, slots=True)
class _TakenTimes:
    """What is taken, in epoch seconds: busy intervals (with their booking uids, and merged
    into ``taken``), seats already taken per start, and the buffers a start must keep free."""

    busy_raw: list[tuple[int, int, str | None]]
    taken: PointSet
    seated: dict[int, tuple[int, str]]
    seats_total: int | None
    before: int
    after: int


def _accepted(
    schedule: Schedule,
    lo: int,
    hi: int,
    dur: int,
    offset: int,
    step: int,
    taken_times: _TakenTimes,
    limits: LimitCheck,
    days: DayIndex | None,
    minutes: int,
) -> Accepted:
    """Every grid start in [lo, hi) that is free, has a seat, and is within the limits, as
    (start epoch, seats taken, seated booking uid)."""
    busy_raw, taken, seated = taken_times.busy_raw, taken_times.taken, taken_times.seated
    seats_total, before, after = taken_times.seats_total, taken_times.before, taken_times.after
    accepted: Accepted = []
    # Nothing taken and nothing counted: every grid start outside a repeated span is accepted
    # (the common case of a host's candidate starts, ``hosts.fast_team_slots``).
    open_grid = not taken_times.busy_raw and not seated and not limits.active
    seats_free = 0 if seats_total is not None else None
    for base, start_limit, fit_limit, repeated in _grids(schedule, lo, hi, dur):
        t = base + offset
        if t < lo:
            t += -(-(lo - t) // step) * step
        last = min(start_limit - 1, fit_limit - dur, hi - 1)
        if open_grid and not repeated:
            accepted.extend((s, seats_free, None) for s in range(t, last + 1, step))
            continue
        while t <= last:
            if repeated and any(r_lo <= t < r_hi for r_lo, r_hi in repeated):
                t += step
                continue
            seat = seated.get(t) if seated else None
            if seat is not None:
                if seat[0] >= (seats_total or 0) or _blocked_except(
                    busy_raw, t - before, t + dur + after, seat[1]
                ):
                    t += step
                    continue
            elif taken.overlaps(t - before, t + dur + after):
                t += step
                continue
            # A seat joining a booking adds no event and no minutes: limits do not apply to it.
            if limits.active and seat is None:
                assert days is not None
                if not limits.allows(days.day(t), minutes):
                    t += step
                    continue
            if seat is not None:
                accepted.append((t, seat[0], seat[1]))
            else:
                accepted.append((t, 0 if seats_total is not None else None, None))
            t += step
    return accepted


def _shown(
    accepted: Accepted, rules: EventRules, r_start: int, fit_end: int, dur: int, zone_name: str
) -> Accepted:
    """The accepted starts the query shows: inside its range, starting at ``r_start`` or later
    and ending by ``fit_end`` (``_fit_end``); trimmed only now, so that a rolling window still
    counts the days the range leaves out. And only the first of each day in ``zone_name`` for
    ``only_first_slot``."""
    if accepted and (accepted[0][0] < r_start or accepted[-1][0] + dur > fit_end):
        accepted = [a for a in accepted if a[0] >= r_start and a[0] + dur <= fit_end]
    if rules.only_first_slot and accepted:
        accepted = _first_per_day(accepted, zone_name)
    return accepted


def _seated(booked: Iterable[BookedTime]) -> dict[int, tuple[int, str]]:
    """Attendees already seated per start epoch, with the uid of the booking they share."""
    seated: dict[int, tuple[int, str]] = {}
    for b in booked:
        t = to_epoch(b.start)
        prev = seated.get(t)
        seated[t] = (b.attendees + (prev[0] if prev else 0), prev[1] if prev else b.uid)
    return seated


def _within_rolling_window(
    accepted: Accepted, window: BookingWindow, day_tz: ZoneInfo, days: DayIndex, now_s: int, hi: int
) -> Accepted:
    """The starts inside a rolling window: it counts bookable days, so it ends only once the
    starts are known (a day without any does not count)."""
    today = local_date(day_tz, now_s)
    bookable = {days.ordinal(t) for t, _, _ in accepted}
    last_day = bw.rolling_last_day(window, today, bookable, days.ordinal(hi - 1))
    if last_day is None:
        return accepted
    cut = midnight(day_tz, date.fromordinal(last_day.toordinal() + 1))
    return [a for a in accepted if a[0] < cut]


def _fit_end(range_end: int, tz: ZoneInfo) -> int:
    """The latest instant (epoch seconds) a listed slot may end for a query ending at
    ``range_end``, as Cal.com's slot builder allows: one second past ``range_end`` (a slot fits
    while its end minus one second is not after the range end, so ``…T18:59:59`` keeps a slot
    ending at 19:00), and the next local midnight of ``tz`` when ``range_end`` falls in the minute
    23:59 there (date-ranges.ts gives an open time clipped to 23:59 its minute back)."""
    if (range_end + offset_at(tz, range_end)) % DAY // 60 != WRITTEN_END_OF_DAY:
        return range_end + 1
    return midnight(tz, date.fromordinal(local_date(tz, range_end).toordinal() + 1))


def _is_rolling(rules: EventRules) -> bool:
    w = rules.booking_window
    return w is not None and w.rolling and w.kind != "range"


def _blocked_except(
    busy_raw: list[tuple[int, int, str | None]], start: int, end: int, uid: str
) -> bool:
    """Does [start, end) meet a busy interval that is not booking ``uid``'s own?"""
    return any(s < end and e > start and b != uid for s, e, b in busy_raw)


def _first_per_day(
    accepted: list[tuple[int, int | None, str | None]], tz_name: str
) -> list[tuple[int, int | None, str | None]]:
    days = DayIndex(zone(tz_name), accepted[0][0], accepted[-1][0])
    out: list[tuple[int, int | None, str | None]] = []
    seen = -1
    for item in accepted:
        d = days.ordinal(item[0])
        if d != seen:
            out.append(item)
            seen = d
    return out
