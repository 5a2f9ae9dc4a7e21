"""Running the outbox worker: in-process beside the API (``rendezvous serve``) or alone
(``rendezvous worker``)."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rendezvous.config import Settings
from rendezvous.db.engine import create_engine, session_factory
from rendezvous.worker.kinds import load_handlers
from rendezvous.worker.runner import Worker


def utc_now() -> datetime:
    return datetime.now(UTC)


class Background:
    """A worker running as a task of the current event loop until ``stop()``."""

    def __init__(
        self,
        settings: Settings,
        sessions: async_sessionmaker[AsyncSession],
        *,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        load_handlers()
        self.worker = Worker(settings, sessions, clock=clock)
        self._stop = asyncio.Event()
        self._task = asyncio.get_running_loop().create_task(self.worker.run_forever(self._stop))

    async def stop(self) -> None:
        """Let the round in progress finish (its attempts are recorded), then close."""
        self._stop.set()
        try:
            await self._task
        finally:
            await self.worker.aclose()


async def run_standalone(settings: Settings) -> None:
    """``rendezvous worker``: run until SIGINT or SIGTERM, then finish the round and exit."""
    engine = create_engine(settings.database_url, pool_size=settings.db_pool_size)
    try:
        background = Background(settings, session_factory(engine))
        stopped = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stopped.set)
        await stopped.wait()
        await background.stop()
    finally:
        await engine.dispose()
