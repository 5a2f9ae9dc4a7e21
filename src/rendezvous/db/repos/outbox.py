"""Outbox rows: side effects recorded in the transaction that caused them, and their claims."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from rendezvous.db import tables as t


@dataclass(frozen=True, slots=True)
class ClaimedRow:
    """An outbox row as a claim returned it; ``attempts`` already counts this attempt."""

    id: int
    kind: str
    topic: str
    payload: dict[str, Any]
    attempts: int
    created_at: datetime
    due_at: datetime
    user_id: int | None
    booking_uid: str | None
    webhook_id: int | None


@dataclass(frozen=True, slots=True)
class AttemptResult:
    """What one attempt came to: ``outcome`` is delivered, retry or failed; ``retry_at`` is
    when the next attempt is due (outcome retry)."""

    row_id: int
    attempt: int
    started_at: datetime
    duration_ms: int
    outcome: str
    status_code: int | None
    error: str | None
    retry_at: datetime | None = None


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
        webhook_id: int | None = None,
    ) -> None:
        self.session.add(
            t.Outbox(
                kind=kind,
                topic=topic,
                user_id=user_id,
                booking_uid=booking_uid,
                webhook_id=webhook_id,
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

    async def withdraw(self, booking_uid: str, topics: Sequence[str]) -> int:
        """Delete the not yet attempted rows of ``topics`` for a booking; return how many."""
        result = await self.session.execute(
            delete(t.Outbox).where(
                t.Outbox.booking_uid == booking_uid,
                t.Outbox.topic.in_(list(topics)),
                t.Outbox.status == "pending",
                t.Outbox.attempts == 0,
            )
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def any_due(self, kinds: Sequence[str], now: datetime) -> bool:
        """Whether a row of ``kinds`` is due (a read, to skip taking the write lock)."""
        found = await self.session.scalar(
            select(t.Outbox.id)
            .where(t.Outbox.status == "pending", t.Outbox.due_at <= now, t.Outbox.kind.in_(kinds))
            .limit(1)
        )
        return found is not None

    async def claim(
        self, kinds: Sequence[str], now: datetime, *, limit: int, lease_seconds: float
    ) -> list[ClaimedRow]:
        """Claim up to ``limit`` due rows of ``kinds``, oldest due first: each row's ``attempts``
        goes up by one and its ``due_at`` moves to the end of the lease, so a worker that dies
        mid-attempt leaves the row to be claimed again once the lease ends.

        PostgreSQL: ``FOR UPDATE SKIP LOCKED``, so concurrent workers claim disjoint rows. SQLite:
        the caller holds the write lock (BEGIN IMMEDIATE), which serialises claims."""
        rows = (
            await self.session.scalars(
                select(t.Outbox)
                .where(
                    t.Outbox.status == "pending",
                    t.Outbox.due_at <= now,
                    t.Outbox.kind.in_(kinds),
                )
                .order_by(t.Outbox.due_at, t.Outbox.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        ).all()
        lease_end = now + timedelta(seconds=lease_seconds)
        claimed = []
        for row in rows:
            row.attempts += 1
            row.due_at = lease_end
            row.updated_at = now
            claimed.append(
                ClaimedRow(
                    id=row.id,
                    kind=row.kind,
                    topic=row.topic,
                    payload=dict(row.payload),
                    attempts=row.attempts,
                    created_at=row.created_at,
                    due_at=now,
                    user_id=row.user_id,
                    booking_uid=row.booking_uid,
                    webhook_id=row.webhook_id,
                )
            )
        await self.session.flush()
        return claimed

    async def finish(self, results: Sequence[AttemptResult], now: datetime) -> None:
        """Record each attempt, and move its row on: done, failed, or due again at
        ``retry_at``. A row claimed again since (its lease ran out) is left to the newer claim."""
        ids = [result.row_id for result in results]
        existing = set(await self.session.scalars(select(t.Outbox.id).where(t.Outbox.id.in_(ids))))
        for result in results:
            if result.row_id not in existing:  # withdrawn meanwhile (its subscription deleted)
                continue
            self.session.add(
                t.OutboxAttempt(
                    outbox_id=result.row_id,
                    attempt=result.attempt,
                    started_at=result.started_at,
                    duration_ms=result.duration_ms,
                    outcome=result.outcome,
                    status_code=result.status_code,
                    error=result.error,
                )
            )
            values: dict[str, Any] = {"updated_at": now, "last_error": result.error}
            if result.outcome == "delivered":
                values["status"] = "done"
            elif result.outcome == "failed":
                values["status"] = "failed"
            else:
                values["due_at"] = result.retry_at or now
            await self.session.execute(
                update(t.Outbox)
                .where(
                    t.Outbox.id == result.row_id,
                    t.Outbox.attempts == result.attempt,
                    t.Outbox.status == "pending",
                )
                .values(**values)
            )
        await self.session.flush()
