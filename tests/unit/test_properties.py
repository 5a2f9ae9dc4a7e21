"""Properties of the slot engine over random schedules, zones, bookings and event rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from hypothesis import example, given, settings
from hypothesis import strategies as st

from rendezvous.domain.availability import daily_epoch_windows, open_intervals
from rendezvous.domain.booking_window import fixed_bounds
from rendezvous.domain.intervals import from_epoch, to_epoch
from rendezvous.domain.localtime import local_date, midnight, zone
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


@st.composite
def rules_(draw: st.DrawFn) -> Rule:
    start = draw(st.integers(0, 1435)) // 5 * 5
    end = draw(st.integers(start + 5, 1440)) // 5 * 5
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
            draw(st.sampled_from([0, s + 60, 1440])) if s else 0,
        )
        for _ in range(draw(st.integers(0, 2)))
    )
    schedule = Schedule(tz, tuple(draw(st.lists(rules_(), min_size=1, max_size=3))), overrides)
    length = draw(st.sampled_from([15, 20, 30, 45, 60, 90]))
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
        length=length,
        slot_interval=draw(st.sampled_from([None, 10, 15, 25, 30, 60])),
        before_buffer=draw(st.sampled_from([0, 5, 15, 30])),
        after_buffer=draw(st.sampled_from([0, 10, 20])),
        minimum_notice=draw(st.sampled_from([0, 0, 30, 600, 1500])),
        offset_start=draw(st.sampled_from([0, 0, 5, 10])),
        booking_window=window,
        count_limits=draw(st.sampled_from([None, PeriodLimits(day=1), PeriodLimits(week=2)])),
        only_first_slot=False if monotone else draw(st.booleans()),
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
        BookedTime(b.start, b.start + timedelta(minutes=length), f"b{i}")
        for i, b in enumerate(busy[:2])
    ]
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
    length = draw(st.sampled_from([25, 45, 60, 90]))
    event_rules = EventRules(
        length=length,
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
        BookedTime(b.start, b.start + timedelta(minutes=length), f"b{i}")
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


@PROPS
@given(st.one_of(worlds(), long_worlds()))
def test_every_slot_fits_availability_and_is_aligned_to_its_local_days_window(world):
    schedule, rules, start, end, *_ = world
    got = run(world)
    open_ = open_intervals(schedule, start - timedelta(days=2), end + timedelta(days=1))
    offset = timedelta(minutes=rules.offset_start)
    step = timedelta(minutes=(rules.slot_interval or rules.length)) + offset
    for slot in got:
        assert containing(open_, slot.start, slot.end) is not None, slot
        # The grid restarts at local midnight: the start lies in a window of its own local day
        # and is a whole number of steps after that window's start (+ the offset).
        t = to_epoch(slot.start)
        day = [(from_epoch(s), from_epoch(e)) for s, e in daily_epoch_windows(schedule, t, t)]
        window = next((w for w in day if w[0] <= slot.start < w[1]), None)
        assert window is not None, slot
        assert slot.start - window[0] >= offset
        assert (slot.start - window[0] - offset) % step == timedelta()


@PROPS
@given(st.one_of(worlds(), long_worlds()))
def test_no_slot_starts_in_the_second_pass_of_a_repeated_local_time(world):
    tz = zone(world[0].time_zone)
    for slot in run(world):
        assert slot.start.astimezone(tz).fold == 0, slot


@PROPS
@given(worlds())
def test_no_slot_with_its_buffers_meets_a_busy_interval(world):
    _, rules, *_rest, busy, _ = world
    for slot in run(world):
        lo = slot.start - timedelta(minutes=rules.before_buffer)
        hi = slot.end + timedelta(minutes=rules.after_buffer)
        assert all(not (b.start < hi and b.end > lo) for b in busy)


@PROPS
@given(worlds())
def test_slots_are_sorted_unique_and_inside_range_notice_and_window(world):
    schedule, rules, start, end, now, *_ = world
    got = run(world)
    starts = [s.start for s in got]
    assert starts == sorted(set(starts))
    earliest = now + timedelta(minutes=rules.minimum_notice)
    tz = zone(schedule.time_zone)
    first, last = fixed_bounds(rules.booking_window, local_date(tz, to_epoch(now)))
    for s in starts:
        assert start <= s < end and s >= earliest
        day = local_date(tz, to_epoch(s))
        assert first is None or day >= first
        assert last is None or day <= last
        assert midnight(tz, day) <= to_epoch(s)


@PROPS
@given(worlds(monotone=True), st.data())
def test_removing_a_booking_never_removes_a_slot(world, data):
    *_, busy, booked = world
    before = {s.start for s in run(world)}
    if busy:
        i = data.draw(st.integers(0, len(busy) - 1))
        assert before <= {s.start for s in run(world, busy=busy[:i] + busy[i + 1 :])}
    if booked:
        assert before <= {s.start for s in run(world, booked=booked[1:])}


# A 24/7 schedule in New York with 45-minute slots, queried from before spring-forward to five
# weeks after it: the worked example of a grid that must not depend on where the query begins.
NY_ROUND_THE_CLOCK = (
    Schedule("America/New_York", (Rule(frozenset(range(1, 8)), 0, 1440),)),
    EventRules(length=45),
    utc("2030-03-01"),
    utc("2030-04-14"),
    utc("2030-01-01"),
    [],
    [],
)


@settings(PROPS, max_examples=150)
@given(st.one_of(worlds(), long_worlds(), long_worlds()), st.integers(1, 999), st.integers(0))
@example(NY_ROUND_THE_CLOCK, 990, 0)
def test_a_narrower_query_returns_the_same_slots_in_its_range(world, per_mille, pick):
    _, rules, start, end, *_ = world
    if rules.only_first_slot or (rules.booking_window and rules.booking_window.rolling):
        return
    whole = run(world)
    # Any later start, to the second (weeks later, past a DST change, for long worlds).
    cut = from_epoch(to_epoch(start + (end - start) * per_mille / 1000))
    part = run(replace_range(world, cut, end))
    assert part == [s for s in whole if s.start >= cut]
    # The query the booking check makes, [start, end) of the slot, finds each listed start (here
    # the last, furthest from the query start, and one picked at random).
    for slot in {whole[-1], whole[pick % len(whole)]} if whole else ():
        probe = run(replace_range(world, slot.start, slot.end))
        assert probe == [slot]


def replace_range(world, start, end):
    schedule, rules, _, _, now, busy, booked = world
    return schedule, replace(rules), start, end, now, busy, booked
