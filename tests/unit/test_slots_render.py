"""Rendering slots in the 2024-09-04 and the legacy 2024-04-15 shapes."""

from __future__ import annotations

from rendezvous.domain.render import render_legacy, render_slots
from tests.unit.builders import booked, event, schedule, slots, utc

ROME = schedule("Europe/Rome", weekly={"mon": "09:00-11:00", "tue": "09:00-10:00"})
SEPT = {"start": "2050-09-05", "end": "2050-09-07"}


def test_slots_render_in_the_requested_zone_with_milliseconds_and_offset():
    got = render_slots(slots(ROME, event(60), **SEPT), "Europe/Rome")
    assert got == {
        "2050-09-05": [
            {"start": "2050-09-05T09:00:00.000+02:00"},
            {"start": "2050-09-05T10:00:00.000+02:00"},
        ],
        "2050-09-06": [{"start": "2050-09-06T09:00:00.000+02:00"}],
    }


def test_the_range_format_adds_the_end():
    got = render_slots(slots(ROME, event(60), **SEPT), "Europe/Rome", "range")
    assert got["2050-09-06"] == [
        {"start": "2050-09-06T09:00:00.000+02:00", "end": "2050-09-06T10:00:00.000+02:00"}
    ]


def test_day_keys_are_days_of_the_requested_zone():
    got = render_slots(slots(ROME, event(60), **SEPT), "Pacific/Auckland")
    # 09:00 Rome = 19:00 Auckland the same day; 10:00 Rome = 20:00.
    assert list(got) == ["2050-09-05", "2050-09-06"]
    in_la = render_slots(
        slots(
            schedule("Asia/Tokyo", mon_fri="09:00-10:00"),
            event(60),
            start="2050-09-06",
            end="2050-09-07",
        ),
        "America/Los_Angeles",
    )
    assert in_la == {"2050-09-05": [{"start": "2050-09-05T17:00:00.000-07:00"}]}


def test_utc_renders_as_z_and_an_iana_zone_at_offset_zero_as_plus_zero():
    sched = schedule("UTC", every_day="09:00-10:00")
    got = slots(sched, event(60), start="2027-01-04", end="2027-01-05")
    assert render_slots(got, "UTC") == {"2027-01-04": [{"start": "2027-01-04T09:00:00.000Z"}]}
    assert render_slots(got, "Europe/London") == {
        "2027-01-04": [{"start": "2027-01-04T09:00:00.000+00:00"}]
    }
    assert render_slots(got, "Asia/Kathmandu")["2027-01-04"][0]["start"] == (
        "2027-01-04T14:45:00.000+05:45"
    )


def test_a_slot_across_a_dst_change_renders_each_end_with_its_own_offset():
    sched = schedule("Europe/Berlin", every_day="01:00-04:00")
    got = slots(sched, event(120), start="2027-03-28", end="2027-03-28T12:00")
    assert render_slots(got, "Europe/Berlin", "range") == {
        "2027-03-28": [
            {"start": "2027-03-28T01:00:00.000+01:00", "end": "2027-03-28T04:00:00.000+02:00"}
        ]
    }


def test_seated_slots_render_seat_counts_and_the_booking_uid():
    sched = schedule("UTC", every_day="09:00-11:00")
    got = slots(
        sched,
        event(60, seats_per_slot=4),
        start="2027-03-01",
        end="2027-03-02",
        booked=[booked(utc("2027-03-01T10:00"), 60, "bk", attendees=1)],
    )
    assert render_slots(got, "UTC") == {
        "2027-03-01": [
            {
                "start": "2027-03-01T09:00:00.000Z",
                "seatsBooked": 0,
                "seatsRemaining": 4,
                "seatsTotal": 4,
                "attendeesCount": 0,
            },
            {
                "start": "2027-03-01T10:00:00.000Z",
                "seatsBooked": 1,
                "seatsRemaining": 3,
                "seatsTotal": 4,
                "attendeesCount": 1,
                "bookingUid": "bk",
            },
        ]
    }


def test_legacy_slots_are_utc_times_without_a_zone():
    got = render_legacy(slots(ROME, event(60), **SEPT), None)
    assert got == {
        "slots": {
            "2050-09-05": [
                {"time": "2050-09-05T07:00:00.000Z"},
                {"time": "2050-09-05T08:00:00.000Z"},
            ],
            "2050-09-06": [{"time": "2050-09-06T07:00:00.000Z"}],
        }
    }


def test_legacy_slots_follow_the_requested_zone_like_cal_com():
    got = render_legacy(slots(ROME, event(60), **SEPT), "Europe/Rome", "range")
    assert got["slots"]["2050-09-06"] == [
        {"startTime": "2050-09-06T09:00:00.000+02:00", "endTime": "2050-09-06T10:00:00.000+02:00"}
    ]


def test_legacy_seated_slots_carry_attendees_and_booking_uid():
    sched = schedule("UTC", every_day="09:00-10:00")
    got = slots(
        sched,
        event(60, seats_per_slot=4),
        start="2027-03-01",
        end="2027-03-02",
        booked=[booked(utc("2027-03-01T09:00"), 60, "bk", attendees=2)],
    )
    assert render_legacy(got, None) == {
        "slots": {
            "2027-03-01": [{"time": "2027-03-01T09:00:00.000Z", "attendees": 2, "bookingUid": "bk"}]
        }
    }
