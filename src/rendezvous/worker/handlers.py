"""The handler registry: what the worker runs for each outbox ``kind``.

A kind plugs in with one call, at import of its module (listed in ``worker/kinds.py``)::

    from rendezvous.worker.handlers import GiveUp, OutboxItem, Retry, WorkerContext, register

    async def deliver(item: OutboxItem, ctx: WorkerContext) -> int | None:
        ...                      # return normally: done (optionally a status code to record)
        raise Retry("why")       # try again later, with backoff and jitter
        raise GiveUp("why")      # failed for good, now

    register("email", deliver)

Any other exception is a ``Retry`` with the exception's text. The runner (``worker/runner.py``)
records every attempt, computes the backoff, and marks rows done or failed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rendezvous.config import Settings

DEFAULT_MAX_ATTEMPTS = 8


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """One claimed outbox row. ``attempt`` is this attempt's number, from 1; ``payload`` is the
    JSON object written with the row (built when the change committed)."""

    id: int
    kind: str
    topic: str
    payload: dict[str, Any]
    attempt: int
    created_at: datetime
    due_at: datetime
    user_id: int | None = None
    booking_uid: str | None = None
    webhook_id: int | None = None


@dataclass(frozen=True, slots=True)
class WorkerContext:
    """What handlers may use: ``settings``; ``sessions`` to open a ``db.uow.UnitOfWork`` (one
    short transaction, never held across a network call); ``http``, the shared outbound client
    made by ``integrations.outbound.guarded_client`` (SSRF-guarded, no redirects, timeouts);
    ``clock`` returns the aware UTC now; ``cache`` is a dict the handlers of one round share
    (a new one each round), e.g. to load a subscription once for many rows."""

    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    http: httpx.AsyncClient
    clock: Callable[[], datetime]
    cache: dict[Any, Any] = field(default_factory=dict)


class Retry(Exception):
    """This attempt failed; try again after the backoff (unless attempts are used up).
    ``status`` is recorded (an HTTP status, an SMTP reply code) when there was one."""

    def __init__(self, reason: str, *, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


class GiveUp(Exception):
    """This row failed for good: no further attempts."""

    def __init__(self, reason: str, *, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


Handler = Callable[[OutboxItem, WorkerContext], Awaitable[int | None]]


@dataclass(frozen=True, slots=True)
class Registration:
    handler: Handler
    max_attempts: int = DEFAULT_MAX_ATTEMPTS


_REGISTRY: dict[str, Registration] = {}


def register(kind: str, handler: Handler, *, max_attempts: int = DEFAULT_MAX_ATTEMPTS) -> None:
    """Run ``handler`` for outbox rows of ``kind``; after ``max_attempts`` failed attempts the
    row is marked failed. Registering a kind again replaces its handler."""
    if max_attempts < 1:
        raise ValueError("max_attempts must be at least 1")
    _REGISTRY[kind] = Registration(handler, max_attempts)


def registration(kind: str) -> Registration | None:
    """The registration for ``kind``, or ``None``."""
    return _REGISTRY.get(kind)


def kinds() -> tuple[str, ...]:
    """The kinds with a handler: the worker claims only rows of these kinds."""
    return tuple(sorted(_REGISTRY))
