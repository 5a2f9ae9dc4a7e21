"""Async engine and session factory, with the SQLite pragmas the design relies on."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

# Session.connection(execution_options={SQLITE_BEGIN: "IMMEDIATE"}) makes the transaction take
# SQLite's write lock at BEGIN, so concurrent writers serialise before they read what they check.
SQLITE_BEGIN = "sqlite_begin"

__all__ = [
    "SQLITE_BEGIN",
    "AsyncEngine",
    "create_engine",
    "database_unreachable",
    "ping",
    "session_factory",
]

# How long opening a PostgreSQL connection may take before the request is answered 503
# (asyncpg's own default is 60 s, long enough for every client to give up first).
CONNECT_TIMEOUT = 10.0
# How long /health waits for the database before it says "unreachable".
PING_TIMEOUT = 5.0

# asyncpg's errors that mean the server cannot be used right now (SQLSTATE class 08, and 53300,
# 57P01–57P03), not that the statement was wrong.
_PG_UNAVAILABLE = (
    asyncpg.exceptions.PostgresConnectionError,
    asyncpg.exceptions.TooManyConnectionsError,
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.CrashShutdownError,
    asyncpg.exceptions.CannotConnectNowError,
)
_FILE_ERRORS = (FileNotFoundError, PermissionError, IsADirectoryError, NotADirectoryError)
# SQLite's messages for a database file that cannot be used right now.
_SQLITE_UNAVAILABLE = (
    "database is locked",
    "unable to open database file",
    "disk i/o error",
    "database or disk is full",
)


def create_engine(
    url: str, *, pool_size: int = 10, echo: bool = False, sqlite_foreign_keys: bool = True
) -> AsyncEngine:
    """The async engine for ``url``. ``sqlite_foreign_keys=False`` is for migrations only: SQLite
    rebuilds a table to alter a constraint, and dropping the old table with foreign keys on would
    run every ON DELETE action of the rows that point at it."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, echo=echo, connect_args={"timeout": 30})
        _install_sqlite_hooks(engine, foreign_keys=sqlite_foreign_keys)
        return engine
    return create_async_engine(
        url,
        echo=echo,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        connect_args={"timeout": CONNECT_TIMEOUT},
    )


def _install_sqlite_hooks(engine: AsyncEngine, *, foreign_keys: bool = True) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get(SQLITE_BEGIN, "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


async def ping(engine: AsyncEngine) -> bool:
    """Whether the database answers ``SELECT 1`` within PING_TIMEOUT seconds."""
    try:
        async with asyncio.timeout(PING_TIMEOUT), engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception:
        return False
    return True


def _causes(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        todo += [current.__cause__, current.__context__, getattr(current, "orig", None)]


def database_unreachable(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) says the database cannot be used right now: the
    connection was lost or refused, the server is shutting down, starting up or full, the pool
    had no connection free in time, or SQLite's file is locked or cannot be opened. Such a
    failure is worth retrying later (HTTP 503), unlike a fault in the request or the code."""
    for cause in _causes(exc):
        if isinstance(cause, DBAPIError) and cause.connection_invalidated:
            return True
        if isinstance(cause, (PoolTimeout, *_PG_UNAVAILABLE)):
            return True
        # Refused, reset, timed out or unresolvable: the socket to the database (not a file).
        if isinstance(cause, OSError) and not isinstance(cause, _FILE_ERRORS):
            return True
        if isinstance(cause, asyncpg.exceptions.InterfaceError) and "closed" in str(cause):
            return True
        if isinstance(cause, sqlite3.OperationalError) and str(cause).lower().startswith(
            _SQLITE_UNAVAILABLE
        ):
            return True
    return False
