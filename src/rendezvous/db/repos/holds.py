"""Writing occupancy rows: the one place that inserts time holds."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from rendezvous.db import tables as t
from rendezvous.domain.errors import LostRace


async def flush_or_taken(session: AsyncSession) -> None:
    """Flush; an overlap refused by PostgreSQL's exclusion constraint becomes LostRace."""
    try:
        await session.flush()
    except IntegrityError as exc:
        if "ex_occupancy_no_overlap" in str(exc.orig):
            raise LostRace("This time slot is no longer available") from None
        raise


async def place(session: AsyncSession, rows: Sequence[t.Occupancy], *, now: datetime) -> None:
    """Insert holds. Expired reservation holds they meet are deleted first: reads already ignore
    them, and PostgreSQL's exclusion constraint must not see them either."""
    for row in rows:
        await session.execute(
            delete(t.Occupancy).where(
                t.Occupancy.user_id == row.user_id,
                t.Occupancy.start_at < row.end_at,
                t.Occupancy.end_at > row.start_at,
                t.Occupancy.expires_at.is_not(None),
                t.Occupancy.expires_at <= now,
            )
        )
    session.add_all(rows)
    await flush_or_taken(session)
