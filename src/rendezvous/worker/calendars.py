"""The ``calendar`` outbox kind: write a booking's event to the organizer's destination
calendar (integrations/calendars/writeback.py); a provider that fails is retried."""

from __future__ import annotations

from rendezvous.integrations.calendars.setup import build
from rendezvous.integrations.calendars.writeback import WriteBackFailed, write_back
from rendezvous.worker.handlers import OutboxItem, Retry, WorkerContext, register


async def deliver(item: OutboxItem, ctx: WorkerContext) -> None:
    """Apply the row's create/move/remove; Retry when the CalDAV server failed."""
    try:
        await write_back(
            item.payload, sessions=ctx.sessions, calendars=build(ctx.settings), now=ctx.clock()
        )
    except WriteBackFailed as exc:
        raise Retry(str(exc)) from None


register("calendar", deliver)
