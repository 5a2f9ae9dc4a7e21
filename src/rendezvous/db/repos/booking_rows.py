"""Booking and attendee rows → domain objects."""

from __future__ import annotations

from collections.abc import Sequence

from rendezvous.db import tables as t
from rendezvous.domain.bookings import Attendee, Booking


def to_attendee(row: t.Attendee) -> Attendee:
    return Attendee(
        name=row.name,
        email=row.email,
        time_zone=row.time_zone,
        language=row.language,
        phone_number=row.phone_number,
        seat_uid=row.seat_uid,
        responses=dict(row.responses or {}),
        metadata=dict(row.metadata_ or {}),
        absent=row.absent,
        created_at=row.created_at,
    )


def to_booking(
    row: t.Booking, attendees: Sequence[Attendee] = (), host_ids: Sequence[int] = ()
) -> Booking:
    return Booking(
        id=row.id,
        uid=row.uid,
        user_id=row.user_id,
        event_type_id=row.event_type_id,
        title=row.title,
        description=row.description,
        status=row.status,  # type: ignore[arg-type]
        start=row.start_at,
        end=row.end_at,
        location=row.location,
        meeting_url=row.meeting_url,
        metadata=dict(row.metadata_ or {}),
        responses=dict(row.responses or {}),
        guests=list(row.guests or []),
        ics_uid=row.ics_uid,
        ics_sequence=row.ics_sequence,
        recurring_uid=row.recurring_uid,
        seated=row.seated,
        absent_host=row.absent_host,
        cancellation_reason=row.cancellation_reason,
        cancelled_by_email=row.cancelled_by_email,
        rejection_reason=row.rejection_reason,
        rescheduling_reason=row.rescheduling_reason,
        rescheduled_by_email=row.rescheduled_by_email,
        rescheduled_from_uid=row.rescheduled_from_uid,
        rescheduled_to_uid=row.rescheduled_to_uid,
        assignment_reason=row.assignment_reason,
        created_at=row.created_at,
        updated_at=row.updated_at,
        attendees=tuple(attendees),
        host_ids=tuple(host_ids) or (row.user_id,),
    )
