"""Bookings, their attendees, hosts and the occupancy rows that hold their time."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    asc,
    delete,
    desc,
    exists,
    func,
    select,
    union,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from rendezvous.db import tables as t
from rendezvous.db.repos import holds
from rendezvous.db.repos.booking_filters import SORT_COLUMNS, list_queries
from rendezvous.db.repos.booking_rows import to_attendee, to_booking
from rendezvous.domain.bookings import ACTIVE, Attendee, Booking, BookingFilters
from rendezvous.domain.models import BookedTime


class BookingRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # --- reads -----------------------------------------------------------------------------

    async def booked_times(
        self, event_type_id: int, start: datetime, end: datetime, *, exclude_uid: str | None = None
    ) -> list[BookedTime]:
        """Active bookings of the event type starting in [start, end), with attendee counts."""
        attendees = (
            select(func.count(t.Attendee.id))
            .where(t.Attendee.booking_id == t.Booking.id)
            .scalar_subquery()
        )
        query = select(t.Booking.start_at, t.Booking.end_at, t.Booking.uid, attendees).where(
            t.Booking.event_type_id == event_type_id,
            t.Booking.status.in_(ACTIVE),
            t.Booking.start_at >= start,
            t.Booking.start_at < end,
        )
        if exclude_uid:
            query = query.where(t.Booking.uid != exclude_uid)
        rows = await self.session.execute(query.order_by(t.Booking.start_at))
        return [BookedTime(start=s, end=e, uid=u, attendees=int(n)) for s, e, u, n in rows]

    async def _hydrate(self, rows: Sequence[t.Booking]) -> list[Booking]:
        if not rows:
            return []
        ids = [r.id for r in rows]
        attendees: dict[int, list[Attendee]] = defaultdict(list)
        for a in await self.session.scalars(
            select(t.Attendee).where(t.Attendee.booking_id.in_(ids)).order_by(t.Attendee.id)
        ):
            attendees[a.booking_id].append(to_attendee(a))
        hosts: dict[int, list[int]] = defaultdict(list)
        for booking_id, user_id in await self.session.execute(
            select(t.BookingHost.booking_id, t.BookingHost.user_id)
            .where(t.BookingHost.booking_id.in_(ids))
            .order_by(t.BookingHost.user_id)
        ):
            hosts[booking_id].append(user_id)
        return [to_booking(r, attendees[r.id], hosts[r.id]) for r in rows]

    async def by_uid(self, uid: str, *, lock: bool = False) -> Booking | None:
        query = select(t.Booking).where(t.Booking.uid == uid)
        if lock:
            query = query.with_for_update()
        row = await self.session.scalar(query)
        return (await self._hydrate([row]))[0] if row else None

    async def by_recurring_uid(self, recurring_uid: str) -> list[Booking]:
        rows = await self.session.scalars(
            select(t.Booking)
            .where(t.Booking.recurring_uid == recurring_uid)
            .order_by(t.Booking.start_at)
        )
        return await self._hydrate(list(rows))

    async def seated_at(self, event_type_id: int, start: datetime, *, lock: bool) -> Booking | None:
        """The active seated booking of the event type at ``start`` (row-locked on PostgreSQL,
        so seats are counted and added by one transaction at a time)."""
        query = select(t.Booking).where(
            t.Booking.event_type_id == event_type_id,
            t.Booking.start_at == start,
            t.Booking.seated.is_(True),
            t.Booking.status.in_(ACTIVE),
        )
        if lock:
            query = query.with_for_update()
        row = await self.session.scalar(query)
        return (await self._hydrate([row]))[0] if row else None

    async def list_visible(
        self,
        filters: BookingFilters,
        *,
        user_id: int,
        email: str | None,
        now: datetime,
        take: int,
        skip: int,
        team_ids: Sequence[int] = (),
    ) -> tuple[list[Booking], int]:
        """One page of the bookings the user hosts or attends (or, for ``team_ids``, that
        belong to the event types of teams the user administers), and the total that match.
        ``email`` is the user's *verified* address (None: attends nothing).

        Sorted by start (the default), each source is read in index order and cut at
        skip + take, so a host with 100,000 bookings pages in milliseconds."""
        hosted, attended = list_queries(
            filters, user_id=user_id, email=email, now=now, team_ids=team_ids
        )
        also_hosted = exists().where(
            t.BookingHost.booking_id == attended.selected_columns.id,
            t.BookingHost.user_id == user_id,
        )
        total = int(
            (await self.session.scalar(select(func.count()).select_from(hosted.subquery())) or 0)
            + (
                await self.session.scalar(
                    select(func.count()).select_from(attended.where(~also_hosted).subquery())
                )
                or 0
            )
        )
        sort = filters.sort or (("start", "asc"),)
        if sort[0][0] == "start" and len(sort) == 1:
            descending = sort[0][1] == "desc"
            order = (desc, desc) if descending else (asc, asc)
            cut = skip + take
            # Each side is wrapped: SQLite refuses LIMIT inside a bare compound SELECT.
            sides = [
                side.order_by(order[0]("start"), order[1]("id")).limit(cut).subquery()
                for side in (hosted, attended)
            ]
            ids = union(*(select(side.c.id) for side in sides)).subquery()
        else:
            ids = union(hosted, attended).subquery()
        order_by = [
            SORT_COLUMNS[c].desc() if d == "desc" else SORT_COLUMNS[c].asc() for c, d in sort
        ]
        tie = t.Booking.id.desc() if sort[0][1] == "desc" else t.Booking.id.asc()
        rows = await self.session.scalars(
            select(t.Booking)
            .where(t.Booking.id.in_(select(ids.c.id)))
            .order_by(*order_by, tie)
            .offset(skip)
            .limit(take)
        )
        return await self._hydrate(list(rows)), total

    # --- writes ----------------------------------------------------------------------------

    async def add(
        self,
        booking: Booking,
        *,
        hold: Sequence[tuple[int, datetime, datetime]],
        now: datetime,
    ) -> Booking:
        """Insert a booking with its attendees and hosts, and the occupancy rows in ``hold``
        (host id, start, end); an overlap refused by the database becomes SlotTaken."""
        row = t.Booking(
            uid=booking.uid,
            user_id=booking.user_id,
            event_type_id=booking.event_type_id,
            title=booking.title,
            description=booking.description,
            status=booking.status,
            start_at=booking.start,
            end_at=booking.end,
            location=booking.location,
            meeting_url=booking.meeting_url,
            metadata_=dict(booking.metadata),
            responses=dict(booking.responses),
            guests=list(booking.guests),
            ics_uid=booking.ics_uid,
            ics_sequence=booking.ics_sequence,
            recurring_uid=booking.recurring_uid,
            seated=booking.seated,
            rescheduled_from_uid=booking.rescheduled_from_uid,
            rescheduling_reason=booking.rescheduling_reason,
            rescheduled_by_email=booking.rescheduled_by_email,
            assignment_reason=booking.assignment_reason,
            created_at=booking.created_at,
            updated_at=booking.updated_at,
        )
        self.session.add(row)
        await self.session.flush()
        for host_id in booking.host_ids:
            self.session.add(
                t.BookingHost(
                    booking_id=row.id,
                    user_id=host_id,
                    start_at=booking.start,
                    end_at=booking.end,
                    status=booking.status,
                )
            )
        attendees = [self._add_attendee(row.id, attendee) for attendee in booking.attendees]
        await self.hold(row.id, hold, now=now)  # flushes the hosts and attendees too
        # Built from what was just written, without reading it back.
        return to_booking(row, [to_attendee(a) for a in attendees], sorted(booking.host_ids))

    def _add_attendee(self, booking_id: int, attendee: Attendee) -> t.Attendee:
        row = t.Attendee(
            booking_id=booking_id,
            name=attendee.name,
            email=attendee.email,
            time_zone=attendee.time_zone,
            language=attendee.language,
            phone_number=attendee.phone_number,
            seat_uid=attendee.seat_uid,
            responses=dict(attendee.responses),
            metadata_=dict(attendee.metadata),
            created_at=attendee.created_at,
        )
        self.session.add(row)
        return row

    async def add_seat(self, booking_id: int, attendee: Attendee) -> None:
        self._add_attendee(booking_id, attendee)
        await self.session.flush()

    async def remove_seat(self, booking_id: int, seat_uid: str) -> bool:
        result = await self.session.execute(
            delete(t.Attendee).where(
                t.Attendee.booking_id == booking_id, t.Attendee.seat_uid == seat_uid
            )
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def hold(
        self, booking_id: int, hold: Sequence[tuple[int, datetime, datetime]], *, now: datetime
    ) -> None:
        rows = [
            t.Occupancy(user_id=host_id, booking_id=booking_id, start_at=start, end_at=end)
            for host_id, start, end in hold
        ]
        await holds.place(self.session, rows, now=now)

    async def holds_time(self, booking_id: int) -> bool:
        """Whether the booking has occupancy rows (it holds its time)."""
        found = await self.session.scalar(
            select(t.Occupancy.id).where(t.Occupancy.booking_id == booking_id).limit(1)
        )
        return found is not None

    async def release(self, booking_id: int) -> None:
        await self.session.execute(delete(t.Occupancy).where(t.Occupancy.booking_id == booking_id))

    async def transition(
        self,
        booking_id: int,
        *,
        from_statuses: Sequence[str],
        to_status: str,
        now: datetime,
        **fields: Any,
    ) -> bool:
        """Compare-and-swap: change the status only if it is still one of ``from_statuses``.
        Of two racing transitions exactly one sees rowcount 1."""
        result = await self.session.execute(
            update(t.Booking)
            .where(t.Booking.id == booking_id, t.Booking.status.in_(from_statuses))
            .values(status=to_status, updated_at=now, **fields)
        )
        if not result.rowcount:  # type: ignore[attr-defined]
            return False
        await self.session.execute(
            update(t.BookingHost)
            .where(t.BookingHost.booking_id == booking_id)
            .values(status=to_status)
        )
        return True

    async def touch(self, booking_id: int, now: datetime) -> None:
        await self.session.execute(
            update(t.Booking).where(t.Booking.id == booking_id).values(updated_at=now)
        )
