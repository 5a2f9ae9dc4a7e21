"""No double booking under real concurrency: many clients race over real sockets for one slot
(or for the seats of one slot) against a real `rendezvous serve`.

PostgreSQL runs two worker processes (the exclusion constraint and the row locks must hold across
processes); SQLite runs one (BEGIN IMMEDIATE serialises the writers). Each engine gets a fresh
database migrated with `rendezvous migrate`, served once for this module.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from rendezvous.db.engine import create_engine, session_factory
from rendezvous.db.uow import UnitOfWork
from tests.integration.live_server import (
    PG_ADMIN_DSN,
    LiveServer,
    base_env,
    cli,
    live_server,
    pg_problem,
    throwaway_pg_database,
)

pytestmark = pytest.mark.slow

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
START = "2031-03-04T10:00:00Z"  # a Tuesday, inside the default Mon–Fri 09–17 schedule (UTC)
START_ECHO = "2031-03-04T10:00:00.000Z"
REQUEST_TIMEOUT = 30.0


@dataclass
class World:
    engine_name: str
    server: LiveServer
    db: AsyncEngine  # the test's own connection to the server's database, for the checks

    async def new_host(self, username: str) -> tuple[int, str]:
        """A user in UTC (default schedule Mon–Fri 09–17) and an API key, made with the CLI."""
        email = f"{username}@example.com"
        await self.server.cli(
            "users", "create", "--email", email, "--username", username, "--time-zone", "UTC"
        )
        key = await self.server.cli("keys", "create", "--user", email)
        return int(await self.scalar("SELECT id FROM users WHERE email = :e", e=email)), key

    async def scalar(self, sql: str, **params: Any) -> Any:
        async with self.db.connect() as conn:
            return (await conn.execute(text(sql), params)).scalar_one()

    async def event_type(self, user_id: int, key: str, slug: str, seats: int | None = None) -> int:
        """A 30-minute event type without minimum notice, made with POST /v2/event-types, or
        through the repository where that endpoint does not exist."""
        body: dict[str, Any] = {
            "title": slug.title(),
            "slug": slug,
            "lengthInMinutes": 30,
            "minimumBookingNotice": 0,
        }
        if seats:
            body["seats"] = {
                "seatsPerTimeSlot": seats,
                "showAttendeeInfo": True,
                "showAvailabilityCount": True,
            }
        async with httpx.AsyncClient(base_url=self.server.base_url, timeout=10) as http:
            response = await http.post(
                "/v2/event-types", json=body, headers={"Authorization": f"Bearer {key}"}
            )
        if response.status_code not in (404, 405):
            assert response.status_code == 201, response.text
            return int(response.json()["data"]["id"])
        return await self._event_type_via_repo(user_id, body, seats)

    async def _event_type_via_repo(
        self, user_id: int, body: dict[str, Any], seats: int | None
    ) -> int:
        from rendezvous.domain.models import EventRules

        async with UnitOfWork(session_factory(self.db), write=True) as uow:
            event_type = await uow.event_types.add(
                owner_id=user_id,
                slug=body["slug"],
                title=body["title"],
                hidden=False,
                schedule_id=None,
                rules=EventRules(duration=30, minimum_notice=0, seats_per_slot=seats),
                settings=body,
                now=datetime.now(UTC),
            )
            await uow.commit()
        return int(event_type.id)


@contextlib.asynccontextmanager
async def _served(engine_name: str, url: str, workdir: Path) -> AsyncIterator[World]:
    await cli(base_env(url), "migrate", cwd=workdir)
    db = create_engine(url)
    try:
        workers = 2 if engine_name == "postgres" else 1
        async with live_server(url, workdir, workers=workers, rate_limit=1_000_000) as server:
            yield World(engine_name, server, db)
    finally:
        await db.dispose()


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
async def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[World]:
    engine_name = str(request.param)
    workdir = tmp_path_factory.mktemp(f"live-{engine_name}")
    if engine_name == "sqlite":
        async with _served(engine_name, f"sqlite+aiosqlite:///{workdir / 'race.db'}", workdir) as w:
            yield w
        return
    problem = await pg_problem()
    if problem:
        if IN_CI:
            pytest.fail(
                f"PostgreSQL is required in CI but unreachable at {PG_ADMIN_DSN}: {problem}"
            )
        pytest.skip(
            f"PostgreSQL unreachable at {PG_ADMIN_DSN} ({problem}); "
            "set CI=true to make this an error"
        )
    async with (
        throwaway_pg_database("rendezvous_race") as url,
        _served(engine_name, url, workdir) as w,
    ):
        yield w


async def race(world: World, bodies: list[dict[str, Any]]) -> list[httpx.Response]:
    """POST every body to /v2/bookings at once, each on its own open connection.

    Connections are opened first (concurrent GET /health on a pool as large as the crowd), so
    the POSTs, held back until all are ready, leave together instead of trickling out behind TCP
    handshakes; with several workers the kernel spreads the connections over the processes."""
    limits = httpx.Limits(max_connections=len(bodies), max_keepalive_connections=len(bodies))
    async with httpx.AsyncClient(
        base_url=world.server.base_url, limits=limits, timeout=REQUEST_TIMEOUT
    ) as http:
        warm = await asyncio.gather(*(http.get("/health") for _ in bodies))
        assert {r.status_code for r in warm} == {200}
        go = asyncio.Event()

        async def post(body: dict[str, Any]) -> httpx.Response:
            await go.wait()
            return await http.post("/v2/bookings", json=body)

        tasks = [asyncio.create_task(post(body)) for body in bodies]
        await asyncio.sleep(0)  # every task is now waiting on the starting gun
        go.set()
        return list(await asyncio.wait_for(asyncio.gather(*tasks), REQUEST_TIMEOUT * 2))


def attendee(n: int) -> dict[str, Any]:
    return {"name": f"Racer {n}", "email": f"racer{n}@example.com", "timeZone": "Europe/Paris"}


def explain(world: World, responses: list[httpx.Response]) -> str:
    odd = [f"{r.status_code} {r.text[:300]}" for r in responses if r.status_code not in (201, 409)]
    return f"unexpected answers: {odd[:5]}\nserver log:\n{world.server.log_tail(3000)}"


def check_conflicts(responses: list[httpx.Response]) -> None:
    for r in responses:
        if r.status_code == 409:
            assert r.json()["error"]["code"] == "ConflictException", r.text


async def test_fifty_clients_racing_for_one_slot_make_one_booking(world: World) -> None:
    host_id, key = await world.new_host("solo")
    event_type_id = await world.event_type(host_id, key, "race")

    responses = await race(
        world,
        [
            {"start": START, "eventTypeId": event_type_id, "attendee": attendee(n)}
            for n in range(50)
        ],
    )

    statuses = Counter(r.status_code for r in responses)
    assert statuses == {201: 1, 409: 49}, explain(world, responses)
    check_conflicts(responses)
    winner = next(r.json()["data"] for r in responses if r.status_code == 201)
    assert winner["start"] == START_ECHO
    assert winner["status"] == "accepted"

    assert await world.scalar("SELECT count(*) FROM occupancy WHERE user_id = :u", u=host_id) == 1
    assert (
        await world.scalar(
            "SELECT count(*) FROM bookings WHERE event_type_id = :e", e=event_type_id
        )
        == 1
    )
    assert (
        await world.scalar(
            "SELECT uid FROM bookings WHERE event_type_id = :e AND status = 'accepted'",
            e=event_type_id,
        )
        == winner["uid"]
    )
    assert (
        await world.scalar(
            "SELECT count(*) FROM attendees a JOIN bookings b ON b.id = a.booking_id "
            "WHERE b.event_type_id = :e",
            e=event_type_id,
        )
        == 1
    )


async def test_thirty_clients_racing_for_ten_seats_fill_one_booking(world: World) -> None:
    host_id, key = await world.new_host("seats")
    event_type_id = await world.event_type(host_id, key, "seated", seats=10)

    responses = await race(
        world,
        [
            {"start": START, "eventTypeId": event_type_id, "attendee": attendee(n)}
            for n in range(30)
        ],
    )

    statuses = Counter(r.status_code for r in responses)
    assert statuses == {201: 10, 409: 20}, explain(world, responses)
    check_conflicts(responses)
    seated = [r.json()["data"] for r in responses if r.status_code == 201]
    assert len({s["uid"] for s in seated}) == 1
    assert len({s["seatUid"] for s in seated}) == 10
    uid = seated[0]["uid"]

    assert await world.scalar("SELECT count(*) FROM occupancy WHERE user_id = :u", u=host_id) == 1
    assert (
        await world.scalar(
            "SELECT count(*) FROM bookings WHERE event_type_id = :e", e=event_type_id
        )
        == 1
    )
    assert await world.scalar("SELECT status FROM bookings WHERE uid = :uid", uid=uid) == "accepted"
    emails = await world.scalar(
        "SELECT count(DISTINCT a.email) FROM attendees a JOIN bookings b ON b.id = a.booking_id "
        "WHERE b.uid = :uid",
        uid=uid,
    )
    rows = await world.scalar(
        "SELECT count(*) FROM attendees a JOIN bookings b ON b.id = a.booking_id "
        "WHERE b.uid = :uid",
        uid=uid,
    )
    assert (rows, emails) == (10, 10)
