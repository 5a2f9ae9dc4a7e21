"""Calendar write-back rows: a booking created, moved or cancelled becomes one outbox row
(kind ``calendar``) for the organizer's destination calendar, written in the booking's own
transaction; the worker delivers it with retries (integrations/calendars/writeback.py).

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
    """One ``calendar`` row (``action``: create, move, remove) when the organizer has a
    destination calendar; nothing otherwise, or when the server reads no calendars.
    ``attendees`` default to the booking's own."""
    if uow.feeds is None:
        return
    destinations = await uow.calendars.with_credentials([booking.user_id], destination=True)
    if not destinations:
        return
    calendar, credential = destinations[0]
    if organizer is None or organizer.id != booking.user_id:
        organizer = await uow.users.get(booking.user_id)
    if organizer is None:  # pragma: no cover - a booking's organizer is never deleted first
        return
    payload: dict[str, Any] = {
        "action": action,
        "credentialId": credential.id,
        "externalId": calendar.external_id,
        "event": _event(booking, organizer, attendees or booking.attendees),
        # SEQUENCE (RFC 5545 §3.8.7.4) grows with every change: seconds since the booking's
        # creation at the time of this change.
        "sequence": max(0, int((now - booking.created_at).total_seconds())),
    }
    if old is not None:
        payload["oldUid"] = old.ics_uid
    await uow.outbox.add(
        kind=KIND,
        topic=action,
        payload=payload,
        now=now,
        user_id=booking.user_id,
        booking_uid=booking.uid,
    )
