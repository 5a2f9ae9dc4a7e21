"""What one viewer may see of a seated booking (issue 9 item 7).

A seated booking is shared by strangers. When its event type hides attendees
(``seats.showAttendeeInfo`` false, or the event type is gone), a seat holder or an anonymous
caller sees only their own seat's data; hosts see everything. The booking row itself carries
what the first seat typed — its name in ``title``, its notes in ``description``, its
``metadata``, perhaps its address as ``location`` — so those are replaced too, not only the
attendee list.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import replace
from typing import Any

from rendezvous.domain.bookings import Attendee, Booking, render_title

# Location types whose value the booker types (contract §3.2): such a value is theirs.
ATTENDEE_LOCATION_TYPES = frozenset({"attendeeAddress", "attendeePhone", "attendeeDefined"})


def shows_attendees(settings: Mapping[str, Any] | None) -> bool:
    """Whether an event type shows every seat's attendee to every seat holder."""
    seats = (settings or {}).get("seats") or {}
    return bool(seats.get("showAttendeeInfo")) if isinstance(seats, Mapping) else False


def _shareable_location(booking: Booking, offered: Sequence[Mapping[str, Any]] | None) -> bool:
    """Whether the booking's location is the organizer's (an integration, a meeting link made
    for this booking, or a value the event type itself lists) rather than one a booker typed."""
    location = booking.location
    if not location or location.startswith("integrations:") or booking.uid in location:
        return True
    offered = offered or []
    for loc in offered:
        kind = loc.get("type")
        if kind in ("address", "link", "phone") and loc.get(kind) == location:
            return True
    # Only organizer-side types offered: the value cannot have come from a booker.
    return not any(loc.get("type") in ATTENDEE_LOCATION_TYPES for loc in offered)


def seat_holder_view(
    booking: Booking,
    *,
    is_own: Callable[[Attendee], bool],
    event_title: str | None,
    settings: Mapping[str, Any] | None,
    organizer: str,
    host_emails: Collection[str],
) -> Booking:
    """The booking as a non-host sees it when attendees are hidden: only the seats ``is_own``
    accepts, and booking-level fields rebuilt from the first of them (or emptied when the
    viewer holds no seat, e.g. anonymous).

    ``event_title`` and ``settings`` are the event type's (None once it is deleted);
    ``organizer`` is the organizer's display name; ``host_emails`` are the hosts' addresses,
    whose cancellation or rescheduling notes every seat holder may read."""
    own = tuple(a for a in booking.attendees if is_own(a))
    mine = own[0] if own else None
    if event_title is None:
        title = f"Booking with {organizer}"
    else:
        title = render_title(
            (settings or {}).get("customName"),
            event_title=event_title,
            organizer=organizer,
            scheduler=mine.name if mine else "",
            location="",
            duration=booking.duration,
        )
        if not mine:  # no scheduler to name: the event's own title
            title = event_title
        elif mine.responses.get("title"):  # the seat's own title field, as _draft uses it
            title = str(mine.responses["title"])
    # The booking's location was chosen by the seat that opened it (created with the booking):
    # that seat's holder may see it even when a booker typed it.
    opener = booking.attendees[0] if booking.attendees else None
    opened_it = opener is not None and opener in own and opener.created_at == booking.created_at
    shareable = opened_it or _shareable_location(booking, (settings or {}).get("locations"))
    allowed = {e.lower() for e in host_emails} | {a.email.lower() for a in own if a.email}

    def by_allowed(email: str | None) -> bool:
        return email is not None and email.lower() in allowed

    cancelled_shown = by_allowed(booking.cancelled_by_email)
    rescheduled_shown = by_allowed(booking.rescheduled_by_email)
    return replace(
        booking,
        title=title,
        description=str(mine.responses.get("notes") or "") if mine else "",
        metadata=dict(mine.metadata) if mine else {},
        responses=dict(mine.responses) if mine else {},
        location=booking.location if shareable else "",
        meeting_url=booking.meeting_url if shareable else None,
        cancellation_reason=booking.cancellation_reason if cancelled_shown else None,
        cancelled_by_email=booking.cancelled_by_email if cancelled_shown else None,
        rescheduling_reason=booking.rescheduling_reason if rescheduled_shown else None,
        rescheduled_by_email=booking.rescheduled_by_email if rescheduled_shown else None,
        attendees=own,
    )
