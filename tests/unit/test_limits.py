"""Booking limits per day, week, month and year, counted in the schedule's zone."""

from __future__ import annotations

from datetime import date

from rendezvous.domain.limits import booked_span, period_dates
from rendezvous.domain.models import PeriodLimits
from tests.unit.builders import at, booked, event, local, schedule, slots, utc

HOURS = schedule("UTC", every_day="09:00-12:00")
MARCH = {"start": "2027-03-01", "end": "2027-03-15"}


def days(got) -> list[str]:
    return sorted({x[5:10] for x in local(got, "UTC")})


def test_a_day_with_as_many_bookings_as_the_daily_limit_offers_nothing():
    rules = event(60, count_limits=PeriodLimits(day=2))
    taken = [booked(utc("2027-03-01T09:00"), 60, "a"), booked(utc("2027-03-01T10:00"), 60, "b")]
    got = slots(HOURS, rules, start="2027-03-01", end="2027-03-03", booked=taken)
    assert days(got) == ["03-02"]


def test_a_day_below_the_daily_limit_still_offers_slots():
    rules = event(60, count_limits=PeriodLimits(day=2))
    taken = [booked(utc("2027-03-01T09:00"), 60, "a")]
    got = slots(HOURS, rules, start="2027-03-01", end="2027-03-02", booked=taken)
    assert len(got) == 3  # the booking itself blocks only through busy times, not given here


def test_a_weekly_limit_closes_the_week_that_starts_on_the_hosts_week_start():
    rules = event(60, count_limits=PeriodLimits(week=1))
    taken = [booked(utc("2027-03-07T09:00"), 60)]  # a Sunday
    monday_weeks = slots(HOURS, rules, booked=taken, week_start=1, **MARCH)
    sunday_weeks = slots(HOURS, rules, booked=taken, week_start=7, **MARCH)
    assert days(monday_weeks)[0] == "03-08"
    assert days(sunday_weeks) == [
        "03-01",
        "03-02",
        "03-03",
        "03-04",
        "03-05",
        "03-06",
        "03-14",
    ]


def test_a_duration_limit_allows_reaching_it_exactly_but_not_passing_it():
    rules = event(30, duration_options=(30, 60), duration_limits=PeriodLimits(day=90))
    taken = [booked(utc("2027-03-01T09:00"), 60)]
    kw = {"start": "2027-03-01", "end": "2027-03-02", "booked": taken}
    assert len(slots(HOURS, rules, **kw)) == 6
    assert slots(HOURS, rules, duration=60, **kw) == []


def test_a_monthly_duration_limit_spans_the_whole_month():
    rules = event(60, duration_limits=PeriodLimits(month=120))
    taken = [booked(utc("2027-03-01T09:00"), 60), booked(utc("2027-03-20T09:00"), 60)]
    got = slots(HOURS, rules, start="2027-03-25", end="2027-04-02", booked=taken)
    assert days(got) == ["04-01"]


def test_limits_count_bookings_on_the_hosts_local_date():
    sched = schedule("Europe/Berlin", every_day="09:00-12:00")
    rules = event(60, count_limits=PeriodLimits(day=1))
    late = booked(utc("2027-03-01T23:30"), 30)  # already Tuesday 00:30 in Berlin
    got = slots(sched, rules, start="2027-03-01", end="2027-03-03", booked=[late])
    assert sorted({x[:10] for x in local(got, "Europe/Berlin")}) == ["2027-03-01"]


def test_the_load_span_covers_the_outermost_limited_periods_in_the_host_zone():
    rules = event(30, count_limits=PeriodLimits(day=1, month=5))
    span = booked_span(rules, utc("2027-03-10"), utc("2027-04-02"), time_zone="America/New_York")
    assert span == (
        at("America/New_York", "2027-03-01T00:00"),
        at("America/New_York", "2027-05-01T00:00"),
    )


def test_the_load_span_is_the_query_range_without_limits():
    assert booked_span(event(30), utc("2027-03-10"), utc("2027-03-11"), time_zone="UTC") == (
        utc("2027-03-10"),
        utc("2027-03-11"),
    )


def test_period_dates_for_each_unit():
    d = date(2027, 12, 15)  # a Wednesday
    assert period_dates("day", d) == (d, d)
    assert period_dates("week", d, 1) == (date(2027, 12, 13), date(2027, 12, 19))
    assert period_dates("week", d, 7) == (date(2027, 12, 12), date(2027, 12, 18))
    assert period_dates("month", d) == (date(2027, 12, 1), date(2027, 12, 31))
    assert period_dates("year", d) == (date(2027, 1, 1), date(2027, 12, 31))


NY = "America/New_York"
NY_HOURS = schedule(NY, every_day="07:00-22:00")


def test_a_daily_limit_counts_the_days_of_the_schedules_zone():
    # New York Tuesday 07:00 is Auckland Tuesday 23:00, and New York Monday 21:00 Auckland
    # Tuesday 13:00: for a New York schedule they are two days, whatever the host's profile zone.
    rules = event(60, count_limits=PeriodLimits(day=1))
    taken = [booked(at(NY, "2027-04-06T07:00"), 60)]
    got = local(slots(NY_HOURS, rules, start="2027-04-05", end="2027-04-08", booked=taken), NY)
    assert "2027-04-05 21:00" in got
    assert not [x for x in got if x.startswith("2027-04-06")]
    assert "2027-04-07 07:00" in got


def test_a_weekly_limit_counts_the_weeks_of_the_schedules_zone():
    # New York Sunday 20:00 closes New York's week, though it is Monday in Auckland.
    rules = event(60, count_limits=PeriodLimits(week=1))
    taken = [booked(at(NY, "2027-04-11T20:00"), 60)]
    got = local(
        slots(NY_HOURS, rules, start="2027-04-05T04:00", end="2027-04-13", booked=taken), NY
    )
    assert got[0] == "2027-04-12 07:00"
