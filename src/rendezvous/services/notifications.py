"""The one place service code turns booking changes into outbox rows.

Each method writes its rows through the caller's unit of work, so they commit (or roll back)
with the change they report: one webhook row per trigger and one email row per recipient
(``services/invitations``); calendar write-back will add its rows here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rendezvous.domain import webhooks as hooks
from rendezvous.domain.accounts import User
from rendezvous.domain.bookings import Attendee, Booking
from rendezvous.domain.event_types import EventType
from rendezvous.domain.invitations import Change
from rendezvous.services.invitations import queue_booking_emails, queue_verification_email
from rendezvous.services.ports import UnitOfWork


@dataclass(frozen=True, slots=True)
class Notifications:
    """Outbox rows for one transaction: ``now`` stamps them, ``public_url`` is the booker page
    named in payloads."""

    uow: UnitOfWork
    now: datetime
    public_url: str

    async def created(
        self,
        booking: Booking,
        event_type: EventType | None,
        *,
        organizer: User | None = None,
        attendees: Sequence[Attendee] | None = None,
    ) -> None:
        """BOOKING_CREATED, or BOOKING_REQUESTED for a booking awaiting confirmation."""
        trigger = hooks.BOOKING_REQUESTED if booking.status == "pending" else hooks.BOOKING_CREATED
        await self._emit(trigger, booking, event_type, organizer=organizer, attendees=attendees)
        change: Change = "requested" if booking.status == "pending" else "created"
        await self._mail(booking, event_type, change, organizer=organizer, attendees=attendees)

    async def cancelled(
        self,
        booking: Booking,
        event_type: EventType | None,
        *,
        reason: str | None,
        by: str | None,
        seat: Sequence[Attendee] | None = None,
    ) -> None:
        """BOOKING_CANCELLED for a whole booking, or for the one ``seat`` that left it."""
        extra: dict[str, Any] = {"cancellationReason": reason or "", "cancelledBy": by or ""}
        if seat is None:
            extra["requestReschedule"] = False
        await self._emit(hooks.BOOKING_CANCELLED, booking, event_type, attendees=seat, extra=extra)
        await self._mail(booking, event_type, "cancelled", attendees=seat, reason=reason)

    async def rescheduled(
        self,
        booking: Booking,
        event_type: EventType | None,
        *,
        old: Booking,
        by: str | None,
        attendees: Sequence[Attendee] | None = None,
    ) -> None:
        """BOOKING_RESCHEDULED for ``booking``, which replaces ``old``."""
        extra = {
            "rescheduleId": old.id,
            "rescheduleUid": old.uid,
            "rescheduleStartTime": hooks.iso(old.start),
            "rescheduleEndTime": hooks.iso(old.end),
            "rescheduledBy": by or "",
        }
        await self._emit(
            hooks.BOOKING_RESCHEDULED, booking, event_type, attendees=attendees, extra=extra
        )
        await self._mail(booking, event_type, "rescheduled", attendees=attendees, previous=old)

    async def confirmed(self, booking: Booking, event_type: EventType | None) -> None:
        # Cal.com compat: confirming fires BOOKING_CREATED (as Cal.com does) and BOOKING_CONFIRMED.
        await self._emit(hooks.BOOKING_CONFIRMED, booking, event_type)
        await self._emit(hooks.BOOKING_CREATED, booking, event_type)
        await self._mail(booking, event_type, "confirmed")

    async def rejected(
        self, booking: Booking, event_type: EventType | None, *, reason: str | None
    ) -> None:
        await self._emit(
            hooks.BOOKING_REJECTED, booking, event_type, extra={"rejectionReason": reason or ""}
        )
        await self._mail(booking, event_type, "rejected", reason=reason)

    async def email_verification(self, user: User, token: str) -> None:
        """The mail with the link that verifies ``user``'s changed address."""
        await queue_verification_email(
            self.uow, now=self.now, public_url=self.public_url, user=user, token=token
        )

    async def _mail(
        self,
        booking: Booking,
        event_type: EventType | None,
        change: Change,
        *,
        organizer: User | None = None,
        attendees: Sequence[Attendee] | None = None,
        reason: str | None = None,
        previous: Booking | None = None,
    ) -> None:
        # Issue 16: the email rows of a change (one per recipient), beside its webhook rows.
        await queue_booking_emails(
            self.uow,
            now=self.now,
            public_url=self.public_url,
            booking=booking,
            event_type=event_type,
            change=change,
            organizer=organizer,
            attendees=attendees,
            reason=reason,
            previous=previous,
        )

    async def _emit(
        self,
        trigger: str,
        booking: Booking,
        event_type: EventType | None,
        *,
        attendees: Sequence[Attendee] | None = None,
        extra: Mapping[str, Any] | None = None,
        organizer: User | None = None,
    ) -> None:
        if organizer is None or organizer.id != booking.user_id:
            organizer = await self.uow.users.get(booking.user_id)
        if organizer is None:  # pragma: no cover - a booking's organizer is never deleted first
            return
        payload = hooks.booking_payload(
            booking,
            event_type=event_type,
            organizer=organizer,
            booker_url=self.public_url,
            attendees=attendees,
            extra=extra,
        )
        await self.uow.outbox.add(
            kind="webhook",
            topic=trigger,
            payload={"triggerEvent": trigger, "payload": payload},
            now=self.now,
            user_id=booking.user_id,
            booking_uid=booking.uid,
        )
