"""Time held by bookings and live slot reservations, per host."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from rendezvous.db import tables as t
from rendezvous.domain.models import Busy


class OccupancyRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def busy(
        self,
        user_ids: Sequence[int],
        start: datetime,
        end: datetime,
        *,
        now: datetime,
        exclude_booking_uid: str | None = None,
        ignore_reservations_of: int | None = None,
    ) -> list[Busy]:
        """Occupied intervals of these hosts that meet [start, end): bookings (with their
        buffers) and reservations that have not expired at ``now``.

        ``ignore_reservations_of`` names a user whose own slot reservations are not busy: they
        are free to the one who holds them. Anonymous reservations, and everyone else's, still
        are. It adds a join to the same statement, not a second one."""
        query = (
            select(t.Occupancy.start_at, t.Occupancy.end_at, t.Booking.uid)
            .outerjoin(t.Booking, t.Booking.id == t.Occupancy.booking_id)
            .where(
                t.Occupancy.user_id.in_(user_ids),
                t.Occupancy.start_at < end,
                t.Occupancy.end_at > start,
                or_(t.Occupancy.expires_at.is_(None), t.Occupancy.expires_at > now),
            )
            .order_by(t.Occupancy.start_at)
        )
        if exclude_booking_uid:
            query = query.where(or_(t.Booking.uid.is_(None), t.Booking.uid != exclude_booking_uid))
        if ignore_reservations_of is not None:
            query = query.outerjoin(
                t.SlotReservation, t.SlotReservation.id == t.Occupancy.reservation_id
            ).where(
                or_(
                    t.Occupancy.reservation_id.is_(None),
                    t.SlotReservation.user_id.is_distinct_from(ignore_reservations_of),
                )
            )
        rows = await self.session.execute(query)
        return [Busy(start=s, end=e, booking_uid=uid) for s, e, uid in rows]

    async def overlapping(
        self, user_ids: Sequence[int], start: datetime, end: datetime, *, now: datetime
    ) -> list[tuple[int, int | None, int | None]]:
        """(occupancy id, booking id, reservation id) of live rows that meet [start, end)."""
        rows = await self.session.execute(
            select(t.Occupancy.id, t.Occupancy.booking_id, t.Occupancy.reservation_id).where(
                t.Occupancy.user_id.in_(user_ids),
                t.Occupancy.start_at < end,
                t.Occupancy.end_at > start,
                or_(t.Occupancy.expires_at.is_(None), t.Occupancy.expires_at > now),
            )
        )
        return [(a, b, c) for a, b, c in rows]
