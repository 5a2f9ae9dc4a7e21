"""Idempotency keys: the first response to a keyed request, replayed to its retries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from rendezvous.db import tables as t
from rendezvous.domain.bookings import StoredResponse


class IdempotencyRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def find(self, scope: str, key: str, now: datetime) -> StoredResponse | None:
        row = await self.session.scalar(
            select(t.IdempotencyKey).where(
                t.IdempotencyKey.scope == scope,
                t.IdempotencyKey.key == key,
                t.IdempotencyKey.expires_at > now,
            )
        )
        if row is None or row.status_code == 0:
            return None
        return StoredResponse(row.request_hash, row.status_code, dict(row.response))

    async def claim(
        self, scope: str, key: str, request_hash: str, *, now: datetime, expires_at: datetime
    ) -> bool:
        """Insert a placeholder for the key. On PostgreSQL a concurrent claim of the same key
        waits for this transaction and then fails; False means someone else holds the key
        (the transaction has been rolled back)."""
        await self.session.execute(
            delete(t.IdempotencyKey).where(
                t.IdempotencyKey.scope == scope,
                t.IdempotencyKey.key == key,
                t.IdempotencyKey.expires_at <= now,
            )
        )
        self.session.add(
            t.IdempotencyKey(
                scope=scope,
                key=key,
                request_hash=request_hash,
                status_code=0,
                response={},
                expires_at=expires_at,
                created_at=now,
            )
        )
        try:
            await self.session.flush()
        except IntegrityError:
            await self.session.rollback()
            return False
        return True

    async def store(
        self, scope: str, key: str, *, status_code: int, response: dict[str, Any]
    ) -> None:
        await self.session.execute(
            update(t.IdempotencyKey)
            .where(t.IdempotencyKey.scope == scope, t.IdempotencyKey.key == key)
            .values(status_code=status_code, response=response)
        )

    async def purge_expired(self, now: datetime) -> None:
        await self.session.execute(
            delete(t.IdempotencyKey).where(t.IdempotencyKey.expires_at <= now)
        )
