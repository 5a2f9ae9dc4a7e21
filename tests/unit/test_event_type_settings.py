"""The booking settings of an event type, parsed once from its stored camelCase document."""

from __future__ import annotations

from datetime import timedelta

from rendezvous.domain.event_type_settings import (
    ChangePolicy,
    Recurrence,
    parse_booking_settings,
)


def test_an_empty_document_asks_for_nothing():
    parsed = parse_booking_settings({})
    assert parsed.confirmation is None
    assert parsed.recurrence is None
    assert parsed.no_cancelling is None and parsed.no_rescheduling is None
    assert not parsed.requires_authentication and not parsed.guests_disabled


def test_disabled_settings_are_absent_not_half_parsed():
    parsed = parse_booking_settings(
        {
            "confirmationPolicy": {"disabled": True},
            "recurrence": {"disabled": True},
            "disableCancelling": {"disabled": False},
            "disableRescheduling": {"disabled": False, "minutesBefore": 60},
        }
    )
    assert parsed.confirmation is None
    assert parsed.recurrence is None
    assert parsed.no_cancelling is None and parsed.no_rescheduling is None


def test_a_threshold_policy_counts_its_notice_in_its_unit():
    parsed = parse_booking_settings(
        {
            "confirmationPolicy": {
                "type": "time",
                "noticeThreshold": {"unit": "hours", "count": 2},
                "blockUnconfirmedBookingsInBooker": True,
            }
        }
    ).confirmation
    assert parsed is not None
    assert (parsed.always, parsed.notice_threshold, parsed.blocks_unconfirmed) == (
        False,
        timedelta(hours=2),
        True,
    )


def test_recurrence_and_change_policies_become_typed_values():
    parsed = parse_booking_settings(
        {
            "recurrence": {"frequency": "monthly", "occurrences": 6},
            "disableRescheduling": {"disabled": True, "minutesBefore": 90},
            "disableCancelling": {"disabled": True},
        }
    )
    assert parsed.recurrence == Recurrence("monthly", 1, 6)
    assert parsed.no_rescheduling == ChangePolicy(90)
    assert parsed.no_cancelling == ChangePolicy(None)
