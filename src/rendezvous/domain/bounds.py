"""The largest settings the slot engine is asked to handle, and the work one request may do.

Input validation (``api/schemas/bounds.py``) refuses anything beyond these; ``rules_problem``
guards the engine against values stored before the bounds existed, so that no stored setting can
make a request run for long or overflow a date. Sources: ``docs/compatibility.md``.
"""

from __future__ import annotations

from datetime import date

from rendezvous.domain.models import EventRules

MINUTES_PER_DAY = 1440
MAX_DURATION_MINUTES = MINUTES_PER_DAY  # Cal.com MAX_EVENT_DURATION_MINUTES
MAX_BUFFER_MINUTES = MINUTES_PER_DAY
MAX_SLOT_INTERVAL_MINUTES = MINUTES_PER_DAY
MAX_OFFSET_MINUTES = MINUTES_PER_DAY
MAX_NOTICE_MINUTES = 366 * MINUTES_PER_DAY
MAX_WINDOW_DAYS = 3660
MAX_OCCURRENCES = 730
MAX_RECURRENCE_INTERVAL = 366
EARLIEST_YEAR, LATEST_YEAR = 1970, 2200
#: Candidate starts one slots request may visit (range length / slot step). At a one-minute step
#: that is about 34 days (a month view); at a 15-minute step, the whole 366-day range.
MAX_CANDIDATE_SLOTS = 50_000


def rules_problem(rules: EventRules) -> str | None:
    """The first setting of ``rules`` outside the bounds above (as its wire name), or None."""
    checks = (
        ("lengthInMinutes", rules.duration, 1, MAX_DURATION_MINUTES),
        ("slotInterval", rules.slot_interval or 1, 1, MAX_SLOT_INTERVAL_MINUTES),
        ("beforeEventBuffer", rules.before_buffer, 0, MAX_BUFFER_MINUTES),
        ("afterEventBuffer", rules.after_buffer, 0, MAX_BUFFER_MINUTES),
        ("minimumBookingNotice", rules.minimum_notice, 0, MAX_NOTICE_MINUTES),
        ("offsetStart", rules.offset_start, 0, MAX_OFFSET_MINUTES),
    )
    for name, value, low, high in checks:
        if not low <= value <= high:
            return name
    if any(not 1 <= option <= MAX_DURATION_MINUTES for option in rules.duration_options):
        return "lengthInMinutesOptions"
    window = rules.booking_window
    if window is not None:
        if not 0 <= window.days <= MAX_WINDOW_DAYS:
            return "bookingWindow"
        for day in (window.start_date, window.end_date):
            if isinstance(day, date) and not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
                return "bookingWindow"
    return None


def recurrence_fits(start_year: int, frequency: str, interval: int, count: int) -> bool:
    """Whether ``count`` occurrences, ``interval`` ``frequency`` units apart, starting in
    ``start_year``, all fall before the end of LATEST_YEAR (a generous estimate per unit)."""
    if not (1 <= count <= MAX_OCCURRENCES and 1 <= interval <= MAX_RECURRENCE_INTERVAL):
        return False
    days_per_unit = {"weekly": 7, "monthly": 31, "yearly": 366}.get(frequency, 366)
    span_days = days_per_unit * interval * (count - 1)
    return start_year + span_days / 365 <= LATEST_YEAR
