"""Weekly rules and overrides expand per local date of the schedule's zone."""

from __future__ import annotations

from datetime import timedelta

from rendezvous.domain.availability import open_intervals
from tests.unit.builders import at, schedule, utc

NY = "America/New_York"
BERLIN = "Europe/Berlin"


def hours(intervals) -> float:
    return sum((e - s for s, e in intervals), timedelta()) / timedelta(hours=1)


def test_availability_maps_local_working_hours_to_utc():
    sched = schedule("America/New_York", mon_fri="09:00-17:00")
    assert open_intervals(sched, utc("2027-03-01"), utc("2027-03-02")) == [
        (utc("2027-03-01T14:00"), utc("2027-03-01T22:00"))
    ]


def test_availability_keeps_wall_clock_hours_across_spring_forward_in_new_york():
    sched = schedule("America/New_York", every_day="09:00-17:00")
    before, after = open_intervals(sched, utc("2027-03-13T12:00"), utc("2027-03-15T00:00"))
    assert before == (utc("2027-03-13T14:00"), utc("2027-03-13T22:00"))
    assert after == (utc("2027-03-14T13:00"), utc("2027-03-14T21:00"))


def test_a_whole_spring_forward_day_is_23_hours_long_in_berlin():
    sched = schedule("Europe/Berlin", every_day="00:00-24:00")
    day = open_intervals(sched, at("Europe/Berlin", "2027-03-28T00:00"), utc("2027-03-28T22:00"))
    assert hours(day) == 23


def test_a_whole_fall_back_day_is_25_hours_and_the_repeated_hour_counts_once_in_berlin():
    sched = schedule("Europe/Berlin", every_day="00:00-24:00")
    start, end = at("Europe/Berlin", "2027-10-31T00:00"), at("Europe/Berlin", "2027-11-01T00:00")
    assert open_intervals(sched, start, end) == [(start, end)]
    assert hours(open_intervals(sched, start, end)) == 25


def test_overlapping_windows_in_the_repeated_hour_are_merged_in_new_york():
    sched = schedule("America/New_York", overrides={"2027-11-07": "00:00-01:30,01:00-03:00"})
    got = open_intervals(sched, utc("2027-11-07"), utc("2027-11-08"))
    # 00:00 EDT (04:00Z) until 03:00 EST (08:00Z): the 01:00 hour is lived twice, counted once.
    assert got == [(utc("2027-11-07T04:00"), utc("2027-11-07T08:00"))]


def test_a_nonexistent_start_time_maps_to_the_end_of_the_spring_forward_gap():
    sched = schedule("America/New_York", overrides={"2027-03-14": "02:30-05:00"})
    # 02:30 never happens; the window opens when the clocks jump to 03:00 EDT (07:00Z).
    assert open_intervals(sched, utc("2027-03-14"), utc("2027-03-15")) == [
        (utc("2027-03-14T07:00"), utc("2027-03-14T09:00"))
    ]


def test_a_window_that_lies_inside_the_spring_forward_gap_is_empty():
    sched = schedule("America/New_York", overrides={"2027-03-14": "02:00-03:00"})
    assert open_intervals(sched, utc("2027-03-14"), utc("2027-03-15")) == []


def test_asia_kolkata_half_hour_offset():
    sched = schedule("Asia/Kolkata", mon_fri="09:00-17:00")
    assert open_intervals(sched, utc("2027-03-01"), utc("2027-03-02")) == [
        (utc("2027-03-01T03:30"), utc("2027-03-01T11:30"))
    ]


def test_kathmandu_quarter_hour_offset():
    sched = schedule("Asia/Kathmandu", mon_fri="09:00-10:00")
    assert open_intervals(sched, utc("2027-03-01"), utc("2027-03-02")) == [
        (utc("2027-03-01T03:15"), utc("2027-03-01T04:15"))
    ]


def test_lord_howe_half_hour_daylight_saving_makes_days_of_23_5_and_24_5_hours():
    sched = schedule("Australia/Lord_Howe", every_day="00:00-24:00")
    z = "Australia/Lord_Howe"
    spring = open_intervals(sched, at(z, "2027-10-03T00:00"), at(z, "2027-10-04T00:00"))
    autumn = open_intervals(sched, at(z, "2027-04-04T00:00"), at(z, "2027-04-05T00:00"))
    assert hours(spring) == 23.5
    assert hours(autumn) == 24.5


def test_an_all_day_override_removes_a_working_day():
    sched = schedule("Europe/Berlin", mon_fri="09:00-17:00", overrides={"2027-03-02": None})
    got = open_intervals(sched, utc("2027-03-01"), utc("2027-03-04"))
    assert [s.date().isoformat() for s, _ in got] == ["2027-03-01", "2027-03-03"]


def test_an_override_adds_time_on_a_free_saturday_and_replaces_the_weekly_rules():
    sched = schedule(
        "UTC",
        mon_fri="09:00-17:00",
        overrides={"2027-03-06": "10:00-11:00", "2027-03-08": "13:00-14:00,15:00-16:00"},
    )
    got = open_intervals(sched, utc("2027-03-06"), utc("2027-03-09"))
    assert got == [
        (utc("2027-03-06T10:00"), utc("2027-03-06T11:00")),
        (utc("2027-03-08T13:00"), utc("2027-03-08T14:00")),
        (utc("2027-03-08T15:00"), utc("2027-03-08T16:00")),
    ]


def test_availability_is_clipped_to_the_query_range():
    sched = schedule("UTC", every_day="09:00-17:00")
    assert open_intervals(sched, utc("2027-03-01T10:00"), utc("2027-03-01T11:00")) == [
        (utc("2027-03-01T10:00"), utc("2027-03-01T11:00"))
    ]


def test_a_weekly_rule_ending_23_59_runs_to_midnight():
    sched = schedule("America/New_York", weekly={"mon": "22:00-23:59"})
    got = open_intervals(sched, utc("2027-03-01"), utc("2027-03-03"))
    assert got == [(at(NY, "2027-03-01T22:00"), at(NY, "2027-03-02T00:00"))]


def test_a_date_override_ending_23_59_runs_to_midnight():
    sched = schedule("Europe/Berlin", overrides={"2027-03-06": "20:00-23:59"})
    got = open_intervals(sched, utc("2027-03-06"), utc("2027-03-08"))
    assert got == [(at(BERLIN, "2027-03-06T20:00"), at(BERLIN, "2027-03-07T00:00"))]


def test_a_day_ending_23_59_joins_a_next_day_open_from_midnight():
    sched = schedule("UTC", weekly={"mon": "22:00-23:59", "tue": "00:00-02:00"})
    written_24 = schedule("UTC", weekly={"mon": "22:00-24:00", "tue": "00:00-02:00"})
    got = open_intervals(sched, utc("2027-03-01"), utc("2027-03-03"))
    assert got == [(utc("2027-03-01T22:00"), utc("2027-03-02T02:00"))]
    assert got == open_intervals(written_24, utc("2027-03-01"), utc("2027-03-03"))
