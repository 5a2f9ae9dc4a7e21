"""Properties of the slot engine over random schedules, zones, bookings and event rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from rendezvous.domain.availability import open_intervals
from rendezvous.domain.booking_window import fixed_bounds
from rendezvous.domain.intervals import to_epoch
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
        host_time_zone=schedule.time_zone,
    )


def containing(intervals, s: datetime, e: datetime):
    return next((iv for iv in intervals if iv[0] <= s and e <= iv[1]), None)


@PROPS
@given(worlds())
def test_every_slot_lies_inside_availability_and_is_aligned_to_its_window(world):
    schedule, rules, start, end, *_ = world
    got = run(world)
    open_ = open_intervals(schedule, start - timedelta(days=40), end + timedelta(days=1))
    step = timedelta(minutes=(rules.slot_interval or rules.length) + rules.offset_start)
    for slot in got:
        window = containing(open_, slot.start, slot.end)
        assert window is not None, slot
        assert (slot.start - window[0] - timedelta(minutes=rules.offset_start)) % step == (
            timedelta()
        )


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


@PROPS
@given(worlds())
def test_a_narrower_query_returns_the_same_slots_in_its_range(world):
    _, rules, start, end, *_ = world
    if rules.only_first_slot or (rules.booking_window and rules.booking_window.rolling):
        return
    mid = start + (end - start) / 2
    whole = run(world)
    part = run(replace_range(world, mid, end))
    assert part == [s for s in whole if s.start >= mid]


def replace_range(world, start, end):
    schedule, rules, _, _, now, busy, booked = world
    return schedule, replace(rules), start, end, now, busy, booked
