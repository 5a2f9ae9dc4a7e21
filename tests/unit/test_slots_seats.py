"""Seated events: a partly booked slot stays on offer with its seat counts."""

from __future__ import annotations

from rendezvous.domain.models import Slot
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
