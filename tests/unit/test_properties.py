"""Properties of the slot engine over random schedules, zones, bookings and event rules."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from rendezvous.domain.availability import daily_epoch_windows, open_intervals
from rendezvous.domain.booking_rules import check_start
from rendezvous.domain.booking_window import fixed_bounds
from rendezvous.domain.errors import DomainError
from rendezvous.domain.intervals import from_epoch, to_epoch
from rendezvous.domain.localtime import local_date, midnight, repeated_spans, zone
from rendezvous.domain.models import (
    BookedTime,
    BookingWindow,
    Busy,
    EventRules,
    Override,
    PeriodLimits,
    Rule,
    Schedule,
)
from rendezvous.domain.slots import compute_slots
from tests.unit.builders import utc

ZONES = [
    "UTC",
    "America/New_York",
    "Europe/Berlin",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Australia/Lord_Howe",
    "America/St_Johns",
    "Pacific/Chatham",
    # Far from UTC, so that the schedule's calendar day is rarely the UTC one.
    "Pacific/Auckland",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
]
# Days around DST changes in both hemispheres, and an ordinary one.
BASE_DAYS = [
    "2027-03-13",
    "2027-03-27",
    "2027-04-03",
    "2027-10-02",
    "2027-10-30",
    "2027-11-06",
    "2027-06-15",
]
PROPS = settings(max_examples=60, deadline=None)
# Zones whose offset changes by an amount that 25, 45 or 90 minutes does not divide, and days of
# such changes (both directions, both hemispheres).
DST_ZONES = [
    "America/New_York",
    "Europe/Berlin",
    "Australia/Lord_Howe",
    "America/St_Johns",
    "Pacific/Chatham",
]
CHANGE_DAYS = [
    "2027-03-14",
    "2027-03-28",
    "2027-04-04",
    "2027-09-26",
    "2027-10-03",
    "2027-10-31",
    "2027-11-07",
    "2030-03-10",
]


# 1439 is an end written 23:59, which means 24:00 (Cal.com's editor writes midnight that way).
END_OF_DAY_ENDS = [1439, 1440]


@st.composite
def rules_(draw: st.DrawFn) -> Rule:
    # Days open from 00:00 are frequent, so that days ending at midnight run into them.
    start = draw(st.one_of(st.just(0), st.integers(0, 1435).map(lambda s: s // 5 * 5)))
    ends = st.integers(start + 5, 1440).map(lambda e: e // 5 * 5)
    end = draw(st.one_of(ends, st.sampled_from(END_OF_DAY_ENDS)))
    days = draw(st.frozensets(st.integers(1, 7), min_size=1))
    return Rule(days, start, max(end, start + 5))


@st.composite
def worlds(draw: st.DrawFn, *, monotone: bool = False):
    tz = draw(st.sampled_from(ZONES))
    base = utc(draw(st.sampled_from(BASE_DAYS)))
    start = base + timedelta(minutes=draw(st.integers(0, 48 * 60)) // 15 * 15)
    end = start + timedelta(hours=draw(st.integers(1, 6 * 24)))
    overrides = tuple(
        Override(
            (base + timedelta(days=draw(st.integers(-1, 6)))).date(),
            s := draw(st.integers(0, 1380)) // 15 * 15,
            draw(st.sampled_from([0, s + 60, *END_OF_DAY_ENDS])) if s else 0,
        )
        for _ in range(draw(st.integers(0, 2)))
    )
    schedule = Schedule(tz, tuple(draw(st.lists(rules_(), min_size=1, max_size=3))), overrides)
    duration = draw(st.sampled_from([15, 20, 30, 45, 60, 90]))
    # Seated event types (never with monotone: removing a seated booking over a period already
    # past its limit turns the seat it offered into a new, refused, event).
    seats = None if monotone else draw(st.sampled_from([None, None, 2, 3]))
    window = draw(
        st.one_of(
            st.none(),
            st.none(),
            st.builds(
                BookingWindow,
                st.sampled_from(["calendarDays", "businessDays"]),
                st.integers(0, 5),
                st.just(False) if monotone else st.booleans(),
            ),
            st.builds(
                lambda n, k: BookingWindow(
                    "range",
                    start_date=base.date() + timedelta(n),
                    end_date=base.date() + timedelta(n + k),
                ),
                st.integers(-1, 4),
                st.integers(0, 4),
            ),
        )
    )
    rules = EventRules(
        duration=duration,
        slot_interval=draw(st.sampled_from([None, 10, 15, 25, 30, 60])),
        before_buffer=draw(st.sampled_from([0, 5, 15, 30])),
        after_buffer=draw(st.sampled_from([0, 10, 20])),
        minimum_notice=draw(st.sampled_from([0, 0, 30, 600, 1500])),
        offset_start=draw(st.sampled_from([0, 0, 5, 10])),
        booking_window=window,
        count_limits=draw(
            st.sampled_from([None, PeriodLimits(day=1), PeriodLimits(week=2), PeriodLimits(day=1)])
        ),
        duration_limits=draw(
            st.sampled_from(
                [None, None, PeriodLimits(day=duration), PeriodLimits(week=3 * duration)]
            )
        ),
        only_first_slot=False if monotone else draw(st.booleans()),
        seats_per_slot=seats,
    )
    now = start + timedelta(minutes=draw(st.integers(-3 * 1440, 720)))
    busy = [
        Busy(b, b + timedelta(minutes=draw(st.integers(5, 240))))
        for b in (
            start + timedelta(minutes=draw(st.integers(-120, 6 * 1440)) // 5 * 5)
            for _ in range(draw(st.integers(0, 6)))
        )
    ]
    booked = [
        BookedTime(b.start, b.start + timedelta(minutes=duration), f"b{i}")
        for i, b in enumerate(busy[:2])
    ]
    if seats is not None:
        # Seated bookings at offered starts, holding their time with their buffers as bookings do.
        unlimited = replace(rules, count_limits=None, duration_limits=None)
        free = run((schedule, unlimited, start, end, now, [], []))
        for i in range(min(len(free), draw(st.integers(0, 2)))):
            slot = free[draw(st.integers(0, len(free) - 1))]
            if any(b.start == slot.start for b in booked):
                continue
            uid = f"s{i}"
            booked.append(BookedTime(slot.start, slot.end, uid, draw(st.integers(1, seats))))
            busy.append(
                Busy(
                    slot.start - timedelta(minutes=rules.before_buffer),
                    slot.end + timedelta(minutes=rules.after_buffer),
                    uid,
                )
            )
    return schedule, rules, start, end, now, busy, booked


@st.composite
def long_worlds(draw: st.DrawFn):
    """Weeks-long queries across a DST change on schedules open (nearly) round the clock, with
    steps that do not divide the offset change: where a grid carried across midnights would
    depend on how far back the query starts."""
    tz = draw(st.sampled_from(DST_ZONES))
    change = utc(draw(st.sampled_from(CHANGE_DAYS)))
    start = change - timedelta(days=draw(st.integers(0, 40)), minutes=draw(st.integers(0, 1439)))
    end = change + timedelta(days=draw(st.integers(1, 45)), minutes=draw(st.integers(0, 1439)))
    all_week = frozenset(range(1, 8))
    round_the_clock = draw(
        st.one_of(
            st.just(Rule(all_week, 0, 1440)),
            st.just(Rule(all_week, 0, 1440)),
            st.builds(lambda day: Rule(all_week - {day}, 0, 1440), st.integers(1, 7)),
            st.builds(lambda half: Rule(all_week, half * 30, 1440), st.integers(0, 47)),
        )
    )
    rules = [round_the_clock, *draw(st.lists(rules_(), max_size=2))]
    overrides = tuple(
        Override(
            (start + timedelta(days=draw(st.integers(0, 80)))).date(),
            s := draw(st.sampled_from([0, 0, 60, 630, 1320])),
            draw(st.sampled_from([0, 1440])) if s else draw(st.sampled_from([0, 120, 1440])),
        )
        for _ in range(draw(st.sampled_from([0, 0, 1, 2])))
    )
    schedule = Schedule(tz, tuple(rules), overrides)
    duration = draw(st.sampled_from([25, 45, 60, 90]))
    event_rules = EventRules(
        duration=duration,
        slot_interval=draw(st.sampled_from([None, None, 25, 45, 50, 90])),
        before_buffer=draw(st.sampled_from([0, 10])),
        after_buffer=draw(st.sampled_from([0, 5])),
        offset_start=draw(st.sampled_from([0, 0, 5])),
        count_limits=draw(st.sampled_from([None, None, PeriodLimits(day=3)])),
    )
    busy = [
        Busy(b, b + timedelta(minutes=draw(st.integers(5, 600))))
        for b in (
            start + timedelta(minutes=draw(st.integers(0, 80 * 1440)) // 5 * 5)
            for _ in range(draw(st.integers(0, 4)))
        )
    ]
    booked = [
        BookedTime(b.start, b.start + timedelta(minutes=duration), f"b{i}")
        for i, b in enumerate(busy[:2])
    ]
    return schedule, event_rules, start, end, start - timedelta(days=1), busy, booked


def run(world, busy=None, booked=None):
    schedule, rules, start, end, now, b, bk = world
    return compute_slots(
        schedule,
        rules,
        range_start=start,
        range_end=end,
        now=now,
        busy=b if busy is None else busy,
        booked=bk if booked is None else booked,
    )


def containing(intervals, s: datetime, e: datetime):
    return next((iv for iv in intervals if iv[0] <= s and e <= iv[1]), None)


def assert_generated(seen: Counter[str], *kinds: str) -> None:
    """A property that holds for want of examples proves nothing: each kind of case it is about
    must have been generated at least once."""
    missing = [kind for kind in kinds if not seen[kind]]
    assert not missing, f"no example generated: {missing}"


# A 24/7 schedule in New York with 45-minute slots, queried from before spring-forward to five
# weeks after it: the worked example of a grid that must not depend on where the query begins.
NY_ROUND_THE_CLOCK = (
    Schedule("America/New_York", (Rule(frozenset(range(1, 8)), 0, 1440),)),
    EventRules(duration=45),
    utc("2030-03-01"),
    utc("2030-04-14"),
    utc("2030-01-01"),
    [],
    [],
)
# New York's fall-back night, 24/7, 30 minutes, a busy hour and a range window.
NY_FALL_BACK = (
    Schedule("America/New_York", (Rule(frozenset(range(1, 8)), 0, 1440),)),
    EventRules(
        duration=30,
        minimum_notice=60,
        booking_window=BookingWindow(
            "range", start_date=date(2027, 11, 6), end_date=date(2027, 11, 7)
        ),
    ),
    utc("2027-11-06"),
    utc("2027-11-09"),
    utc("2027-11-01"),
    [Busy(utc("2027-11-07T15:00"), utc("2027-11-07T16:00"))],
    [BookedTime(utc("2027-11-07T15:00"), utc("2027-11-07T15:30"), "b0")],
)


def test_every_slot_fits_availability_and_is_aligned_to_its_local_days_window():
    seen: Counter[str] = Counter()

    @PROPS
    @given(st.one_of(worlds(), long_worlds()))
    @example(NY_ROUND_THE_CLOCK)
    def check(world):
        schedule, rules, start, end, *_ = world
        got = run(world)
        seen["slots"] += bool(got)
        open_ = open_intervals(schedule, start - timedelta(days=2), end + timedelta(days=1))
        offset = timedelta(minutes=rules.offset_start)
        step = timedelta(minutes=(rules.slot_interval or rules.duration)) + offset
        for slot in got:
            assert containing(open_, slot.start, slot.end) is not None, slot
            # The grid restarts at local midnight: the start lies in a window of its own local
            # day and is a whole number of steps after that window's start (+ the offset).
            t = to_epoch(slot.start)
            day = [(from_epoch(s), from_epoch(e)) for s, e in daily_epoch_windows(schedule, t, t)]
            window = next((w for w in day if w[0] <= slot.start < w[1]), None)
            assert window is not None, slot
            assert slot.start - window[0] >= offset
            assert (slot.start - window[0] - offset) % step == timedelta()

    check()
    assert_generated(seen, "slots")


def test_no_slot_starts_in_the_second_pass_of_a_repeated_local_time():
    seen: Counter[str] = Counter()

    @PROPS
    @given(st.one_of(worlds(), long_worlds()))
    @example(NY_FALL_BACK)
    def check(world):
        tz = zone(world[0].time_zone)
        got = run(world)
        if got and repeated_spans(tz, to_epoch(got[0].start), to_epoch(got[-1].end)):
            seen["slots around a repeated hour"] += 1
        for slot in got:
            assert slot.start.astimezone(tz).fold == 0, slot

    check()
    assert_generated(seen, "slots around a repeated hour")


def test_no_slot_with_its_buffers_meets_a_busy_interval():
    seen: Counter[str] = Counter()

    @PROPS
    @given(worlds())
    @example(NY_FALL_BACK)
    def check(world):
        _, rules, *_rest, busy, _ = world
        got = run(world)
        seen["slots beside busy times"] += bool(got and busy)
        for slot in got:
            lo = slot.start - timedelta(minutes=rules.before_buffer)
            hi = slot.end + timedelta(minutes=rules.after_buffer)
            # A seat joining a seated booking meets that booking's own time, and only that.
            others = [b for b in busy if b.booking_uid is None or b.booking_uid != slot.booking_uid]
            assert all(not (b.start < hi and b.end > lo) for b in others)

    check()
    assert_generated(seen, "slots beside busy times")


def test_slots_are_sorted_unique_and_inside_range_notice_and_window():
    seen: Counter[str] = Counter()

    @PROPS
    @given(worlds())
    @example(NY_FALL_BACK)
    def check(world):
        schedule, rules, start, end, now, *_ = world
        got = run(world)
        seen["slots under notice and a window"] += bool(
            got and rules.minimum_notice and rules.booking_window
        )
        starts = [s.start for s in got]
        assert starts == sorted(set(starts))
        earliest = now + timedelta(minutes=rules.minimum_notice)
        tz = zone(schedule.time_zone)
        first, last = fixed_bounds(rules.booking_window, local_date(tz, to_epoch(now)))
        for slot in got:
            assert start <= slot.start and slot.end <= end, slot  # the slot fits in the range
        for s in starts:
            assert s >= earliest
            day = local_date(tz, to_epoch(s))
            assert first is None or day >= first
            assert last is None or day <= last
            assert midnight(tz, day) <= to_epoch(s)

    check()
    assert_generated(seen, "slots under notice and a window")


def test_removing_a_booking_never_removes_a_slot():
    seen: Counter[str] = Counter()

    @PROPS
    @given(worlds(monotone=True), st.integers(0))
    @example(NY_FALL_BACK, 0)
    def check(world, pick):
        *_, busy, booked = world
        before = {s.start for s in run(world)}
        seen["a removal beside slots"] += bool(before and (busy or booked))
        if busy:
            i = pick % len(busy)
            assert before <= {s.start for s in run(world, busy=busy[:i] + busy[i + 1 :])}
        if booked:
            assert before <= {s.start for s in run(world, booked=booked[1:])}

    check()
    assert_generated(seen, "a removal beside slots")


def test_a_narrower_query_returns_the_same_slots_in_its_range():
    seen: Counter[str] = Counter()

    @settings(PROPS, max_examples=150)
    @given(st.one_of(worlds(), long_worlds(), long_worlds()), st.integers(1, 999), st.integers(0))
    @example(NY_ROUND_THE_CLOCK, 990, 0)
    def check(world, per_mille, pick):
        _, rules, start, end, *_ = world
        if rules.only_first_slot or (rules.booking_window and rules.booking_window.rolling):
            return
        whole = run(world)
        seen["slots"] += bool(whole)
        # Any later start, to the second (weeks later, past a DST change, for long worlds).
        cut = from_epoch(to_epoch(start + (end - start) * per_mille / 1000))
        part = run(replace_range(world, cut, end))
        assert part == [s for s in whole if s.start >= cut]
        # The query the booking check makes, [start, end) of the slot, finds each listed start
        # (here the last, furthest from the query start, and one picked at random).
        for slot in {whole[-1], whole[pick % len(whole)]} if whole else ():
            probe = run(replace_range(world, slot.start, slot.end))
            assert probe == [slot]

    check()
    assert_generated(seen, "slots")


def replace_range(world, start, end):
    schedule, rules, _, _, now, busy, booked = world
    return schedule, replace(rules), start, end, now, busy, booked


# Worlds that hold, for certain, the cases the properties below must see (besides what the
# generators find): a seat joining a booking whose day is at its limit; a day written to end at
# 23:59 followed by one open from 00:00 (Monday 22:00 in Auckland, 60 minutes every 30); a daily
# limit in a zone 14 hours ahead of UTC, where the schedule's day and UTC's differ.
_TEN = utc("2027-03-01T10:00")
SEATED_AT_A_REACHED_LIMIT = (
    Schedule("UTC", (Rule(frozenset(range(1, 8)), 540, 720),)),
    EventRules(duration=60, seats_per_slot=3, count_limits=PeriodLimits(day=1)),
    utc("2027-03-01"),
    utc("2027-03-02"),
    utc("2027-02-01"),
    [Busy(_TEN, _TEN + timedelta(hours=1), "s1")],
    [BookedTime(_TEN, _TEN + timedelta(hours=1), "s1", 1)],
)
A_2359_EVENING_AND_A_MIDNIGHT_MORNING = (
    Schedule("Pacific/Auckland", (Rule(frozenset({1}), 1320, 1439), Rule(frozenset({2}), 0, 180))),
    EventRules(duration=60, slot_interval=30),
    utc("2027-03-14"),
    utc("2027-03-17"),
    utc("2027-03-01"),
    [],
    [],
)
_KIRITIMATI_MIDNIGHT = utc("2027-03-01T10:00")  # 2027-03-02 00:00 at UTC+14
A_DAILY_LIMIT_FAR_FROM_UTC = (
    Schedule("Pacific/Kiritimati", (Rule(frozenset(range(1, 8)), 0, 1440),)),
    EventRules(duration=60, count_limits=PeriodLimits(day=1)),
    utc("2027-03-01"),
    utc("2027-03-03"),
    utc("2027-02-01"),
    [],
    [BookedTime(_KIRITIMATI_MIDNIGHT, _KIRITIMATI_MIDNIGHT + timedelta(hours=1), "b1")],
)


def _seated_past_a_limit(world, slot) -> bool:
    """Is ``slot`` a seat joining a booking in a period whose count limit is already reached?"""
    schedule, rules, *_rest, booked = world
    if slot.booking_uid is None or rules.count_limits is None:
        return False
    tz = ZoneInfo(schedule.time_zone)
    return any(
        sum(period(unit, b.start, tz) == period(unit, slot.start, tz) for b in booked) >= limit
        for unit, limit in limits_of(rules.count_limits)
    )


def test_every_listed_slot_books_and_no_other_start_in_the_range_does():
    """Listing agrees with booking (``check_start``, which reservations, bookings and reschedules
    use) over worlds with 23:59 ends, seated event types with count and duration limits, and
    schedules far from UTC."""
    seen: Counter[str] = Counter()

    @settings(PROPS, max_examples=150)
    @given(worlds(), st.lists(st.integers(0, 10_000), max_size=4))
    @example(SEATED_AT_A_REACHED_LIMIT, [1, 20])
    @example(A_2359_EVENING_AND_A_MIDNIGHT_MORNING, [3])
    def check(world, picks):
        schedule, rules, start, end, now, busy, booked = world
        # Showing only the first slot of a day is a display choice; booking ignores it.
        world = (schedule, replace(rules, only_first_slot=False), *world[2:])
        listed = run(world)
        taken = {"now": now, "busy": busy, "booked": booked}
        for slot in listed:
            assert check_start(schedule, world[1], slot.start, **taken) == slot
            seen["seat past a reached limit"] += _seated_past_a_limit(world, slot)
            seen["slot ending at a 23:59 midnight"] += _ends_at_a_written_2359(schedule, slot)
        seen["seated with limits"] += bool(rules.seats_per_slot and listed) and bool(
            rules.count_limits or rules.duration_limits
        )
        offered = {slot.start for slot in listed}
        duration = timedelta(minutes=rules.duration)
        span = int((end - duration - start) / timedelta(minutes=5))
        for pick in picks if span >= 0 else ():
            probe = start + timedelta(minutes=5 * (pick % (span + 1)))
            if probe not in offered:
                with pytest.raises(DomainError):
                    check_start(schedule, world[1], probe, **taken)

    check()
    assert_generated(
        seen, "seated with limits", "seat past a reached limit", "slot ending at a 23:59 midnight"
    )


def _ends_at_a_written_2359(schedule: Schedule, slot) -> bool:
    """Does ``slot`` end at the local midnight that closes a day written to end at 23:59 (and
    not also at 24:00)?"""
    tz = ZoneInfo(schedule.time_zone)
    end = slot.end.astimezone(tz)
    if (end.hour, end.minute) != (0, 0):
        return False
    day = (end - timedelta(minutes=1)).date()
    overrides = [o for o in schedule.overrides if o.date == day]
    ends = {o.end for o in overrides} or {
        r.end for r in schedule.rules if day.isoweekday() in r.days
    }
    return 1439 in ends and 1440 not in ends


def written_24_00(schedule: Schedule) -> Schedule:
    """The same schedule with every end written 23:59 written 24:00 instead."""
    return Schedule(
        schedule.time_zone,
        tuple(replace(r, end=1440 if r.end == 1439 else r.end) for r in schedule.rules),
        tuple(replace(o, end=1440 if o.end == 1439 else o.end) for o in schedule.overrides),
    )


def test_an_end_written_23_59_is_the_end_of_the_day():
    """A schedule whose windows end at 23:59 offers exactly the slots of the same schedule
    written with 24:00, including slots that run on into a next day open from 00:00."""
    seen: Counter[str] = Counter()

    @settings(PROPS, max_examples=150)
    @given(worlds())
    @example(A_2359_EVENING_AND_A_MIDNIGHT_MORNING)
    def check(world):
        schedule, *rest = world
        got = run(world)
        assert got == run((written_24_00(schedule), *rest))
        seen["slot ending at a 23:59 midnight"] += any(
            _ends_at_a_written_2359(schedule, s) for s in got
        )
        seen["slot running past a 23:59 midnight"] += any(
            _crosses_a_written_2359(schedule, s) for s in got
        )

    check()
    assert_generated(seen, "slot ending at a 23:59 midnight", "slot running past a 23:59 midnight")


# The Auckland world above queried up to Monday 18:00 there: its end's day is the Monday that
# runs to midnight.
AN_AUCKLAND_MONDAY_TO_2359 = replace_range(
    A_2359_EVENING_AND_A_MIDNIGHT_MORNING, utc("2027-03-14"), utc("2027-03-15T05:00")
)


def test_a_query_ending_in_the_minute_23_59_lists_what_one_ending_at_midnight_does():
    """A range end anywhere in the minute 23:59 of the schedule's zone (a client's
    "…T23:59:59.999") lists exactly what an end at the next local midnight lists, slots ending
    at midnight included (Cal.com adds that minute back to open time clipped to 23:59)."""
    seen: Counter[str] = Counter()

    @settings(PROPS, max_examples=150)
    @given(worlds(), st.integers(0, 59), st.integers(0, 999_999))
    @example(AN_AUCKLAND_MONDAY_TO_2359, 59, 999_999)
    def check(world, second, micro):
        schedule, _, start, end, *_ = world
        tz = ZoneInfo(schedule.time_zone)
        day = end.astimezone(tz).date()
        late = datetime.combine(day, time(23, 59, second, micro), tz).astimezone(UTC)
        next_midnight = datetime.combine(day + timedelta(1), time(), tz).astimezone(UTC)
        if late <= start:
            return
        to_midnight = run(replace_range(world, start, next_midnight))
        assert run(replace_range(world, start, late)) == to_midnight
        seen["slot ending at that midnight"] += any(s.end == next_midnight for s in to_midnight)

    check()
    assert_generated(seen, "slot ending at that midnight")


# 09:00–17:00 UTC with 30 minutes, queried 09:00–12:00: the last slot ends at the query's end.
A_MORNING_TO_NOON = (
    Schedule("UTC", (Rule(frozenset(range(1, 8)), 540, 1020),)),
    EventRules(duration=30),
    utc("2027-03-01T09:00"),
    utc("2027-03-01T12:00"),
    utc("2027-02-01"),
    [],
    [],
)


def test_a_query_ending_one_second_short_lists_what_the_whole_query_does():
    """Cal.com's slot builder lets a slot end one second after the range end: a query ending at
    ``end`` − 1 s (a client's "…:59:59") lists what the query ending at ``end`` does."""
    seen: Counter[str] = Counter()

    @PROPS
    @given(st.one_of(worlds(), long_worlds()))
    @example(A_MORNING_TO_NOON)
    def check(world):
        _, _, start, end, *_ = world
        whole = run(world)
        assert run(replace_range(world, start, end - timedelta(seconds=1))) == whole
        seen["slot ending at the query end"] += any(s.end == end for s in whole)

    check()
    assert_generated(seen, "slot ending at the query end")


def _crosses_a_written_2359(schedule: Schedule, slot) -> bool:
    """Does ``slot`` run across the local midnight that closes a day written to end at 23:59?"""
    tz = ZoneInfo(schedule.time_zone)
    start, end = slot.start.astimezone(tz), slot.end.astimezone(tz)
    if end.date() == start.date() or (end.hour, end.minute) == (0, 0):
        return False
    midnight_after = replace(slot, end=datetime.combine(end.date(), time(), tz).astimezone(UTC))
    return _ends_at_a_written_2359(schedule, midnight_after)


def limits_of(limits: PeriodLimits | None) -> list[tuple[str, int]]:
    units = ("day", "week", "month", "year")
    return [(u, getattr(limits, u)) for u in units if limits and getattr(limits, u)]


def period(unit: str, moment: datetime, tz: ZoneInfo) -> object:
    """The calendar period of ``unit`` (weeks from Monday) holding ``moment`` in zone ``tz``."""
    day = moment.astimezone(tz).date()
    if unit == "day":
        return day
    if unit == "week":
        return day - timedelta(days=day.weekday())
    if unit == "month":
        return day.year, day.month
    return day.year


def _window_days(window: BookingWindow | None, today: date) -> tuple[date | None, date | None]:
    """First and last bookable date of a fixed window, counted from ``today`` (written apart from
    the engine's ``booking_window`` on purpose)."""
    if window is None:
        return None, None
    if window.kind == "range":
        return window.start_date, window.end_date
    if window.kind == "calendarDays":
        return None, today + timedelta(days=window.days)
    last, left = today, window.days
    while left > 0:
        last += timedelta(days=1)
        left -= last.isoweekday() <= 5
    return None, last


def _allowed(world, tz: ZoneInfo):
    """The slots the rules without limits and window offer, kept when the window and the limits,
    evaluated on the calendar days of ``tz``, allow them."""
    schedule, rules, start, end, now, busy, booked = world
    unlimited = replace(rules, count_limits=None, duration_limits=None, booking_window=None)
    free = run((schedule, unlimited, start, end, now, busy, booked))
    first, last = _window_days(rules.booking_window, now.astimezone(tz).date())
    out = []
    for slot in free:
        day = slot.start.astimezone(tz).date()
        if (first and day < first) or (last and day > last):
            continue
        # A seat joining a booking adds no event and no minutes: no limit applies to it.
        if slot.booking_uid is None and not _limits_allow(rules, booked, slot.start, tz):
            continue
        out.append(slot)
    return out


def _limits_allow(rules: EventRules, booked: list[BookedTime], start: datetime, tz: ZoneInfo):
    """Do the count and duration limits let a new booking of ``rules.duration`` start then?"""
    for unit, limit in limits_of(rules.count_limits):
        if sum(period(unit, b.start, tz) == period(unit, start, tz) for b in booked) >= limit:
            return False
    for unit, limit in limits_of(rules.duration_limits):
        same = [b for b in booked if period(unit, b.start, tz) == period(unit, start, tz)]
        used = sum((b.end - b.start) // timedelta(minutes=1) for b in same)
        if used + rules.duration > limit:
            return False
    return True


def test_limits_and_windows_are_evaluated_on_the_schedule_zones_calendar_days():
    """Booking limits and fixed booking windows count the days, weeks, months and years of the
    schedule's zone: the engine offers exactly the unlimited, unwindowed slots that such a count
    allows. Seats joining a booking are exempt from the limits."""
    seen: Counter[str] = Counter()

    @settings(PROPS, max_examples=200)
    @given(worlds(monotone=True) | worlds())
    @example(A_DAILY_LIMIT_FAR_FROM_UTC)
    def check(world):
        schedule, rules, *rest = world
        window = rules.booking_window
        if window is not None and window.rolling and window.kind != "range":
            window = replace(window, rolling=False)
        world = (schedule, replace(rules, only_first_slot=False, booking_window=window), *rest)
        got = run(world)
        assert got == _allowed(world, ZoneInfo(schedule.time_zone))
        # The examples that tell the schedule's days from UTC's.
        seen["decided by the schedule's days"] += got != _allowed(world, ZoneInfo("UTC"))

    check()
    assert_generated(seen, "decided by the schedule's days")
