"""Availability schedules."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from rendezvous.db import tables as t


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
