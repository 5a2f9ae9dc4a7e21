"""Outbox rows: side effects recorded in the transaction that caused them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rendezvous.db import tables as t


class OutboxRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self,
        *,
        kind: str,
        topic: str,
        payload: dict[str, Any],
        now: datetime,
        due_at: datetime | None = None,
        user_id: int | None = None,
        booking_uid: str | None = None,
    ) -> None:
        self.session.add(
            t.Outbox(
                kind=kind,
                topic=topic,
                user_id=user_id,
                booking_uid=booking_uid,
                payload=payload,
                status="pending",
                attempts=0,
                due_at=due_at or now,
                created_at=now,
                updated_at=now,
            )
        )

    async def topics_for(self, booking_uid: str) -> list[str]:
        rows = await self.session.scalars(
            select(t.Outbox.topic).where(t.Outbox.booking_uid == booking_uid).order_by(t.Outbox.id)
        )
        return list(rows)
