"""The outbox claim loop: claim due rows, run their handlers, record every attempt.

One ``Worker`` per process (``rendezvous serve`` starts one in-process unless
``RENDEZVOUS_WORKER_IN_SERVE=false``; ``rendezvous worker`` runs one alone). Each round:

1. a read: is any row of a registered kind due? (no write lock taken when idle);
2. one short write transaction claims up to ``batch`` rows (``OutboxRepo.claim``: ``FOR UPDATE
   SKIP LOCKED`` on PostgreSQL, the single-writer lock on SQLite), bumping ``attempts`` and
   moving ``due_at`` to the end of a lease;
3. the handlers run concurrently, outside any transaction;
4. one write transaction records the attempts and marks rows done, failed or due again.

A process killed between 2 and 4 loses nothing: its rows come due again when the lease ends.
Delivery is therefore at-least-once; two workers never run the same attempt (the claim is
atomic and the attempt number is part of it).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Callable, Collection
from dataclasses import replace
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rendezvous.config import Settings
from rendezvous.db.repos.outbox import AttemptResult, ClaimedRow
from rendezvous.db.uow import UnitOfWork
from rendezvous.domain.retry import next_attempt_at
from rendezvous.integrations.outbound import guarded_client
from rendezvous.worker import handlers
from rendezvous.worker.handlers import GiveUp, OutboxItem, Retry, WorkerContext

log = logging.getLogger("rendezvous.worker")

# Longest error text recorded per attempt.
MAX_ERROR_CHARS = 1000
# The share of the lease an attempt may use; the rest is left for recording its outcome.
LEASE_SHARE = 0.8
# Longest pause between rounds while rounds keep failing (the database is away).
MAX_FAILURE_PAUSE_SECONDS = 10.0


def _item(row: ClaimedRow) -> OutboxItem:
    return OutboxItem(
        id=row.id,
        kind=row.kind,
        topic=row.topic,
        payload=row.payload,
        attempt=row.attempts,
        created_at=row.created_at,
        due_at=row.due_at,
        user_id=row.user_id,
        booking_uid=row.booking_uid,
        webhook_id=row.webhook_id,
    )


def storable(text: str) -> str:
    """``text`` as every engine can store it: NUL (which PostgreSQL refuses in text) shown as
    ``\\0`` and lone surrogates (which UTF-8 cannot encode) as ``?``. Error texts quote what
    receivers and mail servers answered, so they may hold either."""
    cleaned = text.replace("\x00", "\\0")
    return cleaned.encode("utf-8", "replace").decode("utf-8")


class Worker:
    """Runs due outbox rows with their registered handlers (see the module docstring).

    ``clock`` returns the aware UTC now; ``rng`` draws jitter in [0, 1)."""

    def __init__(
        self,
        settings: Settings,
        sessions: async_sessionmaker[AsyncSession],
        *,
        clock: Callable[[], datetime],
        rng: Callable[[], float] = random.random,
        only: Collection[str] | None = None,
    ) -> None:
        # ``only`` narrows the kinds this worker claims (a webhook-only worker, or a test that
        # counts one kind's rows); None runs every registered kind.
        self.only = frozenset(only) if only is not None else None
        self.settings = settings
        self.sessions = sessions
        self.clock = clock
        self.rng = rng
        self.batch = settings.worker_batch_size
        self._http = guarded_client(
            allow_private=settings.allow_private_networks,
            resolve_names=settings.outbound_resolve_names,
        )
        self.context = WorkerContext(
            settings=settings, sessions=sessions, http=self._http, clock=clock
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def run_once(self) -> int:
        """One round: claim due rows, run them, record the outcomes; return how many ran."""
        kinds = [k for k in handlers.kinds() if self.only is None or k in self.only]
        if not kinds:
            return 0
        now = self.clock()
        async with UnitOfWork(self.sessions) as uow:
            if not await uow.outbox.any_due(kinds, now):
                return 0
        async with UnitOfWork(self.sessions, write=True) as uow:
            now = self.clock()
            rows = await uow.outbox.claim(
                kinds, now, limit=self.batch, lease_seconds=self.settings.worker_lease_seconds
            )
            await uow.commit()
        if not rows:
            return 0
        context = replace(self.context, cache={})
        # No attempt may outlive its lease: another worker would claim the row and send it a
        # second time while this one is still sending (a webhook timeout longer than the lease).
        until = asyncio.get_running_loop().time() + LEASE_SHARE * self.settings.worker_lease_seconds
        results = await asyncio.gather(*(self._attempt(_item(row), context, until) for row in rows))
        async with UnitOfWork(self.sessions, write=True) as uow:
            await uow.outbox.finish(results, self.clock())
            await uow.commit()
        return len(rows)

    async def _attempt(
        self, item: OutboxItem, context: WorkerContext, until: float
    ) -> AttemptResult:
        registration = handlers.registration(item.kind)
        started_at = self.clock()
        began = time.perf_counter()
        status: int | None = None
        error: str | None = None
        outcome = "delivered"
        try:
            if registration is None:  # pragma: no cover - only registered kinds are claimed
                raise GiveUp(f"no handler for kind {item.kind!r}")
            deadline = asyncio.timeout_at(until)
            try:
                async with deadline:
                    status = await registration.handler(item, context)
            except TimeoutError:
                if not deadline.expired():
                    raise
                raise Retry(
                    "the attempt outlived its lease (RENDEZVOUS_WORKER_LEASE_SECONDS)"
                ) from None
        except GiveUp as exc:
            outcome, status, error = "failed", exc.status, exc.reason
        except Retry as exc:
            outcome, status, error = "retry", exc.status, exc.reason
        except Exception as exc:
            log.exception("outbox handler for %s row %d raised", item.kind, item.id)
            outcome, error = "retry", f"{type(exc).__name__}: {exc}"
        duration_ms = round((time.perf_counter() - began) * 1000)
        retry_at = None
        if outcome == "retry":
            max_attempts = registration.max_attempts if registration else 1
            if item.attempt >= max_attempts:
                outcome = "failed"
            else:
                retry_at = next_attempt_at(
                    self.clock(),
                    item.attempt,
                    base_seconds=self.settings.webhook_retry_base_seconds,
                    jitter=self.rng(),
                )
        return AttemptResult(
            row_id=item.id,
            attempt=item.attempt,
            started_at=started_at,
            duration_ms=duration_ms,
            outcome=outcome,
            status_code=status,
            error=storable(error)[:MAX_ERROR_CHARS] if error else None,
            retry_at=retry_at,
        )

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Run rounds until ``stop`` is set: straight on while rows were due, else after
        ``RENDEZVOUS_WORKER_POLL_SECONDS``. A failing round (database away) is logged once per
        streak and retried with a doubling pause up to ``MAX_FAILURE_PAUSE_SECONDS``; nothing is
        lost, rows stay in the outbox."""
        poll = self.settings.worker_poll_seconds
        failures = 0
        while not stop.is_set():
            pause = poll
            try:
                ran = await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                if failures == 0:
                    log.exception("outbox round failed; retrying until it works")
                failures += 1
                ran = 0
                pause = min(poll * 2**failures, MAX_FAILURE_PAUSE_SECONDS)
            else:
                if failures:
                    log.warning("outbox rounds work again after %d failures", failures)
                failures = 0
            if ran:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), pause)
