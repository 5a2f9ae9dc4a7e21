"""Slots across daylight-saving changes."""

from __future__ import annotations

from tests.unit.builders import event, local, schedule, slots, times

NY = "America/New_York"
BERLIN = "Europe/Berlin"


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


def test_the_repeated_hour_on_fall_back_in_new_york_is_offered_twice_as_real_time():
    got = slots(
        schedule(NY, every_day="00:00-03:00"),
        event(60),
        start="2027-11-07T00:00",
        end="2027-11-07T12:00",
    )
    # 00:00 EDT, 01:00 EDT, 01:00 EST, 02:00 EST: four real hours, no duplicates.
    assert times(got, "UTC") == ["04:00", "05:00", "06:00", "07:00"]
    assert len({s.start for s in got}) == 4


def test_a_whole_day_in_berlin_has_23_hourly_slots_on_spring_forward():
    got = slots(
        schedule(BERLIN, every_day="00:00-24:00"),
        event(60),
        start="2027-03-27T23:00",
        end="2027-03-28T22:00",
    )
    assert len(got) == 23
    assert "02:00" not in times(got, BERLIN)


def test_a_whole_day_in_berlin_has_25_hourly_slots_on_fall_back():
    got = slots(
        schedule(BERLIN, every_day="00:00-24:00"),
        event(60),
        start="2027-10-30T22:00",
        end="2027-10-31T23:00",
    )
    assert len(got) == 25
    assert times(got, BERLIN).count("02:00") == 2


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
