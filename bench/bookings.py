"""Benchmark of bookings over HTTP against real `rendezvous serve` processes.

For each engine (PostgreSQL with two worker processes, SQLite with one):

* create: sustained POST /v2/bookings from 20 concurrent clients (wrk, or httpx without it),
  every request on a distinct free slot: a host whose schedule is open 24/7, a 30-minute event
  type without notice or buffers, starts every 30 minutes from 2033-01-03. Bookings per second
  and latency percentiles; every booking is checked in the database afterwards.
* list: GET /v2/bookings?take=100 by a user with 100,000 bookings (bulk-inserted into bookings,
  attendees and booking_hosts before the server starts), timed over sequential requests after
  the creation run (so, as in any real database, other users' bookings exist too).

Targets: ≥300 bookings/s on PostgreSQL with p99 < 150 ms; list p50 < 20 ms.
Prints one JSON line per figure. PostgreSQL is skipped (with a line saying so) when unreachable.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _server import PgServer, Server, pg_database, pg_problem, utc

HOST = "host@example.com"  # takes the new bookings
LISTER = "lister@example.com"  # has the 100,000 bookings to list
CREATE_BASE = utc(2033, 1, 3)  # first start offered to the creation run; one every 30 minutes
LIST_BASE = utc(2026, 1, 5)
SLOT = timedelta(minutes=30)
ALL_WEEK = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
TARGET_BOOKINGS_PER_S = 300
TARGET_CREATE_P99_MS = 150
TARGET_LIST_P50_MS = 20


def emit(**fields: Any) -> None:
    print(json.dumps({"bench": "bookings"} | fields), flush=True)


def percentile(sorted_values: list[float], fraction: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * fraction))]


# --- databases and servers ---------------------------------------------------------------------


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its live descendants (uvicorn's workers)."""
    total, pending = 0.0, [pid]
    tick = os.sysconf("SC_CLK_TCK")
    while pending:
        current = pending.pop()
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            for task in Path(f"/proc/{current}/task").iterdir():
                children = (task / "children").read_text().split()
                pending.extend(int(c) for c in children)
    return total


def host_cpu_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return sum(fields) - idle, sum(fields)


# --- seeding -----------------------------------------------------------------------------------


def seed_people(server: Server) -> dict[str, Any]:
    """Host (open 24/7) and lister, their event types, the lister's API key."""
    from rendezvous.domain.models import EventRules

    server.create_user(HOST, "host", "UTC")
    server.create_user(LISTER, "lister", "UTC")
    key = server.create_key(LISTER)

    async def work(uow: Any) -> dict[str, Any]:
        ids: dict[str, Any] = {"key": key}
        for email, slug in ((HOST, "bench"), (LISTER, "listed")):
            user = await uow.users.by_email(email)
            event_type = await uow.event_types.add(
                owner_id=user.id,
                slug=slug,
                title=slug.title(),
                hidden=False,
                schedule_id=None,
                rules=EventRules(duration=30, minimum_notice=0),
                settings={"lengthInMinutes": 30, "title": slug.title(), "slug": slug},
                now=utc(2026, 1, 1),
            )
            ids[slug] = (user.id, event_type.id)
            if email == HOST:
                await uow.schedules.update(
                    user.default_schedule_id,
                    now=utc(2026, 1, 1),
                    availability=[{"days": ALL_WEEK, "startTime": "00:00", "endTime": "24:00"}],
                )
        return ids

    return dict(server.seed(work))


def seed_bookings(database_url: str, user_id: int, event_type_id: int, count: int) -> float:
    """``count`` accepted bookings of the user, one attendee and one host row each, inserted in
    bulk (no occupancy rows: listing does not read them). Returns the seconds it took."""
    from sqlalchemy import func, insert, select, text

    from rendezvous.db import tables as t
    from rendezvous.db.engine import create_engine

    bookings_t, attendees_t, hosts_t = (
        t.Booking.__table__,
        t.Attendee.__table__,
        t.BookingHost.__table__,
    )
    created = utc(2026, 1, 1)

    async def go() -> None:
        engine = create_engine(database_url)
        try:
            async with engine.begin() as conn:
                first = 1 + (await conn.scalar(select(func.coalesce(func.max(t.Booking.id), 0))))
                first_attendee = 1 + (
                    await conn.scalar(select(func.coalesce(func.max(t.Attendee.id), 0)))
                )
                chunk = 5000
                for low in range(0, count, chunk):
                    bookings, attendees, hosts = [], [], []
                    for i in range(low, min(count, low + chunk)):
                        start: datetime = LIST_BASE + i * SLOT
                        uid = f"seed{i:08d}{uuid.uuid4().hex[:12]}"
                        guest = f"guest{i % 5000}@example.com"
                        bookings.append(
                            {
                                "id": first + i,
                                "uid": uid,
                                "user_id": user_id,
                                "event_type_id": event_type_id,
                                "title": f"Listed between Lister and Guest {i % 5000}",
                                "description": "",
                                "status": "accepted",
                                "start_at": start,
                                "end_at": start + SLOT,
                                "location": f"https://meet.jit.si/rendezvous-{uid}",
                                "meeting_url": f"https://meet.jit.si/rendezvous-{uid}",
                                "metadata": {},
                                "responses": {"name": f"Guest {i % 5000}", "email": guest},
                                "guests": [],
                                "ics_uid": f"{uid}@rendezvous",
                                "seated": False,
                                "absent_host": False,
                                "created_at": created,
                                "updated_at": created,
                            }
                        )
                        attendees.append(
                            {
                                "id": first_attendee + i,
                                "booking_id": first + i,
                                "name": f"Guest {i % 5000}",
                                "email": guest,
                                "time_zone": "Europe/Paris",
                                "language": "en",
                                "responses": {},
                                "metadata": {},
                                "absent": False,
                                "created_at": created,
                            }
                        )
                        hosts.append(
                            {
                                "booking_id": first + i,
                                "user_id": user_id,
                                "start_at": start,
                                "end_at": start + SLOT,
                                "status": "accepted",
                            }
                        )
                    await conn.execute(insert(bookings_t), bookings)
                    await conn.execute(insert(attendees_t), attendees)
                    await conn.execute(insert(hosts_t), hosts)
                if engine.dialect.name == "postgresql":
                    for table in ("bookings", "attendees"):
                        await conn.execute(
                            text(
                                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                f"(SELECT max(id) FROM {table}))"
                            )
                        )
            if engine.dialect.name == "postgresql":
                # What autovacuum would do shortly after such a load.
                async with engine.begin() as conn:
                    await conn.execute(text("ANALYZE"))
        finally:
            await engine.dispose()

    started = time.perf_counter()
    asyncio.run(go())
    return time.perf_counter() - started


def count_bookings(database_url: str, event_type_id: int) -> int:
    from sqlalchemy import func, select

    from rendezvous.db import tables as t
    from rendezvous.db.engine import create_engine

    async def go() -> int:
        engine = create_engine(database_url)
        try:
            async with engine.connect() as conn:
                query = select(func.count()).where(
                    t.Booking.event_type_id == event_type_id, t.Booking.status == "accepted"
                )
                return int(await conn.scalar(query) or 0)
        finally:
            await engine.dispose()

    return asyncio.run(go())


# --- creation ----------------------------------------------------------------------------------

WRK_SCRIPT = r"""
-- Every request books the next 30-minute start: base + (offset + n) * 1800 seconds.
local offset, event_type, base, n = 0, 0, 0, 0
function init(args)
  offset, event_type, base = tonumber(args[1]), tonumber(args[2]), tonumber(args[3])
end
local headers = { ["Content-Type"] = "application/json" }
request = function()
  local k = offset + n
  n = n + 1
  local start = os.date("!%Y-%m-%dT%H:%M:%SZ", base + k * 1800)
  local body = string.format(
    '{"start":"%s","eventTypeId":%d,"attendee":{"name":"Booker %d",' ..
    '"email":"booker%d@example.com","timeZone":"UTC"}}', start, event_type, k, k)
  return wrk.format("POST", "/v2/bookings", headers, body)
end
"""

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(value: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value)
    if match is None:
        raise RuntimeError(f"cannot parse wrk latency {value!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def wrk_create(
    server: Server, event_type_id: int, offset: int, clients: int, seconds: int
) -> dict[str, Any]:
    script = server.dir / "book.lua"
    script.write_text(WRK_SCRIPT)
    argv = [
        "wrk",
        "-t1",
        f"-c{clients}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(script),
        server.base_url,
        "--",
        str(offset),
        str(event_type_id),
        str(int(CREATE_BASE.timestamp())),
    ]
    done = subprocess.run(argv, capture_output=True, text=True, check=True, timeout=seconds + 60)
    out = done.stdout
    total = re.search(r"(\d+) requests in ([\d.]+)(s|m)", out)
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M)
    if not (total and p50 and p99):
        raise RuntimeError(f"cannot parse wrk output:\n{out}")
    elapsed = float(total.group(2)) * (60 if total.group(3) == "m" else 1)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    requests = int(total.group(1))
    return {
        "requests": requests,
        "failed": int(bad.group(1)) if bad else 0,
        "socket_errors": errors.group(1).strip() if errors else None,
        "elapsed_s": elapsed,
        "p50_ms": _ms(p50.group(1)),
        "p99_ms": _ms(p99.group(1)),
    }


def httpx_create(
    server: Server, event_type_id: int, offset: int, clients: int, seconds: int
) -> dict[str, Any]:
    """The same load from httpx (when wrk is missing): ``clients`` sequential loops."""
    counter = iter(range(offset, offset + 10_000_000))
    latencies: list[float] = []
    failed = 0

    async def client(http: httpx.AsyncClient, deadline: float) -> None:
        nonlocal failed
        while time.perf_counter() < deadline:
            k = next(counter)
            start = (CREATE_BASE + k * SLOT).strftime("%Y-%m-%dT%H:%M:%SZ")
            body = {
                "start": start,
                "eventTypeId": event_type_id,
                "attendee": {
                    "name": f"Booker {k}",
                    "email": f"booker{k}@example.com",
                    "timeZone": "UTC",
                },
            }
            t0 = time.perf_counter()
            response = await http.post("/v2/bookings", json=body)
            latencies.append((time.perf_counter() - t0) * 1000)
            if response.status_code != 201:
                if not failed:  # say once why, so a broken run is not just a number
                    print(
                        f"first non-201: {response.status_code} {response.text[:300]}",
                        file=sys.stderr,
                    )
                failed += 1

    async def go() -> float:
        limits = httpx.Limits(max_connections=clients)
        async with httpx.AsyncClient(base_url=server.base_url, limits=limits, timeout=10) as http:
            started = time.perf_counter()
            await asyncio.gather(*(client(http, started + seconds) for _ in range(clients)))
            return time.perf_counter() - started

    elapsed = asyncio.run(go())
    latencies.sort()
    return {
        "requests": len(latencies),
        "failed": failed,
        "socket_errors": None,
        "elapsed_s": elapsed,
        "p50_ms": statistics.median(latencies),
        "p99_ms": percentile(latencies, 0.99),
    }


def settled_count(database_url: str, event_type_id: int) -> int:
    """The bookings of the event type once the server has finished the requests in flight
    (wrk stops without waiting for them): the count no longer moves for half a second."""
    last, deadline = -1, time.monotonic() + 10
    while time.monotonic() < deadline:
        current = count_bookings(database_url, event_type_id)
        if current == last:
            return current
        last = current
        time.sleep(0.5)
    return last


def bench_create(
    server: Server, engine: str, processes: int, event_type_id: int, args: argparse.Namespace
) -> None:
    drive = wrk_create if shutil.which("wrk") else httpx_create
    drive(server, event_type_id, 0, args.clients, args.warmup)  # warm-up: slots 0…
    before = settled_count(server.database_url, event_type_id)
    assert server.process is not None
    cpu = tree_cpu_seconds(server.process.pid)
    busy, total = host_cpu_ticks()
    figures = drive(server, event_type_id, 1_000_000, args.clients, args.duration)
    cpu = tree_cpu_seconds(server.process.pid) - cpu
    busy_after, total_after = host_cpu_ticks()
    machine_busy = (busy_after - busy) / max(1, total_after - total)
    booked = figures["requests"] - figures["failed"]
    # wrk does not count the requests in flight when it stops; the server may finish them.
    stored = settled_count(server.database_url, event_type_id) - before
    assert booked <= stored <= booked + args.clients, (booked, stored)
    rate = booked / figures["elapsed_s"]
    line: dict[str, Any] = {
        "figure": "create",
        "engine": engine,
        "processes": processes,
        "clients": args.clients,
        "driver": "wrk -t1" if drive is wrk_create else "httpx",
        "seconds": round(figures["elapsed_s"], 2),
        "bookings": booked,
        "non_201": figures["failed"],
        "bookings_per_s": round(rate, 1),
        "p50_ms": round(figures["p50_ms"], 2),
        "p99_ms": round(figures["p99_ms"], 2),
        "server_cpu_ms_per_booking": round(cpu * 1000 / max(1, booked), 2),
        "machine_cpu_busy_pct": round(100 * machine_busy, 1),  # server + database + client
        "cpus": os.cpu_count(),
    }
    if figures["socket_errors"]:
        line["socket_errors"] = figures["socket_errors"]
    if engine == "postgresql":
        line |= {
            "target_bookings_per_s": TARGET_BOOKINGS_PER_S,
            "target_p99_ms": TARGET_CREATE_P99_MS,
            "meets_target": rate >= TARGET_BOOKINGS_PER_S
            and figures["p99_ms"] < TARGET_CREATE_P99_MS
            and figures["failed"] == 0,
        }
    emit(**line)


# --- listing -----------------------------------------------------------------------------------


def bench_list(server: Server, engine: str, key: str, args: argparse.Namespace) -> None:
    url = f"{server.base_url}/v2/bookings?take=100"
    times: list[float] = []
    with httpx.Client(headers={"Authorization": f"Bearer {key}"}, timeout=30) as http:
        for _ in range(5):
            first = http.get(url)
            assert first.status_code == 200, first.text[:500]
        page = first.json()
        assert page["pagination"]["totalItems"] == args.list_bookings, page["pagination"]
        assert len(page["data"]) == 100
        deadline = time.perf_counter() + args.list_seconds
        started = time.perf_counter()
        while len(times) < args.list_requests and time.perf_counter() < deadline:
            t0 = time.perf_counter()
            response = http.get(url)
            times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, response.status_code
        elapsed = time.perf_counter() - started
    times.sort()
    p50 = statistics.median(times)
    emit(
        figure="list",
        engine=engine,
        processes=int(server.env["RENDEZVOUS_WORKERS"]),
        bookings_of_user=args.list_bookings,
        take=100,
        requests=len(times),
        rps=round(len(times) / elapsed, 1),
        p50_ms=round(p50, 2),
        p99_ms=round(percentile(times, 0.99), 2),
        target_p50_ms=TARGET_LIST_P50_MS,
        meets_target=p50 < TARGET_LIST_P50_MS,
    )


# --- main --------------------------------------------------------------------------------------


def run_engine(server: Server, engine: str, processes: int, args: argparse.Namespace) -> None:
    ids = seed_people(server)
    lister_id, listed_type = ids["listed"]
    seconds = seed_bookings(server.database_url, lister_id, listed_type, args.list_bookings)
    emit(figure="seed", engine=engine, bookings=args.list_bookings, seconds=round(seconds, 2))
    server.start()
    bench_create(server, engine, processes, ids["bench"][1], args)
    bench_list(server, engine, ids["key"], args)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=20, help="concurrent booking clients")
    parser.add_argument("--duration", type=int, default=10, help="seconds of measured creation")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up creation")
    parser.add_argument("--list-bookings", type=int, default=100_000)
    parser.add_argument("--list-requests", type=int, default=300)
    parser.add_argument("--list-seconds", type=float, default=20.0, help="cap on the list run")
    parser.add_argument("--engines", default="postgresql,sqlite")
    args = parser.parse_args()
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]

    if "postgresql" in engines:
        problem = pg_problem()
        if problem:
            emit(figure="skipped", engine="postgresql", reason=f"unreachable: {problem}")
        else:
            with pg_database() as url, PgServer(url, workers=2) as server:
                run_engine(server, "postgresql", 2, args)
    if "sqlite" in engines:
        with Server() as server:
            run_engine(server, "sqlite", 1, args)


if __name__ == "__main__":
    main()
