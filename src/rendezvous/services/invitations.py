"""Email outbox rows for booking changes and address verification (issue 16).

Called only from ``services/notifications.py``, so every side effect of a change is still
written in one place and in the change's own transaction: a rolled-back booking mails nobody.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import datetime

from rendezvous.domain import invitations
from rendezvous.domain.accounts import User
from rendezvous.domain.bookings import Attendee, Booking
from rendezvous.domain.event_types import EventType
from rendezvous.services.ports import UnitOfWork

KIND = "email"


async def queue_booking_emails(
    uow: UnitOfWork,
    *,
    now: datetime,
    public_url: str,
    booking: Booking,
    event_type: EventType | None,
    change: invitations.Change,
    organizer: User | None = None,
    attendees: Sequence[Attendee] | None = None,
    reason: str | None = None,
    previous: Booking | None = None,
) -> None:
    """One ``email`` outbox row per recipient of ``change`` (attendees, guests, hosts)."""
    known = {organizer.id: organizer} if organizer is not None else {}
    hosts: list[User] = []
    for user_id in dict.fromkeys((booking.user_id, *booking.host_ids)):
        user = known.get(user_id) or await uow.users.get(user_id)
        if user is not None:
            hosts.append(user)
    if not hosts:  # pragma: no cover - a booking's organizer is never deleted first
        return
    owner = next((h for h in hosts if h.id == booking.user_id), hosts[0])
    for payload in invitations.messages(
        booking,
        change=change,
        organizer=owner,
        hosts=hosts,
        public_url=public_url,
        event_title=event_type.title if event_type else booking.title,
        attendees=attendees,
        reason=reason,
        previous=previous,
    ):
        await uow.outbox.add(
            kind=KIND,
            topic=change,
            payload=payload,
            now=now,
            user_id=booking.user_id,
            booking_uid=booking.uid,
        )


def new_verification_token() -> tuple[str, str]:
    """A fresh token (URL-safe, 192 random bits) and the SHA-256 hex the database keeps."""
    token = secrets.token_urlsafe(24)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    """The stored form of a verification token: the token itself is only ever mailed."""
    return hashlib.sha256(token.encode()).hexdigest()


async def queue_verification_email(
    uow: UnitOfWork, *, now: datetime, public_url: str, user: User, token: str
) -> None:
    """The mail with the link that verifies ``user``'s (changed) address."""
    link = f"{public_url}/verify-email?token={token}"
    await uow.outbox.add(
        kind=KIND,
        topic="verify-email",
        payload=invitations.verification_message(user, link),
        now=now,
        user_id=user.id,
    )
