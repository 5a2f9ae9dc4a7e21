"""Calendar write-back rows: a booking created, moved or cancelled becomes one outbox row
(kind ``calendar``) per destination calendar, written in the booking's own transaction; the
worker delivers each with retries (integrations/calendars/writeback.py).

The destinations are those of every host the booking occupies (its organizer and
``host_ids``): for a personal booking the organizer's; for a COLLECTIVE team booking every
host's, as Cal.com writes a collective booking to each team member's destination calendar
(handleNewBooking's ``teamDestinationCalendars``); for round robin the assigned host's (and
the fixed hosts', who are busy too — Cal.com writes only the organizer's there). A reschedule
that changes the hosts removes the event from the calendars of hosts no longer booked.

Only ``services/notifications.py`` calls this module (the one place that writes outbox rows).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from rendezvous.domain.accounts import User
from rendezvous.domain.bookings import Attendee, Booking
from rendezvous.domain.webhooks import iso
from rendezvous.services.ports import UnitOfWork

KIND = "calendar"
CREATE, MOVE, REMOVE = "create", "move", "remove"


def _event(booking: Booking, organizer: User, attendees: Sequence[Attendee]) -> dict[str, Any]:
    return {
        "uid": booking.ics_uid,
        "title": booking.title,
        "description": booking.description or "",
        "location": booking.location or booking.meeting_url or "",
        "start": iso(booking.start),
        "end": iso(booking.end),
        "status": "TENTATIVE" if booking.status == "pending" else "CONFIRMED",
        "organizer": {"name": organizer.name or organizer.username, "email": organizer.email},
        "attendees": [{"name": a.name, "email": a.email} for a in attendees],
        "bookingUid": booking.uid,
    }


async def write_back(
    uow: UnitOfWork,
    action: str,
    booking: Booking,
    *,
    now: datetime,
    organizer: User | None = None,
    old: Booking | None = None,
    attendees: Sequence[Attendee] | None = None,
) -> None:
    """One ``calendar`` row (``action``: create, move, remove) per destination calendar of the
    booking's hosts (see above); nothing for a host without one, or when the server reads no
    calendars. ``attendees`` default to the booking's own; ``old``: the booking a move
    replaces (its hosts' calendars lose the old event)."""
    if uow.feeds is None:
        return
    hosts = list(dict.fromkeys((booking.user_id, *booking.host_ids)))
    before = list(dict.fromkeys((old.user_id, *old.host_ids))) if old is not None else []
    dropped = [h for h in before if h not in hosts]
    destinations = await uow.calendars.with_credentials([*hosts, *dropped], destination=True)
    if not destinations:
        return
    if organizer is None or organizer.id != booking.user_id:
        organizer = await uow.users.get(booking.user_id)
    if organizer is None:  # pragma: no cover - a booking's organizer is never deleted first
        return
    event = _event(booking, organizer, attendees or booking.attendees)
    # SEQUENCE (RFC 5545 §3.8.7.4) grows with every change: seconds since the booking's
    # creation at the time of this change.
    sequence = max(0, int((now - booking.created_at).total_seconds()))
    seen: set[int] = set()
    for calendar, credential in destinations:
        if calendar.user_id in seen:  # pragma: no cover - one destination per user
            continue
        seen.add(calendar.user_id)
        step = action
        if old is not None and calendar.user_id in dropped:
            step = REMOVE  # a host no longer booked: the old event leaves their calendar
        elif old is not None and action == MOVE and calendar.user_id not in before:
            step = CREATE  # a host newly booked: nothing to move
        payload: dict[str, Any] = {
            "action": step,
            "credentialId": credential.id,
            "externalId": calendar.external_id,
            "event": event if step != REMOVE or old is None else {**event, "uid": old.ics_uid},
            "sequence": sequence,
        }
        if old is not None and step == MOVE:
            payload["oldUid"] = old.ics_uid
        await uow.outbox.add(
            kind=KIND,
            topic=step,
            payload=payload,
            now=now,
            user_id=calendar.user_id,
            booking_uid=booking.uid,
        )
