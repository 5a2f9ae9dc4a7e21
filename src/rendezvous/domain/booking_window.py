"""How far ahead a slot may be booked (Cal.com ``bookingWindow`` / ``periodType``).

All dates are local dates in the zone of the schedule the event type uses, not the host's profile
zone; "today" is that zone's date of ``now``. Cal.com reads a ``range`` in the organizer's zone.

* ``calendarDays``/``businessDays``, not rolling (Cal.com ``ROLLING``): a fixed window from today
  through today + N calendar days, or today + N business days (Mon–Fri, counted from tomorrow,
  as dayjs ``businessDaysAdd`` does); weekend dates before that last day stay bookable.
* rolling (Cal.com ``ROLLING_WINDOW``): through the N-th date, counted from today, that has at
  least one bookable slot; ``businessDays`` visits only business days when counting (today
  itself is always visited). Like Cal.com the search gives up after 61 visited days and then ends
  at the last bookable date it found.
* ``range``: start_date … end_date inclusive.

Cal.com compat: Cal.com counts ROLLING / ROLLING_WINDOW days in the booker's zone (the request's
``timeZone``). We use the schedule's zone, as for ``range``, so that the window does not depend
on a display parameter and the booking check agrees with the slots shown.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from rendezvous.domain.models import BookingWindow

MAX_DAYS_TO_CHECK = 61  # Cal.com ROLLING_WINDOW_PERIOD_MAX_DAYS_TO_CHECK (30 + 31)


def is_business_day(ordinal: int) -> bool:
    return date.fromordinal(ordinal).isoweekday() <= 5


def business_days_add(day: date, n: int) -> date:
    """``day`` moved forward by ``n`` business days (n = 0 keeps ``day``, even on a weekend)."""
    ordinal = day.toordinal()
    while n > 0:
        ordinal += 1
        if is_business_day(ordinal):
            n -= 1
    return date.fromordinal(ordinal)


def fixed_bounds(window: BookingWindow | None, today: date) -> tuple[date | None, date | None]:
    """First and last bookable local dates known without looking at slots (None = open)."""
    if window is None:
        return None, None
    if window.kind == "range":
        return window.start_date, window.end_date
    if window.rolling:
        return None, rolling_search_last_day(window, today)
    if window.kind == "calendarDays":
        return None, date.fromordinal(today.toordinal() + max(window.days, 0))
    return None, business_days_add(today, max(window.days, 0))


def _visit_order(window: BookingWindow, today: date) -> list[int]:
    """Ordinals the rolling search visits, in order: MAX_DAYS_TO_CHECK of them, plus the one it
    would visit next (where Cal.com's window ends when it found no bookable date at all)."""
    ordinals = [today.toordinal()]
    while len(ordinals) <= MAX_DAYS_TO_CHECK:
        nxt = ordinals[-1] + 1
        if window.kind == "businessDays":
            while not is_business_day(nxt):
                nxt += 1
        ordinals.append(nxt)
    return ordinals


def rolling_search_last_day(window: BookingWindow, today: date) -> date:
    """The last date the rolling search could ever reach: no slot beyond it can qualify."""
    return date.fromordinal(_visit_order(window, today)[-1])


def rolling_last_day(
    window: BookingWindow, today: date, bookable: Collection[int], known_until: int
) -> date | None:
    """Last bookable date of a rolling window, given the ordinals of dates that have a slot.

    Bookability is known only through ordinal ``known_until``; if the search runs past it before
    finding N bookable dates, every known date qualifies and None (no bound) is returned.
    """
    needed = max(window.days, 0)
    found = 0
    last: int | None = None
    if needed == 0:
        return today
    order = _visit_order(window, today)
    for ordinal in order[:MAX_DAYS_TO_CHECK]:
        if ordinal > known_until:
            return None
        if ordinal in bookable:
            found += 1
            last = ordinal
            if found >= needed:
                break
    # Cal.com ends at the last bookable date found, or at the next unvisited date when none.
    return date.fromordinal(last if last is not None else order[-1])
