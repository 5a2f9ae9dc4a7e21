"""Unit of work: one session, one transaction, the repositories that share it."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from types import TracebackType
from typing import Any, Self
from weakref import WeakKeyDictionary

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rendezvous.db.engine import SQLITE_BEGIN
from rendezvous.db.repos.bookings import BookingRepo
from rendezvous.db.repos.calendars import CalendarRepo
from rendezvous.db.repos.event_types import EventTypeRepo
from rendezvous.db.repos.idempotency import IdempotencyRepo
from rendezvous.db.repos.occupancy import OccupancyRepo
from rendezvous.db.repos.outbox import OutboxRepo
from rendezvous.db.repos.reservations import ReservationRepo
from rendezvous.db.repos.schedules import ScheduleRepo
from rendezvous.db.repos.teams import TeamRepo
from rendezvous.db.repos.users import ApiKeyRepo, UserRepo
from rendezvous.db.repos.webhooks import WebhookRepo
from rendezvous.services.ports import CalendarFeeds

# First key of PostgreSQL's two-key advisory locks taken per host (the second is the user id).
HOST_LOCK_SPACE = 7001

# SQLite writers of one process queue here, first come first served, before BEGIN IMMEDIATE.
# Without it they wait in SQLite's busy handler, which polls with sleeps in no fair order: the
# unluckiest request waited seconds (p99 3.6 s → 0.3 s in bench/bookings.py).
_SQLITE_WRITERS: WeakKeyDictionary[Any, asyncio.Lock] = WeakKeyDictionary()


def _writer_lock(session: AsyncSession) -> asyncio.Lock | None:
    bind = session.get_bind()
    if bind.dialect.name != "sqlite":
        return None
    lock = _SQLITE_WRITERS.get(bind)
    if lock is None:
        lock = _SQLITE_WRITERS[bind] = asyncio.Lock()
    return lock


class UnitOfWork:
    """One session per request or command. Leaving without ``commit()`` rolls back.

    ``write=True`` (or ``begin_write()``) takes SQLite's write lock at BEGIN (BEGIN IMMEDIATE), so a
    check-then-write use case cannot interleave with another writer. PostgreSQL relies on
    constraints and row locks instead.
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        write: bool = False,
        feeds: CalendarFeeds | None = None,
    ) -> None:
        self._sessions = sessions
        #: External calendars' busy times (the app's cache); None: external calendars are not read.
        self.feeds = feeds
        self._write = write
        self._held: asyncio.Lock | None = None
        self.session: AsyncSession

    async def _start_write(self) -> None:
        lock = _writer_lock(self.session)
        if lock is not None:
            await lock.acquire()
            self._held = lock
        try:
            await self.session.connection(execution_options={SQLITE_BEGIN: "IMMEDIATE"})
        except BaseException:
            self._release()
            raise

    def _release(self) -> None:
        if self._held is not None:
            self._held.release()
            self._held = None

    async def __aenter__(self) -> Self:
        self.session = self._sessions()
        if self._write:
            await self._start_write()
        self.users = UserRepo(self.session)
        self.keys = ApiKeyRepo(self.session)
        self.schedules = ScheduleRepo(self.session)
        self.event_types = EventTypeRepo(self.session)
        self.occupancy = OccupancyRepo(self.session)
        self.bookings = BookingRepo(self.session)
        self.reservations = ReservationRepo(self.session)
        self.outbox = OutboxRepo(self.session)
        self.idempotency = IdempotencyRepo(self.session)
        self.calendars = CalendarRepo(self.session)
        self.webhooks = WebhookRepo(self.session)
        self.teams = TeamRepo(self.session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if self.session.in_transaction():
                await self.session.rollback()
        finally:
            self._release()
            await self.session.close()

    async def begin_write(self) -> None:
        """Start this use case's write transaction, after any reads (such as authentication)."""
        if self.session.in_transaction():
            await self.session.commit()
        self._release()
        await self._start_write()

    async def lock_hosts(self, host_ids: Sequence[int]) -> None:
        """Serialise this transaction with every other that locks one of these hosts, until it
        ends. For checks no constraint can enforce (booking limits, seats that hold no time).
        SQLite needs nothing: BEGIN IMMEDIATE already serialises all writers."""
        if self.session.get_bind().dialect.name != "postgresql":
            return
        for host_id in sorted(set(host_ids)):  # one order everywhere: no deadlocks
            await self.session.execute(
                text("SELECT pg_advisory_xact_lock(:space, :host)"),
                {"space": HOST_LOCK_SPACE, "host": host_id},
            )

    async def commit(self) -> None:
        try:
            await self.session.commit()
        finally:
            self._release()

    async def rollback(self) -> None:
        try:
            await self.session.rollback()
        finally:
            self._release()
