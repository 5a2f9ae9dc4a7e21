"""Booking windows: calendar and business days, fixed and rolling, and date ranges."""

from __future__ import annotations

from datetime import date

from rendezvous.domain.booking_window import business_days_add
from rendezvous.domain.models import BookingWindow
from tests.unit.builders import busy, event, local, schedule, slots, utc

WEEKDAYS = schedule("UTC", mon_fri="09:00-10:00")
EVERY_DAY = schedule("UTC", every_day="09:00-10:00")
WED_NOON = "2027-03-03T12:00"  # today's 09:00 slot is already past
FRI_NOON = "2027-03-05T12:00"


def days(got) -> list[str]:
    return [x[5:10] for x in local(got, "UTC")]


def windowed(sched, window: BookingWindow, now: str, **kw):
    return slots(
        sched, event(60, booking_window=window), start="2027-03-01", end="2027-06-01", now=now, **kw
    )


def test_calendar_days_allow_today_plus_n_days():
    got = windowed(WEEKDAYS, BookingWindow("calendarDays", 3), WED_NOON)
    assert days(got) == ["03-04", "03-05"]  # through Saturday 03-06, which has no hours


def test_business_days_skip_the_weekend_when_counting():
    got = windowed(WEEKDAYS, BookingWindow("businessDays", 3), WED_NOON)
    assert days(got) == ["03-04", "03-05", "03-08"]


def test_business_days_counted_from_a_friday_keep_weekend_slots_before_the_last_day():
    got = windowed(EVERY_DAY, BookingWindow("businessDays", 1), FRI_NOON)
    assert days(got) == ["03-06", "03-07", "03-08"]
    assert business_days_add(date(2027, 3, 6), 0) == date(2027, 3, 6)


def test_rolling_calendar_days_count_only_days_that_have_a_slot():
    sched = schedule("UTC", mon_fri="09:00-10:00", overrides={"2027-03-04": None})
    fixed = windowed(sched, BookingWindow("calendarDays", 3), WED_NOON)
    rolling = windowed(sched, BookingWindow("calendarDays", 3, rolling=True), WED_NOON)
    assert days(fixed) == ["03-05"]
    assert days(rolling) == ["03-05", "03-08", "03-09"]


def test_rolling_calendar_days_skip_days_filled_by_bookings():
    taken = [busy(utc("2027-03-04T09:00"), 60)]
    got = windowed(WEEKDAYS, BookingWindow("calendarDays", 2, rolling=True), WED_NOON, busy=taken)
    assert days(got) == ["03-05", "03-08"]


def test_rolling_business_days_visit_weekdays_but_keep_weekend_slots_inside_the_window():
    cal = windowed(EVERY_DAY, BookingWindow("calendarDays", 2, rolling=True), FRI_NOON)
    biz = windowed(EVERY_DAY, BookingWindow("businessDays", 2, rolling=True), FRI_NOON)
    assert days(cal) == ["03-06", "03-07"]
    assert days(biz) == ["03-06", "03-07", "03-08", "03-09"]


def test_a_rolling_window_gives_up_after_61_days_like_cal_com():
    got = windowed(EVERY_DAY, BookingWindow("calendarDays", 100, rolling=True), WED_NOON)
    assert days(got)[0] == "03-04"
    assert days(got)[-1] == "05-02"  # the 61st day visited, counting today
    assert len(got) == 60


def test_a_rolling_window_is_the_same_whichever_part_of_it_is_queried():
    window = BookingWindow("calendarDays", 3, rolling=True)
    sched = schedule("UTC", mon_fri="09:00-10:00", overrides={"2027-03-04": None})
    later = slots(
        sched, event(60, booking_window=window), start="2027-03-09", end="2027-03-20", now=WED_NOON
    )
    assert days(later) == ["03-09"]


def test_a_date_range_is_inclusive_and_read_in_the_schedules_zone():
    sched = schedule(
        "Europe/Berlin",
        every_day="00:30-01:30",
        overrides={"2027-03-11": "00:30-01:30,23:00-24:00"},
    )
    window = BookingWindow("range", start_date=date(2027, 3, 10), end_date=date(2027, 3, 11))
    got = windowed(sched, window, "2027-03-01")
    assert local(got, "Europe/Berlin") == [
        "2027-03-10 00:30",
        "2027-03-11 00:30",
        "2027-03-11 23:00",
    ]


def test_today_of_a_window_is_the_schedules_date_of_now():
    # 12:00 UTC on Monday 2027-03-01 is Monday 01:00 in Pago Pago (UTC-11), whose 20:00 slots
    # fall on the next UTC date.
    pago = schedule("Pacific/Pago_Pago", every_day="20:00-21:00")
    now = "2027-03-01T12:00"
    today_only = windowed(pago, BookingWindow("calendarDays", 0), now)
    assert local(today_only, "Pacific/Pago_Pago") == ["2027-03-01 20:00"]
    business = windowed(pago, BookingWindow("businessDays", 1), now)
    assert local(business, "Pacific/Pago_Pago") == ["2027-03-01 20:00", "2027-03-02 20:00"]
