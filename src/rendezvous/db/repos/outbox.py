"""Outbox rows: side effects recorded in the transaction that caused them, and their claims."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from rendezvous.db import tables as t

# Core tables: the claim and finish statements are plain SQL over many rows (executemany).
OUTBOX: Table = t.Outbox.__table__  # type: ignore[assignment]
ATTEMPTS: Table = t.OutboxAttempt.__table__  # type: ignore[assignment]


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
        the caller holds the write lock (BEGIN IMMEDIATE), which serialises claims. Two
        statements whatever the batch size: the locking select and one UPDATE … RETURNING."""
        ids = list(
            await self.session.scalars(
                select(OUTBOX.c.id)
                .where(
                    OUTBOX.c.status == "pending",
                    OUTBOX.c.due_at <= now,
                    OUTBOX.c.kind.in_(kinds),
                )
                .order_by(OUTBOX.c.due_at, OUTBOX.c.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        if not ids:
            return []
        lease_end = now + timedelta(seconds=lease_seconds)
        rows = await self.session.execute(
            update(OUTBOX)
            .where(OUTBOX.c.id.in_(ids))
            .values(attempts=OUTBOX.c.attempts + 1, due_at=lease_end, updated_at=now)
            .returning(
                OUTBOX.c.id,
                OUTBOX.c.kind,
                OUTBOX.c.topic,
                OUTBOX.c.payload,
                OUTBOX.c.attempts,
                OUTBOX.c.created_at,
                OUTBOX.c.user_id,
                OUTBOX.c.booking_uid,
                OUTBOX.c.webhook_id,
            )
        )
        claimed = [
            ClaimedRow(
                id=r.id,
                kind=r.kind,
                topic=r.topic,
                payload=dict(r.payload),
                attempts=r.attempts,
                created_at=r.created_at,
                due_at=now,
                user_id=r.user_id,
                booking_uid=r.booking_uid,
                webhook_id=r.webhook_id,
            )
            for r in rows
        ]
        claimed.sort(key=lambda c: ids.index(c.id))
        return claimed

    async def finish(self, results: Sequence[AttemptResult], now: datetime) -> None:
        """Record each attempt, and move its row on: done, failed, or due again at
        ``retry_at``. A row claimed again since (its lease ran out) is left to the newer claim.
        Three statements whatever the batch size (executemany)."""
        if not results:
            return
        ids = [result.row_id for result in results]
        existing = set(await self.session.scalars(select(OUTBOX.c.id).where(OUTBOX.c.id.in_(ids))))
        kept = [r for r in results if r.row_id in existing]  # others were withdrawn meanwhile
        if not kept:
            return
        await self.session.execute(
            insert(ATTEMPTS),
            [
                {
                    "outbox_id": r.row_id,
                    "attempt": r.attempt,
                    "started_at": r.started_at,
                    "duration_ms": r.duration_ms,
                    "outcome": r.outcome,
                    "status_code": r.status_code,
                    "error": r.error,
                }
                for r in kept
            ],
        )
        await self.session.execute(
            update(OUTBOX)
            .where(
                OUTBOX.c.id == bindparam("row_id"),
                OUTBOX.c.attempts == bindparam("attempt"),
                OUTBOX.c.status == "pending",
            )
            .values(
                status=bindparam("new_status"),
                due_at=bindparam("new_due_at"),
                last_error=bindparam("error"),
                updated_at=now,
            ),
            [
                {
                    "row_id": r.row_id,
                    "attempt": r.attempt,
                    "new_status": {"delivered": "done", "failed": "failed"}.get(
                        r.outcome, "pending"
                    ),
                    "new_due_at": r.retry_at or now,
                    "error": r.error,
                }
                for r in kept
            ],
        )
