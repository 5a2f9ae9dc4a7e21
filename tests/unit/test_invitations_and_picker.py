"""Pure parts of issue 16: who is mailed about a change, the VEVENT facts, the month grid."""

from __future__ import annotations

from datetime import UTC, date, datetime

from rendezvous.domain.accounts import User
from rendezvous.domain.bookings import Attendee, Booking
from rendezvous.domain.invitations import calendar_event, messages, parties
from rendezvous.domain.models import Slot
from rendezvous.web.picker import by_day, month_grid, month_range

T0 = datetime(2030, 1, 8, 9, 0, tzinfo=UTC)
T1 = datetime(2030, 1, 8, 9, 30, tzinfo=UTC)
BOB = User(id=1, email="bob@example.com", username="bob", name="Bob", time_zone="Europe/Rome")


def booking(**extra) -> Booking:
    fields = dict(
        id=1, uid="u1", user_id=1, event_type_id=1, title="Intro", status="accepted",
        start=T0, end=T1, created_at=T0, updated_at=T0, ics_uid="u0@rendezvous",
        ics_sequence=2, attendees=(Attendee("Jane", "jane@example.com", "America/New_York"),),
        guests=("sam@example.com", "BOB@example.com"), host_ids=(1,),
    )  # fmt: skip
    return Booking(**(fields | extra))  # type: ignore[arg-type]


def test_every_address_is_mailed_once_host_first():
    found = parties(booking(), [BOB])
    assert [(p.email, p.role) for p in found] == [
        ("bob@example.com", "host"),
        ("jane@example.com", "attendee"),
        ("sam@example.com", "guest"),
    ]


def test_a_seat_change_mails_only_that_seat_and_the_hosts():
    seat = (Attendee("Ann", "ann@example.com", "UTC"),)
    found = parties(booking(), [BOB], attendees=seat)
    assert [p.email for p in found] == ["bob@example.com", "ann@example.com"]


def test_a_move_keeps_the_uid_and_a_cancellation_counts_one_more():
    moved = calendar_event(booking(), BOB, change="rescheduled")
    gone = calendar_event(booking(), BOB, change="cancelled")
    assert (moved["method"], moved["uid"], moved["sequence"]) == ("REQUEST", "u0@rendezvous", 2)
    assert (gone["method"], gone["sequence"], gone["status"]) == ("CANCEL", 3, "CANCELLED")


def test_messages_carry_the_manage_link_of_the_booking():
    [first, *_] = messages(
        booking(), change="created", organizer=BOB, hosts=[BOB],
        public_url="https://cal.example.com", event_title="Intro",
    )  # fmt: skip
    assert first["manageUrl"] == "https://cal.example.com/booking/u1"


def test_the_month_grid_starts_on_the_week_start_and_counts_free_slots():
    slots = [Slot(T0, T1), Slot(T1, T1)]
    days = by_day(slots, "Asia/Tokyo")
    assert list(days) == [date(2030, 1, 8)]
    grid = month_grid(date(2030, 1, 1), days, "Sunday")
    assert grid.weekday_names[0] == "Sun"
    assert all(len(week) == 7 for week in grid.weeks)
    free = {d.day: d.free for week in grid.weeks for d in week if d.free}
    assert free == {date(2030, 1, 8): 2}
    assert (grid.previous, grid.next) == (date(2029, 12, 1), date(2030, 2, 1))


def test_a_month_is_measured_on_the_visitors_wall_clock():
    start, end = month_range(date(2030, 3, 1), "Europe/Rome")
    assert start == datetime(2030, 2, 28, 23, 0, tzinfo=UTC)
    assert end == datetime(2030, 3, 31, 22, 0, tzinfo=UTC)  # after the switch to summer time
