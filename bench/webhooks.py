"""Benchmark of webhook delivery to a local receiver (a real HTTP server on loopback).

For each engine (SQLite, and PostgreSQL when reachable):

* throughput: 2,000 owed deliveries (outbox rows of one subscription, written before the worker
  starts), sent by ONE `rendezvous worker` process with the default settings; deliveries per
  second from the first request received to the last. Every delivery is checked: exactly one
  request per webhook-id.
* delay: `rendezvous serve` with its in-process worker (the default) and a subscription to
  BOOKING_CREATED; 200 bookings made one after another, 20 ms apart; for each, the time from
  sending POST /v2/bookings (an upper bound of its commit) to the receiver reading the delivery.
  p50 and p99.

Targets: ≥ 200 deliveries/s with one worker; p50 delay < 1 s. Prints one JSON line per figure.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _server import RENDEZVOUS, PgServer, Server, pg_database, pg_problem

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.integration.receiver import receiver  # noqa: E402

DELIVERIES = 2000
BOOKINGS = 200
TARGET_PER_S = 200
TARGET_P50_S = 1.0
SETTINGS = {"RENDEZVOUS_ALLOW_PRIVATE_NETWORKS": "true", "RENDEZVOUS_LOG_LEVEL": "warning"}


def emit(**fields: Any) -> None:
    print(json.dumps({"bench": "webhooks"} | fields), flush=True)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def _subscribe(server: Server, url: str, rows: int) -> None:
    """A subscription of the host to BOOKING_CREATED and ``rows`` deliveries owed to it."""
    from datetime import UTC, datetime

    async def work(uow: Any) -> None:
        user = await uow.users.by_email("host@example.com")
        hook = await uow.webhooks.add(
            user_id=user.id,
            event_type_id=None,
            fields={
                "subscriber_url": url,
                "triggers": ["BOOKING_CREATED"],
                "active": True,
                "payload_template": None,
                "secret": "bench-secret",
                "version": "2021-10-20",
            },
            now=datetime.now(UTC),
        )
        body = {"triggerEvent": "BOOKING_CREATED", "createdAt": "", "payload": {"n": 0}}
        for n in range(rows):
            await uow.outbox.add(
                kind="webhook",
                topic="BOOKING_CREATED",
                payload={"messageId": f"msg_bench_{n}", "body": body | {"payload": {"n": n}}},
                now=datetime.now(UTC),
                webhook_id=hook.id,
            )

    server.seed(work)


async def _throughput(server: Server, engine: str) -> None:
    async with receiver() as hooks:
        await asyncio.to_thread(_subscribe, server, hooks.url, DELIVERIES)
        env = server.env | SETTINGS
        process = await asyncio.create_subprocess_exec(
            RENDEZVOUS, "worker", env=env, cwd=server.dir,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        try:
            await hooks.wait_for(DELIVERIES, within=600)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            await process.wait()
    times = [r.at for r in hooks.requests]
    ids = {r.headers["webhook-id"] for r in hooks.requests}
    span = max(times) - min(times)
    rate = (len(times) - 1) / span if span > 0 else float("inf")
    emit(
        engine=engine,
        figure="deliveries_per_s_one_worker",
        value=round(rate, 1),
        deliveries=len(times),
        distinct_webhook_ids=len(ids),
        target=TARGET_PER_S,
        ratio_to_target=round(rate / TARGET_PER_S, 2),
    )


def _event_type(server: Server) -> int:
    from datetime import UTC, datetime

    from rendezvous.domain.models import EventRules

    async def work(uow: Any) -> int:
        user = await uow.users.by_email("host@example.com")
        made = await uow.event_types.add(
            owner_id=user.id,
            slug="bench",
            title="Bench",
            hidden=False,
            schedule_id=None,
            rules=EventRules(duration=30, minimum_notice=0),
            settings={"lengthInMinutes": 30, "title": "Bench", "slug": "bench"},
            now=datetime.now(UTC),
        )
        return int(made.id)

    return int(server.seed(work))


async def _delay(server: Server, engine: str, key: str) -> None:
    async with receiver() as hooks:
        await asyncio.to_thread(_subscribe, server, hooks.url, 0)
        event_type_id = await asyncio.to_thread(_event_type, server)
        await asyncio.to_thread(server.start)
        sent: dict[str, float] = {}
        try:
            async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as http:
                me = await http.get("/v2/me", headers={"Authorization": f"Bearer {key}"})
                assert me.status_code == 200, me.text
                starts = await _starts(http, event_type_id, BOOKINGS)
                for start in starts:
                    began = time.time()
                    made = await http.post(
                        "/v2/bookings",
                        json={"start": start, "eventTypeId": event_type_id,
                              "attendee": {"name": "B", "email": "b@example.com",
                                           "timeZone": "UTC"}},
                    )  # fmt: skip
                    assert made.status_code == 201, made.text
                    sent[made.json()["data"]["uid"]] = began
                    await asyncio.sleep(0.02)
                await hooks.wait_for(len(sent), within=120)
        finally:
            await asyncio.to_thread(server.stop)
    delays = [r.at - sent[json.loads(r.body)["payload"]["uid"]] for r in hooks.requests]
    p50, p99 = percentile(delays, 0.50), percentile(delays, 0.99)
    emit(
        engine=engine,
        figure="commit_to_delivery_delay_s",
        p50=round(p50, 3),
        p99=round(p99, 3),
        mean=round(statistics.fmean(delays), 3),
        deliveries=len(delays),
        target_p50=TARGET_P50_S,
        ratio_to_target=round(p50 / TARGET_P50_S, 2),
    )


async def _starts(http: httpx.AsyncClient, event_type_id: int, count: int) -> list[str]:
    from datetime import UTC, datetime

    day = datetime.now(UTC).date() + timedelta(days=1)
    starts: list[str] = []
    while len(starts) < count:
        response = await http.get(
            "/v2/slots",
            params={"eventTypeId": event_type_id, "start": day.isoformat(),
                    "end": (day + timedelta(days=6)).isoformat()},
        )  # fmt: skip
        assert response.status_code == 200, response.text
        for slots in response.json()["data"].values():
            starts += [s["start"] for s in slots]
        day += timedelta(days=7)
    return starts[:count]


def run(server: Server, engine: str) -> None:
    server.create_user("host@example.com", "host")
    key = server.create_key("host@example.com")
    asyncio.run(_throughput(server, engine))
    asyncio.run(_delay(server, engine, key))


def main() -> int:
    with Server(extra_env=SETTINGS) as server:
        run(server, "sqlite")
    problem = pg_problem()
    if problem:
        emit(engine="postgresql", skipped=problem)
        return 0
    with pg_database() as url, PgServer(url, workers=1) as server:
        server.env.update(SETTINGS)
        run(server, "postgresql")
    return 0


if __name__ == "__main__":
    sys.exit(main())
