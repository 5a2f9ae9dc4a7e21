"""Slot grid, durations, buffers, notice, offset and first-slot-only."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from rendezvous.domain.errors import DurationNotOffered
from rendezvous.domain.models import Slot
from rendezvous.domain.slots import compute_slots, resolve_duration
from tests.unit.builders import at, busy, event, local, schedule, slots, times, utc

UTC_9_12 = schedule("UTC", every_day="09:00-12:00")
DAY = {"start": "2027-03-01", "end": "2027-03-02"}


def test_slots_step_by_the_duration_from_the_window_start_and_fit_inside_it():
    got = slots(UTC_9_12, event(45), **DAY)
    assert times(got, "UTC") == ["09:00", "09:45", "10:30", "11:15"]
    assert got[0] == Slot(utc("2027-03-01T09:00"), utc("2027-03-01T09:45"))


def test_slots_step_by_the_slot_interval_when_one_is_set():
    got = slots(UTC_9_12, event(60, slot_interval=20), **DAY)
    assert times(got, "UTC") == ["09:00", "09:20", "09:40", "10:00", "10:20", "10:40", "11:00"]


def test_slots_align_to_an_odd_window_start():
    got = slots(schedule("UTC", every_day="09:10-10:30"), event(30), **DAY)
    assert times(got, "UTC") == ["09:10", "09:40"]


def test_a_window_running_past_midnight_restarts_its_grid_at_midnight():
    sched = schedule("UTC", weekly={"mon": "22:00-24:00", "tue": "00:00-02:00"})
    got = slots(sched, event(90), start="2027-03-01", end="2027-03-03")
    # Monday's grid: 22:00, 23:30 (ending 01:00 in Tuesday's open time); Tuesday's: 00:00.
    assert local(got, "UTC") == ["2027-03-01 22:00", "2027-03-01 23:30", "2027-03-02 00:00"]


def test_a_slot_may_end_after_midnight_only_if_the_next_day_is_open_from_00_00():
    rules = event(45)
    open_next = schedule("UTC", weekly={"mon": "22:00-24:00", "tue": "00:00-01:00"})
    closed_next = schedule("UTC", weekly={"mon": "22:00-24:00", "tue": "00:30-01:00"})
    kw = {"start": "2027-03-01", "end": "2027-03-03"}
    assert local(slots(open_next, rules, **kw), "UTC") == [
        "2027-03-01 22:00",
        "2027-03-01 22:45",
        "2027-03-01 23:30",
        "2027-03-02 00:00",
    ]
    assert local(slots(closed_next, rules, **kw), "UTC") == [
        "2027-03-01 22:00",
        "2027-03-01 22:45",
    ]


def test_the_grid_does_not_depend_on_where_the_query_starts():
    sched = schedule("UTC", every_day="00:00-24:00")
    rules = event(25)
    whole = slots(sched, rules, start="2027-03-01", end="2027-03-04")
    part = slots(sched, rules, start="2027-03-02T07:13", end="2027-03-04")
    assert part == [s for s in whole if s.start >= utc("2027-03-02T07:13")]


def test_a_multi_duration_event_offers_each_listed_duration():
    rules = event(30, duration_options=(30, 60))
    got = slots(UTC_9_12, rules, duration=60, **DAY)
    assert times(got, "UTC") == ["09:00", "10:00", "11:00"]
    assert got[0].end == utc("2027-03-01T10:00")
    assert resolve_duration(rules, None) == 30


def test_a_duration_that_is_not_offered_is_refused():
    with pytest.raises(DurationNotOffered):
        slots(UTC_9_12, event(30, duration_options=(30, 60)), duration=45, **DAY)


def test_a_booking_blocks_its_own_time_only():
    got = slots(UTC_9_12, event(30), busy=[busy(utc("2027-03-01T10:00"), 30)], **DAY)
    assert times(got, "UTC") == ["09:00", "09:30", "10:30", "11:00", "11:30"]


def test_buffers_on_both_sides_keep_slots_away_from_an_existing_booking():
    rules = event(30, before_buffer=15, after_buffer=15)
    got = slots(UTC_9_12, rules, busy=[busy(utc("2027-03-01T10:00"), 30)], **DAY)
    # 09:30 would end at 10:00 + 15 after; 10:30 would need 10:15 free before.
    assert times(got, "UTC") == ["09:00", "11:00", "11:30"]


def test_a_busy_interval_that_carries_the_other_bookings_buffer_blocks_that_buffer():
    busy_with_buffer = busy(utc("2027-03-01T09:50"), 50)  # a 10:00–10:30 booking, 10 min around
    got = slots(UTC_9_12, event(30), busy=[busy_with_buffer], **DAY)
    assert times(got, "UTC") == ["09:00", "11:00", "11:30"]


def test_minimum_notice_that_crosses_midnight_hides_the_next_morning():
    sched = schedule("Europe/Berlin", every_day="08:00-10:00")
    rules = event(60, minimum_notice=10 * 60)
    got = slots(sched, rules, start="2027-03-01", end="2027-03-04", now="2027-03-01T22:30")
    # now + 10 h = 08:30Z = 09:30 Berlin on 03-02: nothing that morning, all of 03-03.
    assert local(got, "Europe/Berlin") == ["2027-03-03 08:00", "2027-03-03 09:00"]


def test_slots_in_the_past_are_never_offered():
    got = slots(UTC_9_12, event(30), now="2027-03-01T10:10", **DAY)
    assert times(got, "UTC") == ["10:30", "11:00", "11:30"]


def test_only_slots_inside_the_query_range_are_returned():
    got = slots(UTC_9_12, event(60), start="2027-03-01T10:00", end="2027-03-01T11:00")
    assert times(got, "UTC") == ["10:00"]


def test_a_slot_that_would_end_after_the_query_end_is_not_listed():
    # Cal.com clips the open time to the requested range before cutting slots: with a 15-minute
    # interval and an end at 15:00, the last slot is 14:30–15:00, not 14:45–15:15.
    sched = schedule("UTC", every_day="09:00-17:00")
    got = slots(
        sched, event(30, slot_interval=15), start="2027-03-01T14:00", end="2027-03-01T15:00"
    )
    assert [(s.start, s.end) for s in got][-1] == (utc("2027-03-01T14:30"), utc("2027-03-01T15:00"))
    assert times(got, "UTC") == ["14:00", "14:15", "14:30"]
    # The slot is still there, and bookable, for a query that holds it.
    later = slots(
        sched, event(30, slot_interval=15), start="2027-03-01T14:45", end="2027-03-01T15:15"
    )
    assert times(later, "UTC") == ["14:45"]


def test_a_whole_day_query_keeps_the_slot_that_ends_at_midnight():
    sched = schedule("UTC", every_day="00:00-24:00")
    got = slots(sched, event(60), start="2027-03-01", end="2027-03-02")
    assert len(got) == 24 and got[-1].end == utc("2027-03-02")


def test_a_query_ending_at_23_59_in_the_schedule_zone_keeps_the_slot_ending_at_midnight():
    # Clients ask "through the end of the day" as …T23:59:59(.999): Cal.com gives an open time
    # clipped to 23:59 its minute back, so the last slot of a day open to midnight stays listed.
    sched = schedule("America/New_York", weekly={"mon": "22:00-23:59"})
    for end in ("2027-03-02T04:59:59", "2027-03-02T04:59:59.999", "2027-03-02T04:59"):
        got = compute_slots(
            sched,
            event(30),
            range_start=at("America/New_York", "2027-03-01T00:00"),
            range_end=datetime.fromisoformat(end).replace(tzinfo=UTC),
            now=utc("2000-01-01"),
            busy=(),
        )
        assert times(got, "America/New_York") == ["22:00", "22:30", "23:00", "23:30"], end
    # Only that minute: an end at 23:58 keeps the clip.
    assert times(
        slots(sched, event(30), start="2027-03-01", end="2027-03-02T04:58"), "America/New_York"
    ) == ["22:00", "22:30", "23:00"]


def test_a_slot_may_end_one_second_after_the_query_end_as_in_cal_com():
    # Cal.com's slot builder keeps a slot while its end minus one second is not after the range
    # end: a query to 23:59:59 UTC keeps New York's 18:30–19:00 (19:00 is 00:00 UTC).
    sched = schedule("America/New_York", mon_fri="18:00-19:00")
    for end in ("2027-03-01T23:59:59", "2027-03-01T23:59:59.5"):
        got = compute_slots(
            sched,
            event(30),
            range_start=utc("2027-03-01"),
            range_end=datetime.fromisoformat(end).replace(tzinfo=UTC),
            now=utc("2000-01-01"),
            busy=(),
        )
        assert times(got, "America/New_York") == ["18:00", "18:30"], end
    # Two seconds short is not enough.
    got = slots(sched, event(30), start="2027-03-01", end="2027-03-01T23:59:58")
    assert times(got, "America/New_York") == ["18:00"]


def test_a_weekly_rule_ending_23_59_offers_the_last_half_hour():
    sched = schedule("UTC", weekly={"mon": "22:00-23:59"})
    got = slots(sched, event(30), start="2027-03-01", end="2027-03-02")
    assert times(got, "UTC") == ["22:00", "22:30", "23:00", "23:30"]


def test_a_date_override_ending_23_59_offers_the_last_half_hour():
    sched = schedule("America/New_York", overrides={"2027-03-06": "22:00-23:59"})
    got = slots(sched, event(30), start="2027-03-06", end="2027-03-08")
    assert times(got, "America/New_York") == ["22:00", "22:30", "23:00", "23:30"]


def test_a_day_ending_23_59_lets_a_slot_run_into_a_next_day_open_from_00_00():
    rules = event(60, slot_interval=30)
    kw = {"start": "2027-03-01", "end": "2027-03-03"}
    written_2359 = schedule("UTC", weekly={"mon": "22:00-23:59", "tue": "00:00-02:00"})
    written_2400 = schedule("UTC", weekly={"mon": "22:00-24:00", "tue": "00:00-02:00"})
    got = slots(written_2359, rules, **kw)
    assert "2027-03-01 23:30" in local(got, "UTC")
    assert got == slots(written_2400, rules, **kw)


def test_offset_start_moves_the_first_slot_and_widens_the_step():
    got = slots(UTC_9_12, event(30, offset_start=10), **DAY)
    # Cal.com: first start = window start + offset, then every interval + offset minutes.
    assert times(got, "UTC") == ["09:10", "09:50", "10:30", "11:10"]


def test_only_the_first_slot_of_each_day_is_offered_when_asked():
    sched = schedule("UTC", every_day="09:00-12:00")
    got = slots(
        sched,
        event(30, only_first_slot=True),
        start="2027-03-01",
        end="2027-03-03",
        busy=[busy(utc("2027-03-01T09:00"), 30)],
    )
    assert local(got, "UTC") == ["2027-03-01 09:30", "2027-03-02 09:00"]


def test_the_first_slot_of_a_day_is_judged_in_the_display_zone():
    # 22:00–02:00 UTC is one evening in New York but spans two UTC dates.
    sched = schedule("UTC", every_day="22:00-24:00", weekly={"tue": "00:00-02:00"})
    rules = event(60, only_first_slot=True)
    kw = {"start": "2027-03-01T20:00", "end": "2027-03-02T03:00"}
    in_utc = slots(sched, rules, **kw)
    in_ny = slots(sched, rules, display_time_zone="America/New_York", **kw)
    assert local(in_utc, "UTC") == ["2027-03-01 22:00", "2027-03-02 00:00"]
    assert local(in_ny, "UTC") == ["2027-03-01 22:00"]


def test_asia_kolkata_slots_fall_on_the_half_hour_utc():
    got = slots(schedule("Asia/Kolkata", mon_fri="09:00-11:00"), event(60), **DAY)
    assert times(got, "UTC") == ["03:30", "04:30"]
    assert times(got, "Asia/Kolkata") == ["09:00", "10:00"]


def test_a_host_zone_far_east_puts_slots_on_the_previous_day_in_los_angeles():
    sched = schedule("Asia/Tokyo", mon_fri="09:00-10:00")
    got = slots(sched, event(60), start="2027-03-01T01:00", end="2027-03-03")
    assert local(got, "America/Los_Angeles") == ["2027-03-01 16:00"]
    assert got[0].start == at("Asia/Tokyo", "2027-03-02T09:00")
