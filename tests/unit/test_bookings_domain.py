"""Pure booking rules: recurrence, titles, confirmation thresholds, when changes are allowed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from rendezvous.domain import errors
from rendezvous.domain.bookings import (
    Booking,
    check_can_change,
    check_pending,
    occurrences,
    render_title,
)
from rendezvous.domain.event_type_settings import parse_booking_settings

NOW = datetime(2030, 1, 7, 8, 0, tzinfo=UTC)


def booking(status: str = "accepted", start: datetime = NOW + timedelta(days=1)) -> Booking:
    return Booking(
        id=1,
        uid="b1",
        user_id=1,
        event_type_id=1,
        title="t",
        status=status,  # type: ignore[arg-type]
        start=start,
        end=start + timedelta(minutes=30),
        created_at=NOW,
        updated_at=NOW,
        ics_uid="b1@x",
    )


def test_weekly_occurrences_keep_the_local_time_across_dst():
    first = datetime(2030, 3, 5, 14, 0, tzinfo=UTC)  # 09:00 in New York (EST)
    starts = occurrences(
        first, frequency="weekly", interval=1, count=3, time_zone="America/New_York"
    )
    # DST starts 2030-03-10: 09:00 EDT is 13:00 UTC.
    assert starts == [
        first,
        datetime(2030, 3, 12, 13, 0, tzinfo=UTC),
        datetime(2030, 3, 19, 13, 0, tzinfo=UTC),
    ]


def test_fortnightly_occurrences_step_by_the_interval():
    first = datetime(2030, 1, 8, 10, 0, tzinfo=UTC)
    starts = occurrences(first, frequency="weekly", interval=2, count=3, time_zone="UTC")
    assert [s.day for s in starts] == [8, 22, 5]


def test_monthly_occurrences_skip_months_without_the_day():
    first = datetime(2030, 1, 31, 10, 0, tzinfo=UTC)
    starts = occurrences(first, frequency="monthly", interval=1, count=3, time_zone="UTC")
    assert [(s.month, s.day) for s in starts] == [(1, 31), (3, 31), (5, 31)]


def test_yearly_occurrences_on_leap_day_wait_for_the_next_leap_year():
    first = datetime(2028, 2, 29, 10, 0, tzinfo=UTC)
    starts = occurrences(first, frequency="yearly", interval=1, count=2, time_zone="UTC")
    assert [s.year for s in starts] == [2028, 2032]


def test_the_default_title_names_event_organiser_and_scheduler():
    title = render_title(None, event_title="Intro", organizer="Bob Host", scheduler="Jane Doe")
    assert title == "Intro between Bob Host and Jane Doe"


def test_a_custom_title_fills_its_variables():
    title = render_title(
        "{Event type title} with {Scheduler first name} ({Event duration}) at {Location}",
        event_title="Intro",
        organizer="Bob Host",
        scheduler="Jane Doe",
        location="Rome",
        duration=30,
    )
    assert title == "Intro with Jane (30 mins) at Rome"


@pytest.mark.parametrize(
    ("policy", "hours_ahead", "expected"),
    [
        (None, 1, False),
        ({"disabled": True}, 1, False),
        ({"type": "always", "blockUnconfirmedBookingsInBooker": True}, 100, True),
        ({"type": "time", "noticeThreshold": {"unit": "hours", "count": 24}}, 23, True),
        ({"type": "time", "noticeThreshold": {"unit": "hours", "count": 24}}, 25, False),
        ({"type": "time", "noticeThreshold": {"unit": "minutes", "count": 90}}, 1, True),
    ],
)
def test_confirmation_is_needed_per_policy(policy, hours_ahead, expected):
    start = NOW + timedelta(hours=hours_ahead)
    parsed = parse_booking_settings({"confirmationPolicy": policy}).confirmation
    assert (parsed is not None and parsed.needs_confirmation(start, NOW)) is expected


def test_cancelled_and_rejected_bookings_cannot_change():
    for status in ("cancelled", "rejected"):
        with pytest.raises(errors.WrongState):
            check_can_change(booking(status), action="cancel", policy=None, now=NOW)


def test_disabled_rescheduling_with_minutes_before_only_blocks_late_changes():
    policy = parse_booking_settings(
        {"disableRescheduling": {"disabled": True, "minutesBefore": 120}}
    ).no_rescheduling
    early = booking(start=NOW + timedelta(hours=3))
    check_can_change(early, action="reschedule", policy=policy, now=NOW)
    late = booking(start=NOW + timedelta(hours=1))
    with pytest.raises(errors.RuleViolation, match="within 120 minutes"):
        check_can_change(late, action="reschedule", policy=policy, now=NOW)


def test_disabled_cancelling_blocks_every_cancel():
    with pytest.raises(errors.RuleViolation):
        policy = parse_booking_settings({"disableCancelling": {"disabled": True}}).no_cancelling
        check_can_change(booking(), action="cancel", policy=policy, now=NOW)


def test_only_pending_bookings_can_be_confirmed():
    check_pending(booking("pending"), "confirmed")
    with pytest.raises(errors.WrongState, match="accepted"):
        check_pending(booking("accepted"), "confirmed")
