"""The one place service code turns booking changes into outbox rows.

Each method writes its rows through the caller's unit of work, so they commit (or roll back)
with the change they report. A trigger becomes one "webhook" row per active subscription to it
(the organizer's own, and the booking's event type's), with the body built now, so it describes
the booking as it was when the change committed. MEETING_STARTED and MEETING_ENDED rows are due
at the booking's start and end; cancelling or rescheduling withdraws them. Email rows (one per
recipient) come from ``services/invitations``; calendar write-back adds its rows here.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from rendezvous.domain import webhooks as hooks
from rendezvous.domain.accounts import User
from rendezvous.domain.bookings import Attendee, Booking
from rendezvous.domain.event_types import EventType
from rendezvous.domain.invitations import Change
from rendezvous.domain.webhooks import Subscription
from rendezvous.services import calendar_rows
from rendezvous.services.invitations import queue_booking_emails, queue_verification_email
from rendezvous.services.ports import UnitOfWork


@dataclass(frozen=True, slots=True)
class Notifications:
    """Outbox rows for one transaction: ``now`` stamps them, ``public_url`` is the booker page
    named in payloads."""

    uow: UnitOfWork
    now: datetime
    public_url: str
    # Subscriptions by (organizer, event type, trigger), read once per transaction: a recurring
    # series of 730 occurrences asks the same question 2,190 times.
    _subscriptions: dict[tuple[int, int | None, str], list[Subscription]] = field(
        default_factory=dict
    )

    async def created(
        self,
        booking: Booking,
        event_type: EventType | None,
        *,
        organizer: User | None = None,
        attendees: Sequence[Attendee] | None = None,
        mail: bool = True,
    ) -> None:
        """BOOKING_CREATED, or BOOKING_REQUESTED for a booking awaiting confirmation; with
        ``mail`` false (the later occurrences of a recurring series) no email rows are written."""
        trigger = hooks.BOOKING_REQUESTED if booking.status == "pending" else hooks.BOOKING_CREATED
        await self._emit(trigger, booking, event_type, organizer=organizer, attendees=attendees)
        if booking.status != "pending":  # as Cal.com: the calendar event waits for confirmation
            await calendar_rows.write_back(
                self.uow,
                calendar_rows.CREATE,
                booking,
                now=self.now,
                organizer=organizer,
                attendees=attendees,
            )
        if booking.status == "accepted":
            await self._schedule_meeting(booking, event_type, organizer=organizer)
        if mail:
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
            await self.uow.outbox.withdraw(booking.uid, hooks.MEETING_TRIGGERS)
        await self._emit(hooks.BOOKING_CANCELLED, booking, event_type, attendees=seat, extra=extra)
        await self._mail(booking, event_type, "cancelled", attendees=seat, reason=reason)
        if seat is None:
            await calendar_rows.write_back(self.uow, calendar_rows.REMOVE, booking, now=self.now)

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
        if attendees is None and old.uid != booking.uid:  # the whole booking moved
            await self.uow.outbox.withdraw(old.uid, hooks.MEETING_TRIGGERS)
        await self._emit(
            hooks.BOOKING_RESCHEDULED, booking, event_type, attendees=attendees, extra=extra
        )
        if attendees is None and old.uid != booking.uid:  # the old event moves to the new one
            await calendar_rows.write_back(
                self.uow, calendar_rows.MOVE, booking, now=self.now, old=old
            )
        else:  # one seat moved: the booking it joined is written again, the old one stays
            await calendar_rows.write_back(
                self.uow, calendar_rows.CREATE, booking, now=self.now, attendees=attendees
            )
        if booking.status == "accepted":
            await self._schedule_meeting(booking, event_type)
        await self._mail(booking, event_type, "rescheduled", attendees=attendees, previous=old)

    async def seat_left(
        self, old: Booking, event_type: EventType | None, *, remaining: Booking | None
    ) -> None:
        """A seat left the seated booking ``old`` (cancelled, or moved to another start):
        its MEETING_* rows are rebuilt for the seats that ``remaining`` still holds, or
        withdrawn when no booking remains (the last seat left, so ``old`` is cancelled)."""
        await self.uow.outbox.withdraw(old.uid, hooks.MEETING_TRIGGERS)
        if remaining is not None and remaining.status == "accepted":
            await self._schedule_meeting(remaining, event_type)

    async def confirmed(self, booking: Booking, event_type: EventType | None) -> None:
        """BOOKING_CONFIRMED and BOOKING_CREATED (Cal.com fires the latter on confirmation too,
        §0 item 6), and the meeting's MEETING_* rows."""
        await self._emit(hooks.BOOKING_CONFIRMED, booking, event_type)
        await self._emit(hooks.BOOKING_CREATED, booking, event_type)
        await calendar_rows.write_back(self.uow, calendar_rows.CREATE, booking, now=self.now)
        await self._schedule_meeting(booking, event_type)
        await self._mail(booking, event_type, "confirmed")

    async def rejected(
        self, booking: Booking, event_type: EventType | None, *, reason: str | None
    ) -> None:
        """BOOKING_REJECTED for a pending booking the organizer declined."""
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

    async def _schedule_meeting(
        self, booking: Booking, event_type: EventType | None, *, organizer: User | None = None
    ) -> None:
        """MEETING_STARTED at the start and MEETING_ENDED at the end (replacing rows not yet
        attempted, as a seat joining a seated booking would otherwise add a second pair)."""
        await self.uow.outbox.withdraw(booking.uid, hooks.MEETING_TRIGGERS)
        for trigger, due_at in hooks.meeting_times(booking).items():
            await self._emit(trigger, booking, event_type, organizer=organizer, due_at=due_at)

    async def _emit(
        self,
        trigger: str,
        booking: Booking,
        event_type: EventType | None,
        *,
        attendees: Sequence[Attendee] | None = None,
        extra: Mapping[str, Any] | None = None,
        organizer: User | None = None,
        due_at: datetime | None = None,
    ) -> None:
        key = (booking.user_id, booking.event_type_id, trigger)
        subscriptions = self._subscriptions.get(key)
        if subscriptions is None:
            subscriptions = await self.uow.webhooks.subscribed(*key)
            self._subscriptions[key] = subscriptions
        if not subscriptions:
            return
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
        message = hooks.body(trigger, self.now, payload)
        for subscription in subscriptions:
            await self.uow.outbox.add(
                kind="webhook",
                topic=trigger,
                # messageId is the webhook-id header: the same on every attempt and redelivery.
                payload={"messageId": f"msg_{uuid.uuid4().hex}", "body": message},
                now=self.now,
                due_at=due_at,
                user_id=booking.user_id,
                booking_uid=booking.uid,
                webhook_id=subscription.id,
            )
