"""End-to-end benchmark of GET /v2/slots over HTTP against one `rendezvous serve` process, on
SQLite and then, when it is reachable, on a throwaway PostgreSQL database (``--engines``).

Workload W1 (as in _slots_engine.py): host Mon–Fri 09:00–17:00 America/New_York (the default
schedule of a user created in that zone), 30-minute event type without buffers or notice, range
2027-03-01T00:00Z → 2027-04-01T00:00Z (368 candidates), 100 busy intervals = every third
candidate from the first, so 268 slots remain. The server's clock is real time (before 2027).

Measured with wrk (throughput and latency under 16 connections) and with a single sequential
httpx client, both anonymously and with an API key (which adds authentication to the request).
Prints one JSON line per figure. ``--duration`` sets wrk's seconds per run.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _server import PgServer, Server, pg_database, pg_problem, utc

ZONE = "America/New_York"
RANGE = (utc(2027, 3, 1), utc(2027, 4, 1))
EXPECTED_SLOTS = 268
EMAIL = "host@example.com"


ENGINE = "sqlite"  # the engine of the figures being measured, named in every line


def busy_starts() -> list[Any]:
    """Starts of the busy intervals: every third free candidate from the first, 100 of them."""
    from rendezvous.domain.models import EventRules, Rule, Schedule
    from rendezvous.domain.slots import compute_slots

    schedule = Schedule(ZONE, (Rule(frozenset({1, 2, 3, 4, 5}), 9 * 60, 17 * 60),))
    free = compute_slots(
        schedule,
        EventRules(duration=30),
        range_start=RANGE[0],
        range_end=RANGE[1],
        now=utc(2027, 1, 1),
        busy=(),
    )
    assert len(free) == 368, len(free)
    return [slot.start for slot in free[::3][:100]]


def seed_w1(server: Server) -> tuple[int, str]:
    """Host, key, event type and busy rows; returns (event type id, API key)."""
    from rendezvous.db import tables as t
    from rendezvous.domain.models import EventRules

    server.create_user(EMAIL, "host", ZONE)
    key = server.create_key(EMAIL)
    starts = busy_starts()

    async def work(uow: Any) -> int:
        host = await uow.users.by_email(EMAIL)
        event_type = await uow.event_types.add(
            owner_id=host.id,
            slug="thirty",
            title="Thirty",
            hidden=False,
            schedule_id=None,
            rules=EventRules(duration=30, minimum_notice=0),
            settings={"lengthInMinutes": 30, "title": "Thirty", "slug": "thirty"},
            now=utc(2026, 1, 1),
        )
        # A plain busy interval: no booking, no reservation, never expires.
        uow.session.add_all(
            t.Occupancy(
                user_id=host.id,
                booking_id=None,
                reservation_id=None,
                start_at=start,
                end_at=start + timedelta(minutes=30),
                expires_at=None,
            )
            for start in starts
        )
        return int(event_type.id)

    return server.seed(work), key


def check(response: httpx.Response) -> None:
    assert response.status_code == 200, (response.status_code, response.text[:500])
    data = response.json()["data"]
    count = sum(len(day) for day in data.values())
    assert count == EXPECTED_SLOTS, count


def percentile(sorted_values: list[float], fraction: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * fraction))]


def emit(**fields: Any) -> None:
    head = {"bench": "slots", "part": "http", "workload": "W1", "engine": ENGINE, "processes": 1}
    print(json.dumps(head | fields), flush=True)


def sequential(url: str, headers: dict[str, str], client_name: str, runs: int) -> None:
    with httpx.Client(headers=headers, timeout=10.0) as client:
        for _ in range(30):
            check(client.get(url))
        times = []
        started = time.perf_counter()
        for _ in range(runs):
            t0 = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, response.status_code
        elapsed = time.perf_counter() - started
    times.sort()
    emit(
        client=client_name,
        requests=runs,
        rps=round(runs / elapsed, 1),
        p50_ms=round(statistics.median(times), 2),
        p99_ms=round(percentile(times, 0.99), 2),
    )


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def parse_wrk(output: str) -> dict[str, Any]:
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.M)
    total = re.search(r"(\d+) requests in", output)
    if not (rps and p50 and p99 and total):
        raise RuntimeError(f"cannot parse wrk output:\n{output}")
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    if bad or errors:
        raise RuntimeError(f"wrk saw failures:\n{output}")
    return {
        "requests": int(total.group(1)),
        "rps": round(float(rps.group(1)), 1),
        "p50_ms": round(_ms(p50.group(1)), 2),
        "p99_ms": round(_ms(p99.group(1)), 2),
    }


def wrk(
    server: Server,
    url: str,
    headers: dict[str, str],
    client_name: str,
    connections: int,
    seconds: int,
) -> None:
    argv = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for name, value in headers.items():
        argv += ["-H", f"{name}: {value}"]
    cpu = server.cpu_seconds()
    done = subprocess.run([*argv, url], capture_output=True, text=True, check=True)
    cpu = server.cpu_seconds() - cpu
    figures = parse_wrk(done.stdout)
    figures["server_cpu_ms_per_req"] = round(cpu * 1000 / figures["requests"], 2)
    emit(client=client_name, **figures)


def measure(server: Server, engine: str, args: argparse.Namespace) -> None:
    global ENGINE
    ENGINE = engine
    event_type_id, key = seed_w1(server)
    server.start()
    url = (
        f"{server.base_url}/v2/slots?eventTypeId={event_type_id}"
        "&start=2027-03-01T00:00:00Z&end=2027-04-01T00:00:00Z"
    )
    auth = {"Authorization": f"Bearer {key}"}
    check(httpx.get(url))
    check(httpx.get(url, headers=auth))
    sequential(url, {}, "httpx sequential", args.runs)
    sequential(url, auth, "httpx sequential, api key", args.runs)
    if shutil.which("wrk") is None:
        print("wrk not found: skipping the concurrent figures", file=sys.stderr)
        return
    wrk(server, url, {}, "wrk -t2 -c16", 16, args.duration)
    wrk(server, url, auth, "wrk -t2 -c16, api key", 16, args.duration)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--runs", type=int, default=500, help="sequential httpx requests")
    parser.add_argument("--engines", default="sqlite,postgresql")
    args = parser.parse_args()
    engines = args.engines.split(",")
    if "sqlite" in engines:
        with Server() as server:
            measure(server, "sqlite", args)
    if "postgresql" in engines:
        problem = pg_problem()
        if problem:
            emit(engine="postgresql", skipped=f"PostgreSQL unreachable: {problem}")
            return
        with pg_database() as url, PgServer(url, workers=1) as server:
            measure(server, "postgresql", args)


if __name__ == "__main__":
    main()
