"""The one place service code turns booking changes into outbox rows.

Each method writes its rows through the caller's unit of work, so they commit (or roll back)
with the change they report. Today every change becomes one webhook row per trigger; email and
calendar write-back will add their rows here.
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
from rendezvous.services import calendar_rows
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
        if booking.status != "pending":  # as Cal.com: the calendar event waits for confirmation
            await calendar_rows.write_back(
                self.uow,
                calendar_rows.CREATE,
                booking,
                now=self.now,
                organizer=organizer,
                attendees=attendees,
            )

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
        await self._emit(
            hooks.BOOKING_RESCHEDULED, booking, event_type, attendees=attendees, extra=extra
        )
        await calendar_rows.write_back(
            self.uow, calendar_rows.MOVE, booking, now=self.now, old=old, attendees=attendees
        )

    async def confirmed(self, booking: Booking, event_type: EventType | None) -> None:
        # Cal.com compat: confirming fires BOOKING_CREATED (as Cal.com does) and BOOKING_CONFIRMED.
        await self._emit(hooks.BOOKING_CONFIRMED, booking, event_type)
        await self._emit(hooks.BOOKING_CREATED, booking, event_type)
        await calendar_rows.write_back(self.uow, calendar_rows.CREATE, booking, now=self.now)

    async def rejected(
        self, booking: Booking, event_type: EventType | None, *, reason: str | None
    ) -> None:
        await self._emit(
            hooks.BOOKING_REJECTED, booking, event_type, extra={"rejectionReason": reason or ""}
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
