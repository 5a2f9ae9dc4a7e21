"""The engine's rules derived from an event type's stored settings (services.event_types)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from rendezvous.domain.models import BookingWindow, EventRules, PeriodLimits
from rendezvous.services.event_types import rules_from_settings

BASE: dict[str, Any] = {"lengthInMinutes": 30, "title": "Intro", "slug": "intro"}


def rules(**settings: Any) -> EventRules:
    return rules_from_settings({**BASE, **settings})


def test_an_event_type_with_nothing_set_gets_cal_com_defaults():
    assert rules() == EventRules(
        duration=30,
        duration_options=(),
        slot_interval=None,
        before_buffer=0,
        after_buffer=0,
        minimum_notice=120,  # Cal.com's default notice is two hours, not zero
        booking_window=None,
        count_limits=None,
        duration_limits=None,
        offset_start=0,
        only_first_slot=False,
        seats_per_slot=None,
    )


def test_every_slot_shaping_setting_reaches_the_engine():
    assert rules(
        lengthInMinutesOptions=[15, 30, 60],
        slotInterval=15,
        minimumBookingNotice=60,
        beforeEventBuffer=5,
        afterEventBuffer=10,
        offsetStart=3,
        onlyShowFirstAvailableSlot=True,
        seats={"seatsPerTimeSlot": 8, "showAttendeeInfo": False, "showAvailabilityCount": True},
    ) == EventRules(
        duration=30,
        duration_options=(15, 30, 60),
        slot_interval=15,
        minimum_notice=60,
        before_buffer=5,
        after_buffer=10,
        offset_start=3,
        only_first_slot=True,
        seats_per_slot=8,
    )


def test_zero_notice_is_zero_not_the_default():
    assert rules(minimumBookingNotice=0).minimum_notice == 0


@pytest.mark.parametrize(
    ("window", "expected"),
    [
        (
            {"type": "calendarDays", "value": 30, "rolling": True},
            BookingWindow(kind="calendarDays", days=30, rolling=True),
        ),
        (
            {"type": "businessDays", "value": 5},
            BookingWindow(kind="businessDays", days=5, rolling=False),
        ),
        (
            {"type": "range", "value": ["2030-01-10", "2030-02-10"]},
            BookingWindow(kind="range", start_date=date(2030, 1, 10), end_date=date(2030, 2, 10)),
        ),
    ],
)
def test_each_booking_window_variant_maps_to_the_engines_window(window, expected):
    assert rules(bookingWindow=window).booking_window == expected


def test_count_and_duration_limits_keep_only_the_periods_given():
    derived = rules(
        bookingLimitsCount={"day": 2, "week": 5},
        bookingLimitsDuration={"month": 600},
    )
    assert derived.count_limits == PeriodLimits(day=2, week=5)
    assert derived.duration_limits == PeriodLimits(month=600)


@pytest.mark.parametrize(
    "key", ["bookingWindow", "bookingLimitsCount", "bookingLimitsDuration", "seats"]
)
@pytest.mark.parametrize("off", [None, {"disabled": True}])
def test_a_disabled_or_null_nested_setting_is_off(key, off):
    derived = rules(**{key: off})
    assert derived == rules()
