"""Bookings, their attendees, hosts and the occupancy rows that hold their time."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    asc,
    delete,
    desc,
    exists,
    false,
    func,
    or_,
    select,
    union,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from rendezvous.db import tables as t
from rendezvous.db.repos import holds
from rendezvous.domain.bookings import ACTIVE, Attendee, Booking, BookingFilters
from rendezvous.domain.models import BookedTime


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
        created_at=row.created_at,
        updated_at=row.updated_at,
        attendees=tuple(attendees),
        host_ids=tuple(host_ids) or (row.user_id,),
    )


def _status(
    name: str, status: Any, end: Any, now: datetime, recurring_uid: Any
) -> ColumnElement[bool]:
    """Cal.com's status filters (contract §3.3) over whichever table carries the columns
    (``recurring`` needs the bookings table: its caller joins it)."""
    live: ColumnElement[bool] = status.in_(ACTIVE)
    if name == "upcoming":
        return and_(live, end >= now)
    if name == "recurring":
        return and_(live, end >= now, recurring_uid.is_not(None))
    if name == "past":
        return and_(live, end <= now)
    if name == "cancelled":
        cancelled: ColumnElement[bool] = status.in_(("cancelled", "rejected"))
        return cancelled
    return and_(status == "pending", end >= now)  # unconfirmed


def _booking_conditions(f: BookingFilters, own: Any | None = None) -> list[ColumnElement[bool]]:
    """Filters only the bookings table (or its attendees) can answer.

    ``own`` is the viewer's own attendee row when the viewer attends rather than hosts: in a
    seated booking the other seats are strangers, so the attendee filters look at the viewer's
    own seat only — otherwise ``attendeeEmail``/``attendeeName`` would tell a seat holder who
    else holds a seat, which the booking itself hides from them (issue 9 item 7)."""
    b = t.Booking
    conditions: list[ColumnElement[bool]] = []
    # An alias: the "bookings I attend" source already joins attendees, which would otherwise
    # be correlated away from these subqueries.
    other = aliased(t.Attendee)
    for wanted, column in ((f.attendee_email, "email"), (f.attendee_name, "name")):
        if not wanted:
            continue
        anyone: ColumnElement[bool] = exists().where(
            other.booking_id == b.id, func.lower(getattr(other, column)) == wanted.lower()
        )
        if own is not None:
            mine = func.lower(getattr(own, column)) == wanted.lower()
            anyone = or_(and_(b.seated.is_(False), anyone), and_(b.seated.is_(True), mine))
        conditions.append(anyone)
    if f.booking_uid:
        conditions.append(b.uid == f.booking_uid)
    if f.event_type_ids:
        conditions.append(b.event_type_id.in_(f.event_type_ids))
    if f.team_ids:
        conditions.append(
            b.event_type_id.in_(select(t.EventType.id).where(t.EventType.team_id.in_(f.team_ids)))
        )
    if f.after_created is not None:
        conditions.append(b.created_at >= f.after_created)
    if f.before_created is not None:
        conditions.append(b.created_at <= f.before_created)
    if f.after_updated is not None:
        conditions.append(b.updated_at >= f.after_updated)
    if f.before_updated is not None:
        conditions.append(b.updated_at <= f.before_updated)
    return conditions


_SORT_COLUMNS = {
    "start": t.Booking.start_at,
    "end": t.Booking.end_at,
    "created": t.Booking.created_at,
    "updated": t.Booking.updated_at,
}


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

    def _list_queries(
        self, f: BookingFilters, *, user_id: int, email: str | None, now: datetime
    ) -> tuple[Select[int, datetime], Select[int, datetime]]:
        """The two sources of "bookings I can see" as (booking id, start) selects, each with
        every filter: the ones I host (from booking_hosts' own index, joining bookings only for
        filters it does not carry) and the ones I attend (by my verified email; the organizer
        is always a host). Kept apart because an OR of the two cannot use an index. Without a
        verified email the second source is empty."""
        h, b = t.BookingHost, t.Booking
        extra = _booking_conditions(f)
        needs_join = bool(extra) or "recurring" in f.statuses
        hosted = select(h.booking_id.label("id"), h.start_at.label("start")).where(
            h.user_id == user_id, *extra
        )
        if needs_join:
            hosted = hosted.join(b, b.id == h.booking_id)
        attended = (
            select(b.id.label("id"), b.start_at.label("start"))
            .join(t.Attendee, t.Attendee.booking_id == b.id)
            # false() when unverified: a self-asserted address attends nothing.
            .where(
                t.Attendee.email == email if email else false(),
                *_booking_conditions(f, own=t.Attendee),
            )
            .distinct()
        )
        for query_cols in ("hosted", "attended"):
            if query_cols == "hosted":
                status, start, end = h.status, h.start_at, h.end_at
            else:
                status, start, end = b.status, b.start_at, b.end_at
            conditions: list[ColumnElement[bool]] = []
            if f.statuses:
                conditions.append(
                    or_(*(_status(n, status, end, now, b.recurring_uid) for n in f.statuses))
                )
            if f.after_start is not None:
                conditions.append(start >= f.after_start)
            if f.before_end is not None:
                conditions.append(end <= f.before_end)
            if query_cols == "hosted":
                hosted = hosted.where(*conditions)
            else:
                attended = attended.where(*conditions)
        return hosted, attended

    async def list_visible(
        self,
        filters: BookingFilters,
        *,
        user_id: int,
        email: str | None,
        now: datetime,
        take: int,
        skip: int,
    ) -> tuple[list[Booking], int]:
        """One page of the bookings the user hosts or attends, and the total that match.
        ``email`` is the user's *verified* address (None: attends nothing).

        Sorted by start (the default), each source is read in index order and cut at
        skip + take, so a host with 100,000 bookings pages in milliseconds."""
        hosted, attended = self._list_queries(filters, user_id=user_id, email=email, now=now)
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
            _SORT_COLUMNS[c].desc() if d == "desc" else _SORT_COLUMNS[c].asc() for c, d in sort
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
            recurring_uid=booking.recurring_uid,
            seated=booking.seated,
            rescheduled_from_uid=booking.rescheduled_from_uid,
            rescheduling_reason=booking.rescheduling_reason,
            rescheduled_by_email=booking.rescheduled_by_email,
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
