"""Slot reservations and the occupancy rows that make them hold time."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from rendezvous.db import tables as t
from rendezvous.db.repos import holds
from rendezvous.domain.reservations import Reservation


def to_reservation(row: t.SlotReservation) -> Reservation:
    return Reservation(
        id=row.id,
        uid=row.uid,
        event_type_id=row.event_type_id,
        slot_start=row.slot_start,
        slot_end=row.slot_end,
        duration=row.duration,
        until=row.until,
        created_at=row.created_at,
        user_id=row.user_id,
    )


class ReservationRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self,
        *,
        uid: str,
        event_type_id: int,
        user_id: int | None,
        host_ids: Sequence[int],
        slot_start: datetime,
        slot_end: datetime,
        hold_start: datetime,
        hold_end: datetime,
        duration: int,
        until: datetime,
        now: datetime,
    ) -> Reservation:
        row = t.SlotReservation(
            uid=uid,
            event_type_id=event_type_id,
            user_id=user_id,
            slot_start=slot_start,
            slot_end=slot_end,
            duration=duration,
            until=until,
            created_at=now,
        )
        self.session.add(row)
        await self.session.flush()
        await holds.place(
            self.session,
            [
                t.Occupancy(
                    user_id=host_id,
                    reservation_id=row.id,
                    start_at=hold_start,
                    end_at=hold_end,
                    expires_at=until,
                )
                for host_id in host_ids
            ],
            now=now,
        )
        return to_reservation(row)

    async def get(self, uid: str) -> Reservation | None:
        row = await self.session.scalar(
            select(t.SlotReservation).where(t.SlotReservation.uid == uid)
        )
        return to_reservation(row) if row else None

    async def remove(self, reservation_id: int) -> None:
        await self.session.execute(
            delete(t.Occupancy).where(t.Occupancy.reservation_id == reservation_id)
        )
        await self.session.execute(
            delete(t.SlotReservation).where(t.SlotReservation.id == reservation_id)
        )

    async def release_held_by(
        self,
        user_id: int,
        host_ids: Sequence[int],
        start: datetime,
        end: datetime,
        *,
        now: datetime,
    ) -> int:
        """Remove this user's live reservations whose holds on these hosts meet [start, end):
        what ``OccupancyRepo.busy(..., ignore_reservations_of=user_id)`` left out is theirs to
        take. One statement when there is none; returns how many were removed."""
        ids = list(
            await self.session.scalars(
                select(t.SlotReservation.id)
                .join(t.Occupancy, t.Occupancy.reservation_id == t.SlotReservation.id)
                .where(
                    t.SlotReservation.user_id == user_id,
                    t.Occupancy.user_id.in_(host_ids),
                    t.Occupancy.start_at < end,
                    t.Occupancy.end_at > start,
                    t.Occupancy.expires_at > now,
                )
                .distinct()
            )
        )
        if ids:
            await self.session.execute(
                delete(t.Occupancy).where(t.Occupancy.reservation_id.in_(ids))
            )
            await self.session.execute(
                delete(t.SlotReservation).where(t.SlotReservation.id.in_(ids))
            )
        return len(ids)

    async def purge_expired(self, now: datetime) -> int:
        expired = select(t.SlotReservation.id).where(t.SlotReservation.until <= now)
        await self.session.execute(
            delete(t.Occupancy).where(t.Occupancy.reservation_id.in_(expired))
        )
        result = await self.session.execute(
            delete(t.SlotReservation).where(t.SlotReservation.until <= now)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
