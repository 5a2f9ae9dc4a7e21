"""Domain errors: each names one reason a request cannot be carried out.

The API maps each class to an HTTP status in one table (``api/errors.py``); nothing here knows HTTP.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base class. ``code`` is stable; ``message`` is for a person; ``details`` is optional data."""

    code = "domain_error"

    def __init__(self, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(DomainError):
    code = "not_found"


class InvalidInput(DomainError):
    """Well-formed but invalid input that validation at the edge could not catch (400)."""

    code = "invalid_input"


class Forbidden(DomainError):
    code = "forbidden"


class Conflict(DomainError):
    """The state changed under the caller: duplicate slug, slot taken, seats full (409)."""

    code = "conflict"


class SlotTaken(Conflict):
    code = "slot_taken"


class LostRace(SlotTaken):
    """The database refused an overlapping hold written concurrently: worth one more try
    (a seat may still be free), after which the ordinary checks give the answer."""

    code = "lost_race"


class SeatsFull(Conflict):
    code = "seats_full"


class RuleViolation(DomainError):
    """Well-formed request that the event type's rules forbid (422)."""

    code = "rule_violation"


class OutsideAvailability(RuleViolation):
    code = "outside_availability"


class InsideMinimumNotice(RuleViolation):
    code = "inside_minimum_notice"


class OutsideBookingWindow(RuleViolation):
    code = "outside_booking_window"


class BookingLimitReached(RuleViolation):
    code = "booking_limit_reached"


class DurationNotOffered(RuleViolation):
    code = "duration_not_offered"


class WrongState(RuleViolation):
    code = "wrong_state"
