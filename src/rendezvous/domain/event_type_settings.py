"""The booking-related settings of an event type, parsed once from the stored wire-form JSON
(Cal.com's camelCase event-type settings, contract §4) into typed values, so the domain and the
services never read camelCase dictionaries."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any


@dataclass(frozen=True, slots=True)
class ConfirmationPolicy:
    """``confirmationPolicy``: every booking waits for the host's confirmation (``always``),
    or only one made with less notice than ``notice_threshold`` (Cal.com's
    requiresConfirmationThreshold). ``blocks_unconfirmed``: a pending booking holds its time."""

    always: bool
    notice_threshold: timedelta
    blocks_unconfirmed: bool

    def needs_confirmation(self, start: datetime, now: datetime) -> bool:
        return self.always or start - now < self.notice_threshold


@dataclass(frozen=True, slots=True)
class Recurrence:
    """``recurrence``: ``occurrences`` bookings every ``interval`` ``frequency`` (weekly,
    monthly, yearly)."""

    frequency: str
    interval: int
    occurrences: int


@dataclass(frozen=True, slots=True)
class ChangePolicy:
    """``disableCancelling`` / ``disableRescheduling``: bookers may not make the change, at
    all (``minutes_before`` None) or within ``minutes_before`` minutes of the start."""

    minutes_before: int | None = None


@dataclass(frozen=True, slots=True)
class BookingSettings:
    """What booking an event type reads from its settings."""

    requires_authentication: bool = False
    guests_disabled: bool = False
    custom_name: str | None = None
    locations: Sequence[Mapping[str, Any]] | None = None
    booking_fields: Sequence[Mapping[str, Any]] | None = None
    confirmation: ConfirmationPolicy | None = None
    recurrence: Recurrence | None = None
    no_cancelling: ChangePolicy | None = None
    no_rescheduling: ChangePolicy | None = None


def _confirmation(policy: Mapping[str, Any] | None) -> ConfirmationPolicy | None:
    if not policy or policy.get("disabled"):
        return None
    threshold = policy.get("noticeThreshold") or {}
    count = int(threshold.get("count", 0))
    unit = threshold.get("unit", "minutes")
    return ConfirmationPolicy(
        always=policy.get("type") == "always",
        notice_threshold=timedelta(hours=count) if unit == "hours" else timedelta(minutes=count),
        blocks_unconfirmed=bool(policy.get("blockUnconfirmedBookingsInBooker")),
    )


def _recurrence(recurrence: Mapping[str, Any] | None) -> Recurrence | None:
    if not recurrence or recurrence.get("disabled"):
        return None
    return Recurrence(
        frequency=str(recurrence["frequency"]),
        interval=int(recurrence.get("interval", 1)),
        occurrences=int(recurrence["occurrences"]),
    )


def _change_policy(setting: Mapping[str, Any] | None) -> ChangePolicy | None:
    if not setting or not setting.get("disabled"):
        return None
    minutes = setting.get("minutesBefore")
    return ChangePolicy(None if minutes is None else int(minutes))


def parse_booking_settings(settings: Mapping[str, Any]) -> BookingSettings:
    """The booking settings of a stored (validated) settings document."""
    return BookingSettings(
        requires_authentication=bool(settings.get("bookingRequiresAuthentication")),
        guests_disabled=bool(settings.get("disableGuests")),
        custom_name=settings.get("customName"),
        locations=settings.get("locations"),
        booking_fields=settings.get("bookingFields"),
        confirmation=_confirmation(settings.get("confirmationPolicy")),
        recurrence=_recurrence(settings.get("recurrence")),
        no_cancelling=_change_policy(settings.get("disableCancelling")),
        no_rescheduling=_change_policy(settings.get("disableRescheduling")),
    )
