"""Migration 0005 on a database with users (both engines): an address no one changed since the
operator created the user stays verified; any other is unverified until vouched for."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest
import sqlalchemy as sa

from rendezvous.db.engine import create_engine
from rendezvous.db.migrate import upgrade
from rendezvous.db.types import UTCDateTime
from tests.conftest import PG_ADMIN_DSN, _pg_reachable, _sqlalchemy_url

USERS = sa.table(
    "users",
    sa.column("email", sa.String),
    sa.column("username", sa.String),
    sa.column("time_format", sa.Integer),
    sa.column("week_start", sa.String),
    sa.column("time_zone", sa.String),
    sa.column("metadata", sa.JSON),
    sa.column("created_at", UTCDateTime()),
    sa.column("updated_at", UTCDateTime()),
)


@pytest.fixture(params=["sqlite", "postgres"])
async def empty_url(request, tmp_path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
        return
    if problem := await _pg_reachable():
        pytest.skip(f"PostgreSQL unreachable ({problem})")
    name = f"rendezvous_mig_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(PG_ADMIN_DSN)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _sqlalchemy_url(PG_ADMIN_DSN, name)
    finally:
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name
        )
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await admin.close()


async def test_only_untouched_addresses_stay_verified_after_the_upgrade(empty_url):
    await upgrade(empty_url, "0004")
    created = datetime(2029, 5, 1, 9, 0, tzinfo=UTC)
    engine = create_engine(empty_url)
    try:
        async with engine.begin() as conn:
            for username, changed in (("untouched", created), ("patched", created + timedelta(1))):
                await conn.execute(
                    USERS.insert().values(
                        email=f"{username}@example.com",
                        username=username,
                        time_format=24,
                        week_start="Monday",
                        time_zone="UTC",
                        metadata={},
                        created_at=created,
                        updated_at=changed,
                    )
                )
        await upgrade(empty_url, "head", engine=engine)
        async with engine.connect() as conn:
            rows = await conn.execute(
                sa.select(
                    sa.column("username"), sa.column("email_verified_at", UTCDateTime())
                ).select_from(sa.table("users"))
            )
            verified = {name: at for name, at in rows}
    finally:
        await engine.dispose()
    assert verified == {"untouched": created, "patched": None}
