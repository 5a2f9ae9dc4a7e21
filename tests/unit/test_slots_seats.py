"""Seated events: a partly booked slot stays on offer with its seat counts."""

from __future__ import annotations

import pytest

from rendezvous.domain.booking_rules import check_start
from rendezvous.domain.errors import BookingLimitReached
from rendezvous.domain.models import PeriodLimits, Slot
from tests.unit.builders import booked, busy, event, schedule, slots, times, utc

HOURS = schedule("UTC", every_day="09:00-12:00")
DAY = {"start": "2027-03-01", "end": "2027-03-02"}
TEN = utc("2027-03-01T10:00")


def test_a_partly_booked_seated_slot_is_offered_with_its_seat_counts():
    got = slots(
        HOURS,
        event(60, seats_per_slot=3),
        busy=[busy(TEN, 60, "s1")],
        booked=[booked(TEN, 60, "s1", attendees=2)],
        **DAY,
    )
    assert times(got, "UTC") == ["09:00", "10:00", "11:00"]
    seated = got[1]
    assert seated == Slot(TEN, utc("2027-03-01T11:00"), 2, 3, "s1")
    assert seated.seats_remaining == 1
    assert got[0].seats_booked == 0 and got[0].seats_total == 3 and got[0].booking_uid is None


def test_a_fully_booked_seated_slot_is_not_offered():
    got = slots(
        HOURS,
        event(60, seats_per_slot=3),
        busy=[busy(TEN, 60, "s1")],
        booked=[booked(TEN, 60, "s1", attendees=3)],
        **DAY,
    )
    assert times(got, "UTC") == ["09:00", "11:00"]


def test_another_booking_overlapping_a_seated_slot_still_blocks_it():
    got = slots(
        HOURS,
        event(60, seats_per_slot=3),
        busy=[busy(TEN, 60, "s1"), busy(utc("2027-03-01T10:30"), 30, "other")],
        booked=[booked(TEN, 60, "s1", attendees=1)],
        **DAY,
    )
    assert times(got, "UTC") == ["09:00", "11:00"]


def test_slots_of_an_event_without_seats_carry_no_seat_fields():
    got = slots(HOURS, event(60), **DAY)
    assert {(s.seats_booked, s.seats_total, s.seats_remaining) for s in got} == {(None, None, None)}


# Booking limits count bookings (events), not seats: a seat joining a seated booking adds no
# event and no minutes.
SEATED_10 = [booked(TEN, 60, "s1", attendees=1)]


@pytest.mark.parametrize(
    "limits",
    [
        {"count_limits": PeriodLimits(week=1)},
        {"count_limits": PeriodLimits(day=1)},
        {"duration_limits": PeriodLimits(day=60)},
        {"duration_limits": PeriodLimits(week=90)},
    ],
    ids=["count-week", "count-day", "duration-day", "duration-week"],
)
def test_a_seated_slot_below_its_seats_stays_offered_when_the_limit_is_reached(limits):
    rules = event(60, seats_per_slot=3, **limits)
    got = slots(HOURS, rules, busy=[busy(TEN, 60, "s1")], booked=SEATED_10, **DAY)
    # The other starts would be a second event, past the limit; the seated one is not.
    assert got == [Slot(TEN, utc("2027-03-01T11:00"), 1, 3, "s1")]
    taken = {"now": utc("2027-02-01"), "busy": [busy(TEN, 60, "s1")], "booked": SEATED_10}
    assert check_start(HOURS, rules, TEN, **taken).seats_remaining == 2
    with pytest.raises(BookingLimitReached):
        check_start(HOURS, rules, utc("2027-03-01T11:00"), **taken)


def test_a_seated_booking_with_many_attendees_counts_as_one_event():
    rules = event(60, seats_per_slot=3, count_limits=PeriodLimits(day=2))
    got = slots(
        HOURS, rules, busy=[busy(TEN, 60, "s1")], booked=[booked(TEN, 60, "s1", attendees=2)], **DAY
    )
    assert times(got, "UTC") == ["09:00", "10:00", "11:00"]


def test_a_full_seated_slot_is_not_offered_even_below_the_limit():
    rules = event(60, seats_per_slot=3, count_limits=PeriodLimits(day=5))
    got = slots(
        HOURS, rules, busy=[busy(TEN, 60, "s1")], booked=[booked(TEN, 60, "s1", attendees=3)], **DAY
    )
    assert times(got, "UTC") == ["09:00", "11:00"]
