"""Test world: a migrated SQLite file and a throwaway PostgreSQL database per run, an app per test
built over them with a fixed clock, and small factories. Tables are emptied after each test."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from rendezvous.api.app import create_app
from rendezvous.config import Settings
from rendezvous.db.engine import create_engine, session_factory
from rendezvous.db.migrate import upgrade
from rendezvous.db.tables import Base
from rendezvous.db.uow import UnitOfWork
from rendezvous.services import accounts

PG_ADMIN_DSN = os.environ.get("RENDEZVOUS_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


class FixedClock:
    """The time the app sees; tests move it explicitly."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def _sqlalchemy_url(dsn: str, database: str) -> str:
    base = dsn.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    return f"{base}/{database}"


async def _pg_reachable() -> str | None:
    try:
        conn = await asyncpg.connect(PG_ADMIN_DSN, timeout=5)
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    await conn.close()
    return None


@pytest.fixture(scope="session")
async def pg_url() -> AsyncIterator[str]:
    problem = await _pg_reachable()
    if problem:
        if IN_CI:
            pytest.exit(
                f"PostgreSQL is required in CI but unreachable at {PG_ADMIN_DSN}: {problem}", 3
            )
        pytest.skip(f"PostgreSQL unreachable ({problem}); set CI=true to make this an error")
    name = f"rendezvous_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(PG_ADMIN_DSN)
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = _sqlalchemy_url(PG_ADMIN_DSN, name)
    try:
        await upgrade(url)
        yield url
    finally:
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name
        )
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await admin.close()


@pytest.fixture(scope="session")
async def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path: Path = tmp_path_factory.mktemp("db") / "rendezvous.db"
    url = f"sqlite+aiosqlite:///{path}"
    await upgrade(url)
    return url


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def engine_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def db_url(engine_name: str, request: pytest.FixtureRequest) -> str:
    """The migrated database of this parametrisation (PostgreSQL is only set up when used)."""
    return str(request.getfixturevalue("pg_url" if engine_name == "postgres" else "sqlite_url"))


@pytest.fixture(scope="session")
async def db_engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(db_url)
    yield engine
    await engine.dispose()


async def _empty_tables(engine: AsyncEngine) -> None:
    names = [table.name for table in reversed(Base.metadata.sorted_tables)]
    async with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            await conn.execute(text(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE"))
        else:
            await conn.execute(text("UPDATE users SET default_schedule_id = NULL"))
            for name in names:
                await conn.execute(text(f"DELETE FROM {name}"))


@pytest.fixture
async def db(db_engine: AsyncEngine) -> AsyncIterator[AsyncEngine]:
    """The engine for one test; every table is emptied when the test ends."""
    yield db_engine
    await _empty_tables(db_engine)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2030, 1, 7, 8, 0, tzinfo=UTC))  # a Monday


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings(
        database_url=db_url,
        public_url="https://cal.example.com",
        rate_limit=100_000,
        # No made-up name of a test is ever sent to a DNS server (only loopback traffic).
        outbound_resolve_names=False,
        _env_file=None,  # type: ignore[call-arg]
    )


@pytest.fixture
def app(settings: Settings, db: AsyncEngine, clock: FixedClock) -> Any:
    return create_app(settings, clock=clock, engine=db)


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


@dataclass
class Account:
    id: int
    email: str
    username: str
    key: str
    default_schedule_id: int

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


@pytest.fixture
def make_user(db: AsyncEngine, clock: FixedClock) -> Any:
    """``await make_user("bob")`` → an Account with a fresh API key."""
    sessions = session_factory(db)

    async def make(username: str = "bob", *, time_zone: str = "UTC", **kw: Any) -> Account:
        async with UnitOfWork(sessions, write=True) as uow:
            user = await accounts.create_user(
                uow,
                email=kw.pop("email", f"{username}@example.com"),
                username=username,
                name=kw.pop("name", username.title()),
                time_zone=time_zone,
                now=clock(),
                **kw,
            )
            issued = await accounts.issue_key(uow, user_id=user.id, now=clock())
            await uow.commit()
        assert user.default_schedule_id is not None
        return Account(user.id, user.email, user.username, issued.key, user.default_schedule_id)

    return make


@pytest.fixture
def make_event_type(db: AsyncEngine, clock: FixedClock) -> Any:
    """``await make_event_type(bob, duration=30, ...)`` → event type id, written through the repo
    (for tests of slots and bookings that do not exercise the event-types API)."""
    from rendezvous.domain.models import EventRules

    sessions = session_factory(db)

    async def make(
        owner: Account,
        slug: str = "intro",
        *,
        settings: dict[str, Any] | None = None,
        schedule_id: int | None = None,
        **rules: Any,
    ) -> int:
        rules.setdefault("duration", 30)
        async with UnitOfWork(sessions, write=True) as uow:
            event_type = await uow.event_types.add(
                owner_id=owner.id,
                slug=slug,
                title=slug.title(),
                hidden=False,
                schedule_id=schedule_id,
                rules=EventRules(**rules),
                settings={"lengthInMinutes": rules["duration"], "title": slug.title(), "slug": slug}
                | (settings or {}),
                now=clock(),
            )
            await uow.commit()
        return event_type.id

    return make


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say how many tests ran on each engine, so a run shows PostgreSQL was really used."""
    counts = {"sqlite": 0, "postgres": 0}
    for report in terminalreporter.stats.get("passed", []):
        for engine in counts:
            if f"[{engine}" in report.nodeid or f"-{engine}]" in report.nodeid:
                counts[engine] += 1
    skipped = [
        r for r in terminalreporter.stats.get("skipped", []) if "postgres" in str(r.longrepr)
    ]
    terminalreporter.write_line(
        f"database tests passed: SQLite {counts['sqlite']}, PostgreSQL {counts['postgres']}"
        + (f" ({len(skipped)} PostgreSQL tests skipped)" if skipped else "")
    )
