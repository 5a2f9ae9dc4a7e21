"""Is this start bookable, and if not, why? One answer for reservations, bookings and reschedules.

The engine offers slots; a request to take a start that is not offered gets the most specific
reason, found by asking the engine again with fewer constraints: a start outside minimum notice,
availability, the booking window or a booking limit is a rule violation (422); a start that the
rules allow but that is taken is a conflict (409).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from rendezvous.domain import errors
from rendezvous.domain.models import BookedTime, Busy, EventRules, Schedule, Slot
from rendezvous.domain.slots import compute_slots, resolve_duration


def check_start(
    schedule: Schedule,
    rules: EventRules,
    start: datetime,
    *,
    now: datetime,
    busy: Sequence[Busy],
    booked: Sequence[BookedTime] = (),
    duration: int | None = None,
    week_start: int = 1,
) -> Slot:
    """The offered slot at ``start``, or the DomainError that explains why there is none.

    ``only_first_slot`` is a display preference: any start the other rules allow may be booked.
    The engine is asked for the range [start, start + duration), the smallest that holds the
    slot (a listed slot lies inside its query), so a start is bookable exactly when a listing
    over any range holding that slot offers it.
    """
    minutes = resolve_duration(rules, duration)
    probe_end = start + timedelta(minutes=minutes)
    rules = replace(rules, only_first_slot=False)

    def offered(
        variant: EventRules, busy: Sequence[Busy], booked: Sequence[BookedTime]
    ) -> Slot | None:
        slots = compute_slots(
            schedule,
            variant,
            range_start=start,
            range_end=probe_end,
            now=now,
            busy=busy,
            booked=booked,
            duration=minutes,
            week_start=week_start,
        )
        return next((s for s in slots if s.start == start), None)

    slot = offered(rules, busy, booked)
    if slot is not None:
        return slot
    raise _why_not_offered(offered, rules, start, now=now, booked=booked, duration=minutes)


Offered = Callable[[EventRules, Sequence[Busy], Sequence[BookedTime]], Slot | None]


def _why_not_offered(
    offered: Offered,
    rules: EventRules,
    start: datetime,
    *,
    now: datetime,
    booked: Sequence[BookedTime],
    duration: int,
) -> errors.DomainError:
    """Why ``start`` is not offered: asked again with fewer constraints, the first one whose
    removal offers it names the reason (notice, availability, window, limit or seats);
    otherwise the time is taken."""
    if start < now:
        return errors.InsideMinimumNotice("The start is in the past")
    if start < now + timedelta(minutes=rules.minimum_notice):
        return errors.InsideMinimumNotice(
            f"The start {start.isoformat()} is inside the minimum booking notice of "
            f"{rules.minimum_notice} minutes"
        )
    bare = replace(
        rules, minimum_notice=0, booking_window=None, count_limits=None, duration_limits=None
    )
    if offered(bare, (), ()) is None:
        return errors.OutsideAvailability(
            f"The host is not available at {start.isoformat()} for {duration} minutes "
            "(outside the schedule, or not a slot start)"
        )
    windowed = replace(bare, booking_window=rules.booking_window)
    if offered(windowed, (), ()) is None:
        return errors.OutsideBookingWindow(
            f"The start {start.isoformat()} is outside the event type's booking window"
        )
    limited = replace(
        windowed, count_limits=rules.count_limits, duration_limits=rules.duration_limits
    )
    if offered(limited, (), booked) is None:
        if rules.seats_per_slot is not None and any(
            b.start == start and b.attendees >= rules.seats_per_slot for b in booked
        ):
            return errors.SeatsFull("Every seat of this time slot is taken")
        return errors.BookingLimitReached(
            "The event type's booking limit for this period has been reached"
        )
    return errors.SlotTaken("This time slot is no longer available")
