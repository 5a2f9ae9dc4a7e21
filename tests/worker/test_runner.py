"""The outbox claim loop over both engines: outcomes, backoff, attempts recorded, kinds."""

from __future__ import annotations

from sqlalchemy import text

from rendezvous.config import Settings
from rendezvous.db.engine import session_factory
from rendezvous.db.uow import UnitOfWork
from rendezvous.worker.handlers import GiveUp, OutboxItem, Retry, WorkerContext, register
from rendezvous.worker.runner import Worker

SEEN: list[tuple[str, int]] = []


async def _ok(item: OutboxItem, ctx: WorkerContext) -> int | None:
    SEEN.append((item.topic, item.attempt))
    return 250


async def _flaky(item: OutboxItem, ctx: WorkerContext) -> int | None:
    SEEN.append((item.topic, item.attempt))
    if item.attempt < 3:
        raise Retry("not yet", status=503)
    return None


async def _refuse(item: OutboxItem, ctx: WorkerContext) -> int | None:
    raise GiveUp("never")


async def _boom(item: OutboxItem, ctx: WorkerContext) -> int | None:
    raise RuntimeError("bug")


register("test-ok", _ok)
register("test-flaky", _flaky)
register("test-refuse", _refuse)
register("test-boom", _boom, max_attempts=2)


async def _dirty(item: OutboxItem, ctx: WorkerContext) -> int | None:
    raise Retry("reply \x00 with NUL and a lone \ud800 surrogate", status=550)


register("test-dirty", _dirty, max_attempts=1)


async def _slow(item: OutboxItem, ctx: WorkerContext) -> int | None:
    import asyncio

    SEEN.append((item.topic, item.attempt))
    await asyncio.sleep(3600)  # a receiver slower than the lease (timeout > lease)
    return 200


register("test-slow", _slow)


async def _add(db, clock, kind: str, topic: str = "t") -> None:
    async with UnitOfWork(session_factory(db), write=True) as uow:
        await uow.outbox.add(kind=kind, topic=topic, payload={"n": 1}, now=clock())
        await uow.commit()


async def _rows(db) -> list[tuple]:
    async with db.connect() as conn:
        result = await conn.execute(text("SELECT kind, status, attempts FROM outbox ORDER BY id"))
        return [tuple(r) for r in result]


async def _attempts(db) -> list[tuple]:
    async with db.connect() as conn:
        result = await conn.execute(
            text("SELECT attempt, outcome, status_code, error FROM outbox_attempts ORDER BY id")
        )
        return [tuple(r) for r in result]


def _worker(settings: Settings, db, clock) -> Worker:
    return Worker(settings, session_factory(db), clock=clock, rng=lambda: 0.5)


async def test_a_delivered_row_is_done_and_its_attempt_recorded(settings, db, clock) -> None:
    SEEN.clear()
    await _add(db, clock, "test-ok", "a")
    worker = _worker(settings, db, clock)
    assert await worker.run_once() == 1
    assert await worker.run_once() == 0
    await worker.aclose()
    assert SEEN == [("a", 1)]
    assert await _rows(db) == [("test-ok", "done", 1)]
    assert await _attempts(db) == [(1, "delivered", 250, None)]


async def test_retries_back_off_from_the_base_delay_until_success(settings, db, clock) -> None:
    SEEN.clear()
    await _add(db, clock, "test-flaky", "f")
    worker = _worker(settings, db, clock)
    assert await worker.run_once() == 1
    clock.advance(seconds=59)  # base 60 s, jitter drawn at the middle: exactly 60 s
    assert await worker.run_once() == 0
    clock.advance(seconds=1)
    assert await worker.run_once() == 1
    clock.advance(seconds=60 * 3.6 - 1)
    assert await worker.run_once() == 0
    clock.advance(seconds=1)
    assert await worker.run_once() == 1
    await worker.aclose()
    assert SEEN == [("f", 1), ("f", 2), ("f", 3)]
    assert await _rows(db) == [("test-flaky", "done", 3)]
    assert [a[:3] for a in await _attempts(db)] == [
        (1, "retry", 503),
        (2, "retry", 503),
        (3, "delivered", None),
    ]


async def test_give_up_fails_at_once_and_errors_fail_after_max_attempts(
    settings, db, clock
) -> None:
    await _add(db, clock, "test-refuse")
    await _add(db, clock, "test-boom")
    worker = _worker(settings, db, clock)
    assert await worker.run_once() == 2
    clock.advance(days=1)
    assert await worker.run_once() == 1
    clock.advance(days=10)
    assert await worker.run_once() == 0
    await worker.aclose()
    assert await _rows(db) == [("test-refuse", "failed", 1), ("test-boom", "failed", 2)]
    outcomes = [(a[1], a[3]) for a in await _attempts(db)]
    assert ("failed", "never") in outcomes
    assert outcomes.count(("retry", "RuntimeError: bug")) == 1
    assert ("failed", "RuntimeError: bug") in outcomes


async def test_rows_of_kinds_without_a_handler_are_left_alone(settings, db, clock) -> None:
    await _add(db, clock, "nobody-handles-this")
    worker = _worker(settings, db, clock)
    assert await worker.run_once() == 0
    await worker.aclose()
    assert await _rows(db) == [("nobody-handles-this", "pending", 0)]


async def test_a_claim_whose_worker_died_is_claimed_again_after_the_lease(
    settings, db, clock
) -> None:
    SEEN.clear()
    await _add(db, clock, "test-ok", "lease")
    async with UnitOfWork(session_factory(db), write=True) as uow:
        claimed = await uow.outbox.claim(["test-ok"], clock(), limit=10, lease_seconds=60)
        await uow.commit()
    assert [c.attempts for c in claimed] == [1]  # … and this "worker" dies here
    worker = _worker(settings, db, clock)
    assert await worker.run_once() == 0
    clock.advance(seconds=60)
    assert await worker.run_once() == 1
    await worker.aclose()
    assert SEEN == [("lease", 2)]
    assert await _rows(db) == [("test-ok", "done", 2)]


async def test_an_error_text_postgresql_cannot_store_is_recorded_cleaned(
    settings, db, clock
) -> None:
    """A handler's error text quoting a remote answer may hold NUL or a lone surrogate, which
    PostgreSQL refuses in text columns: the round must still record it (cleaned), or the row
    would stay leased and be sent again after every lease, forever."""
    await _add(db, clock, "test-dirty")
    worker = _worker(settings, db, clock)
    assert await worker.run_once() == 1
    await worker.aclose()
    assert await _rows(db) == [("test-dirty", "failed", 1)]
    [(attempt, outcome, status, error)] = await _attempts(db)
    assert (attempt, outcome, status) == (1, "failed", 550)
    assert "\x00" not in error and "\ud800" not in error and error.startswith("reply ")


async def test_an_attempt_never_outlives_its_lease(settings, db, clock) -> None:
    """Once its lease ends another worker may claim the row: an attempt still running then would
    be sent twice at once. The runner stops it before (and retries it later)."""
    import asyncio

    SEEN.clear()
    await _add(db, clock, "test-slow", topic="slow")
    short = settings.model_copy(update={"worker_lease_seconds": 0.5})
    worker = _worker(short, db, clock)
    try:
        # A liveness bound, not a speed assertion: without the lease cap this takes an hour.
        assert await asyncio.wait_for(worker.run_once(), 60) == 1
    finally:
        await worker.aclose()
    assert SEEN == [("slow", 1)]
    assert await _rows(db) == [("test-slow", "pending", 1)]
    [(attempt, outcome, _status, error)] = await _attempts(db)
    assert (attempt, outcome) == (1, "retry") and "lease" in error
