"""Webhook delivery across real processes: a `rendezvous serve` killed with SIGKILL while it owes
deliveries loses none of them once restarted; two `rendezvous worker` processes on PostgreSQL
share the outbox without ever sending the same attempt twice."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from rendezvous.db.engine import create_engine, session_factory
from rendezvous.db.uow import UnitOfWork
from tests.integration.live_server import (
    PG_ADMIN_DSN,
    RENDEZVOUS,
    base_env,
    cli,
    live_server,
    pg_problem,
    throwaway_pg_database,
)
from tests.integration.receiver import receiver

pytestmark = pytest.mark.slow

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
WORKER_SETTINGS = {
    "allow_private_networks": "true",
    "worker_poll_seconds": "0.05",
    "worker_lease_seconds": "2",
}


async def _require_pg() -> None:
    problem = await pg_problem()
    if problem:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI but unreachable at {PG_ADMIN_DSN}")
        pytest.skip(f"PostgreSQL unreachable ({problem})")


async def _user_and_key(env: dict[str, str], workdir: Path) -> str:
    await cli(env, "migrate", cwd=workdir)
    await cli(env, "users", "create", "--email", "bob@example.com", "--username", "bob",
              cwd=workdir)  # fmt: skip
    return await cli(env, "keys", "create", "--user", "bob@example.com", cwd=workdir)


async def _free_starts(http: httpx.AsyncClient, event_type_id: int, count: int) -> list[str]:
    """The first ``count`` free slot starts of the coming weeks."""
    now = datetime.now(UTC)
    starts: list[str] = []
    day = now.date()
    while len(starts) < count:
        response = await http.get(
            "/v2/slots",
            params={"eventTypeId": event_type_id, "start": day.isoformat(), "end": day.isoformat()},
        )
        assert response.status_code == 200, response.text
        for slots in response.json()["data"].values():
            starts += [s["start"] for s in slots]
        day = day.fromordinal(day.toordinal() + 1)
    return starts[:count]


@pytest.mark.parametrize("engine_name", ["sqlite", "postgres"])
async def test_a_server_killed_while_owing_deliveries_delivers_them_all_after_restart(
    engine_name: str, tmp_path: Path
) -> None:
    async with contextlib.AsyncExitStack() as stack:
        if engine_name == "postgres":
            await _require_pg()
            url = await stack.enter_async_context(throwaway_pg_database("rendezvous_hooks"))
        else:
            url = f"sqlite+aiosqlite:///{tmp_path / 'hooks.db'}"
        key = await _user_and_key(base_env(url), tmp_path)
        auth = {"Authorization": f"Bearer {key}"}
        hooks = await stack.enter_async_context(receiver())
        hooks.hold()  # deliveries hang: the server dies with attempts in flight
        # Small batches, so some rows are claimed in flight and others wait; quick retries, as
        # an attempt held longer than the read timeout (10 s) before the kill is retried.
        settings = WORKER_SETTINGS | {"worker_batch_size": "3", "webhook_retry_base_seconds": "1"}
        first = await stack.enter_async_context(live_server(url, tmp_path, **settings))
        async with httpx.AsyncClient(base_url=first.base_url, timeout=30) as http:
            made = await http.post(
                "/v2/event-types",
                json={"title": "Intro", "slug": "intro", "lengthInMinutes": 30},
                headers=auth,
            )
            assert made.status_code == 201, made.text
            event_type_id = made.json()["data"]["id"]
            subscribed = await http.post(
                "/v2/webhooks",
                json={
                    "subscriberUrl": hooks.url,
                    "triggers": ["BOOKING_CREATED"],
                    "active": True,
                    "secret": "s",
                },
                headers=auth,
            )
            assert subscribed.status_code == 201, subscribed.text
            uids = []
            for start in await _free_starts(http, event_type_id, 7):
                booked = await http.post(
                    "/v2/bookings",
                    json={
                        "start": start,
                        "eventTypeId": event_type_id,
                        "attendee": {
                            "name": "Jane",
                            "email": "jane@example.com",
                            "timeZone": "UTC",
                        },
                    },
                )
                assert booked.status_code == 201, booked.text
                uids.append(booked.json()["data"]["uid"])
        deadline = time.monotonic() + 20
        while hooks.seen < 3 and time.monotonic() < deadline:  # noqa: ASYNC110 - a batch in flight
            await asyncio.sleep(0.05)
        assert hooks.seen >= 3, first.log_tail()
        assert first.process is not None
        os.killpg(first.process.pid, signal.SIGKILL)
        await asyncio.wait_for(first.process.wait(), 10)
        killed_at = time.time()
        hooks.release()  # the held requests are answered, to a dead sender
        await stack.enter_async_context(live_server(url, tmp_path, **settings))
        deadline = time.monotonic() + 60
        delivered: set[str] = set()
        while time.monotonic() < deadline and not set(uids) <= delivered:
            await asyncio.sleep(0.1)
            delivered = {
                json.loads(r.body)["payload"]["uid"]
                for r in hooks.requests
                if r.status == 200 and r.at > killed_at
            }
        engine = create_engine(url)
        try:
            async with engine.connect() as conn:
                statuses = (
                    await conn.execute(
                        text(
                            "SELECT status, count(*) FROM outbox WHERE kind = 'webhook' "
                            "GROUP BY status"
                        )
                    )
                ).all()
                log = (
                    await conn.execute(
                        text(
                            "SELECT outbox_id, attempt, outcome, status_code, error "
                            "FROM outbox_attempts ORDER BY id"
                        )
                    )
                ).all()
        finally:
            await engine.dispose()
        assert set(uids) <= delivered, (len(delivered), len(uids), log)
        assert dict(statuses) == {"done": len(uids)}
        # Rows in flight at the kill were attempted again after the restart (attempt 2).
        assert any(attempt == 2 for _, attempt, *_ in log), log


@contextlib.asynccontextmanager
async def _worker_process(env: dict[str, str], workdir: Path, log: Path) -> AsyncIterator[None]:
    with log.open("wb") as out:
        process = await asyncio.create_subprocess_exec(
            RENDEZVOUS, "worker", env=env, cwd=workdir, stdin=asyncio.subprocess.DEVNULL,
            stdout=out, stderr=asyncio.subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        yield
    finally:
        for sig, wait in ((signal.SIGTERM, 15.0), (signal.SIGKILL, 10.0)):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, sig)
            try:
                await asyncio.wait_for(process.wait(), wait)
                break
            except TimeoutError:
                continue


async def test_two_workers_on_postgresql_never_send_the_same_attempt_twice(tmp_path: Path) -> None:
    await _require_pg()
    rows = 300
    async with (
        throwaway_pg_database("rendezvous_workers") as url,
        receiver(delay=0.002) as hooks,
    ):
        env = base_env(url, **WORKER_SETTINGS, worker_batch_size="20", log_json="false")
        await _user_and_key(env, tmp_path)
        engine = create_engine(url)
        try:
            now = datetime.now(UTC)
            async with UnitOfWork(session_factory(engine), write=True) as uow:
                user = await uow.users.by_email("bob@example.com")
                assert user is not None
                hook = await uow.webhooks.add(
                    user_id=user.id,
                    event_type_id=None,
                    fields={
                        "subscriber_url": hooks.url,
                        "triggers": ["BOOKING_CREATED"],
                        "active": True,
                        "payload_template": None,
                        "secret": "s",
                        "version": "2021-10-20",
                    },
                    now=now,
                )
                for n in range(rows):
                    await uow.outbox.add(
                        kind="webhook",
                        topic="BOOKING_CREATED",
                        payload={"messageId": f"msg_{n}", "body": {"n": n}},
                        now=now,
                        webhook_id=hook.id,
                    )
                await uow.commit()
            async with (
                _worker_process(env, tmp_path, tmp_path / "w1.log"),
                _worker_process(env, tmp_path, tmp_path / "w2.log"),
            ):
                await hooks.wait_for(rows, within=120)
                await asyncio.sleep(1)  # room for a duplicate to show up, if there were one
            async with engine.connect() as conn:
                attempts = (
                    await conn.execute(text("SELECT outbox_id, attempt FROM outbox_attempts"))
                ).all()
                done = (
                    await conn.execute(text("SELECT count(*) FROM outbox WHERE status = 'done'"))
                ).scalar_one()
        finally:
            await engine.dispose()
    ids = Counter(r.headers["webhook-id"] for r in hooks.requests)
    assert len(ids) == rows
    assert max(ids.values()) == 1, [i for i, c in ids.items() if c > 1][:5]
    assert len(attempts) == rows and len(set(attempts)) == rows
    assert done == rows
    logs = (tmp_path / "w1.log").read_text() + (tmp_path / "w2.log").read_text()
    assert "Traceback" not in logs, logs[-3000:]
