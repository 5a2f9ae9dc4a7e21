"""Availability schedules."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from rendezvous.db import tables as t
from rendezvous.db.repos.integrity import references_held
from rendezvous.domain.schedules import StoredSchedule


def to_schedule(row: t.Schedule) -> StoredSchedule:
    return StoredSchedule(
        id=row.id,
        owner_id=row.user_id,
        name=row.name,
        time_zone=row.time_zone,
        availability=list(row.availability or []),
        overrides=list(row.overrides or []),
    )


class ScheduleRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self,
        *,
        user_id: int,
        name: str,
        time_zone: str,
        availability: list[dict[str, Any]],
        overrides: list[dict[str, Any]],
        now: datetime,
    ) -> int:
        row = t.Schedule(
            user_id=user_id,
            name=name,
            time_zone=time_zone,
            availability=availability,
            overrides=overrides,
            created_at=now,
            updated_at=now,
        )
        self.session.add(row)
        await self.session.flush()
        return row.id

    async def owned_by(self, schedule_id: int, user_id: int) -> bool:
        row = await self.session.get(t.Schedule, schedule_id)
        return row is not None and row.user_id == user_id

    async def get(self, schedule_id: int) -> StoredSchedule | None:
        row = await self.session.get(t.Schedule, schedule_id)
        return to_schedule(row) if row else None

    async def for_user(self, user_id: int) -> list[StoredSchedule]:
        rows = await self.session.scalars(
            select(t.Schedule).where(t.Schedule.user_id == user_id).order_by(t.Schedule.id)
        )
        return [to_schedule(r) for r in rows]

    async def update(self, schedule_id: int, *, now: datetime, **fields: Any) -> StoredSchedule:
        row = await self.session.get(t.Schedule, schedule_id)
        if row is None:
            raise LookupError(schedule_id)
        for name, value in fields.items():
            setattr(row, name, value)
        row.updated_at = now
        await self.session.flush()
        return to_schedule(row)

    async def remove(self, schedule_id: int) -> None:
        """Delete; Conflict if an event type or a user's default still refers to it (the
        foreign keys refuse, whatever a concurrent request committed after the caller checked)."""
        await references_held(
            self.session.execute(delete(t.Schedule).where(t.Schedule.id == schedule_id)),
            f"Schedule with id={schedule_id} came into use while it was being deleted: "
            "an event type or your default schedule now refers to it",
        )
