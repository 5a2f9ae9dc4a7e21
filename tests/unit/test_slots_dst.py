"""Slots across daylight-saving changes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.unit.builders import at, event, local, schedule, slots, times, utc

NY = "America/New_York"
BERLIN = "Europe/Berlin"
LORD_HOWE = "Australia/Lord_Howe"


def test_slots_skip_the_missing_hour_on_spring_forward():
    got = slots(
        schedule(NY, every_day="00:00-05:00"),
        event(60),
        start="2027-03-14T05:00",
        end="2027-03-14T12:00",
    )
    assert times(got, NY) == ["00:00", "01:00", "03:00", "04:00"]


def test_working_hours_keep_their_wall_clock_times_after_spring_forward_in_new_york():
    sched = schedule(NY, mon_fri="09:00-10:00")
    got = slots(sched, event(60), start="2027-03-12", end="2027-03-16")
    assert local(got, NY) == ["2027-03-12 09:00", "2027-03-15 09:00"]
    assert times(got, "UTC") == ["14:00", "13:00"]


def test_the_repeated_hour_on_fall_back_in_new_york_is_offered_once():
    got = slots(
        schedule(NY, every_day="00:00-03:00"),
        event(60),
        start="2027-11-07T00:00",
        end="2027-11-07T12:00",
    )
    # 00:00 EDT, 01:00 EDT, then 01:00 EST (the second pass of 01:00) is dropped, 02:00 EST.
    assert times(got, NY) == ["00:00", "01:00", "02:00"]
    assert times(got, "UTC") == ["04:00", "05:00", "07:00"]


def test_a_window_inside_the_repeated_hour_keeps_its_wall_clock_meaning_and_is_offered_once():
    got = slots(
        schedule(NY, every_day="01:30-02:30"),
        event(30),
        start="2027-11-07T00:00",
        end="2027-11-07T12:00",
    )
    # 01:30 EDT (05:30Z) until 02:30 EST (07:30Z); 01:00 and 01:30 EST are the second pass.
    assert times(got, NY) == ["01:30", "02:00"]
    assert times(got, "UTC") == ["05:30", "07:00"]


def test_a_slot_that_starts_before_the_repeated_hour_may_run_through_it():
    got = slots(
        schedule(NY, every_day="00:30-03:00"),
        event(90),
        start="2027-11-07T00:00",
        end="2027-11-07T12:00",
    )
    # 00:30 EDT + 90 min = 01:00 EST (06:00Z); the next start, 06:00Z, is in the second pass,
    # and 02:30 EST would end after the window.
    assert times(got, NY) == ["00:30"]
    assert got[0].end == utc("2027-11-07T06:00")


def test_a_whole_day_in_berlin_has_23_hourly_slots_on_spring_forward():
    got = slots(
        schedule(BERLIN, every_day="00:00-24:00"),
        event(60),
        start="2027-03-27T23:00",
        end="2027-03-28T22:00",
    )
    assert len(got) == 23
    assert "02:00" not in times(got, BERLIN)


def test_a_whole_day_in_berlin_has_24_hourly_slots_on_fall_back_as_02_00_is_offered_once():
    got = slots(
        schedule(BERLIN, every_day="00:00-24:00"),
        event(60),
        start="2027-10-30T22:00",
        end="2027-10-31T23:00",
    )
    # The day lasts 25 hours, but the second 02:00 (CET, 01:00Z) repeats a wall-clock hour.
    assert len(got) == 24
    assert times(got, BERLIN) == [f"{h:02d}:00" for h in range(24)]
    assert "01:00" not in times(got, "UTC")


def test_lord_howe_slots_follow_the_half_hour_shift():
    z = "Australia/Lord_Howe"
    got = slots(
        schedule(z, every_day="01:00-04:00"),
        event(30),
        start="2027-10-02T12:00",
        end="2027-10-03T12:00",
    )
    # 02:00–02:30 does not exist on 2027-10-03.
    assert times(got, z) == ["01:00", "01:30", "02:30", "03:00", "03:30"]


def test_a_whole_day_in_lord_howe_skips_the_repeated_half_hour_on_fall_back():
    got = slots(
        schedule(LORD_HOWE, every_day="00:00-24:00"),
        event(30),
        start="2027-04-03T13:00",
        end="2027-04-04T13:30",
    )
    # 01:30–02:00 (+11) is lived again at +10:30: 01:30 is offered once, the day has 48 slots.
    assert len(got) == 48
    assert times(got, LORD_HOWE).count("01:30") == 1


# The grid restarts at every local midnight, so a 24/7 schedule's starts do not depend on how
# far back the query begins, even across a DST change the step does not divide.


def test_a_wide_and_a_narrow_query_agree_on_a_24_7_schedule_after_spring_forward():
    sched = schedule(NY, every_day="00:00-24:00")
    wide = slots(sched, event(45), start="2030-04-01", end="2030-04-14")
    narrow = slots(sched, event(45), start="2030-04-13", end="2030-04-14")
    day = [x for x in local(wide, NY) if x.startswith("2030-04-13")]
    assert day[:3] == ["2030-04-13 00:00", "2030-04-13 00:45", "2030-04-13 01:30"]
    assert [s for s in wide if s.start >= narrow[0].start] == narrow
    # What the booking check asks: the slot's own 45 minutes at a listed start.
    first = at(NY, "2030-04-13T00:00")
    probe = slots(sched, event(45), start=iso(first), end=iso(first, 45 * 60))
    assert [s.start for s in probe] == [first]
    skewed = at(NY, "2030-04-13T00:15")
    assert slots(sched, event(45), start=iso(skewed), end=iso(skewed, 45 * 60)) == []


@pytest.mark.parametrize("duration", [25, 45, 90])
def test_every_day_of_a_24_7_schedule_starts_its_grid_at_local_midnight_in_new_york(duration):
    sched = schedule(NY, every_day="00:00-24:00")
    # 2030-03-01 00:00 EST to 2030-04-30 00:00 EDT: 60 whole days around spring-forward.
    got = local(slots(sched, event(duration), start="2030-03-01T05:00", end="2030-04-30T04:00"), NY)
    days = sorted({x[:10] for x in got})
    assert len(days) == 60
    assert all(f"{d} 00:00" in got for d in days)


def test_a_wide_and_a_narrow_query_agree_on_a_24_7_schedule_in_lord_howe():
    sched = schedule(LORD_HOWE, every_day="00:00-24:00")
    wide = slots(sched, event(60), start="2027-10-01", end="2027-11-06")
    narrow = slots(sched, event(60), start="2027-11-04T13:00", end="2027-11-06")
    day = [x for x in local(wide, LORD_HOWE) if x.startswith("2027-11-05")]
    assert day[:3] == ["2027-11-05 00:00", "2027-11-05 01:00", "2027-11-05 02:00"]
    assert [s for s in wide if s.start >= narrow[0].start] == narrow


def iso(moment, seconds=0):
    return (moment + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S")
