"""GET /v2/slots W1 with one selected CalDAV calendar holding 100 events, against one
`rendezvous serve` process (SQLite) and a Radicale server, both on loopback.

W1 as in _slots_http.py (host Mon–Fri 09:00–17:00 America/New_York, 30-minute event type, March
2027, 100 busy rows in the database); the calendar adds 100 events of its own (every third
free candidate starting from the second, 30 minutes each), so 168 slots remain.

Figures, all from the same server process and run:
- ``calendar: none``: before any calendar is connected (the W1 baseline of this run);
- ``calendar: caldav 100 events, warm``: the cache holds the parsed calendar (TTL 1 hour);
- ``calendar: caldav 100 events, cold``: the first request after a connection, which fetches
  the calendar from Radicale, parses and expands it (one sample per fresh connection).
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _server import Server, free_port
from _slots_http import RANGE, ZONE, percentile, seed_w1

EXPECTED = 168


def calendar_starts() -> list[Any]:
    from rendezvous.domain.models import EventRules, Rule, Schedule
    from rendezvous.domain.slots import compute_slots

    schedule = Schedule(ZONE, (Rule(frozenset({1, 2, 3, 4, 5}), 9 * 60, 17 * 60),))
    free = compute_slots(
        schedule, EventRules(duration=30), range_start=RANGE[0], range_end=RANGE[1],
        now=RANGE[0] - timedelta(days=60), busy=(),
    )  # fmt: skip
    return [slot.start for slot in free[1::3][:100]]


def start_radicale(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "radicale", "--config", "", "--server-hosts", f"127.0.0.1:{port}",
         "--storage-filesystem-folder", str(folder), "--auth-type", "none",
         "--logging-level", "warning"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return process, f"http://127.0.0.1:{port}/"
        time.sleep(0.05)
    process.kill()
    raise RuntimeError("radicale did not start")


def fill_calendar(url: str) -> None:
    from caldav.davclient import DAVClient

    client = DAVClient(url=url, username="bench", password="x", timeout=10)
    calendar = client.principal().make_calendar(name="Work", cal_id="work")
    for n, start in enumerate(calendar_starts()):
        end = start + timedelta(minutes=30)
        calendar.save_event(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\nBEGIN:VEVENT\r\n"
            f"UID:bench-{n}\r\nDTSTAMP:20270101T000000Z\r\n"
            f"DTSTART:{start:%Y%m%dT%H%M%SZ}\r\nDTEND:{end:%Y%m%dT%H%M%SZ}\r\n"
            "SUMMARY:Busy\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        )


def emit(**fields: Any) -> None:
    head = {"bench": "slots", "part": "http+calendar", "workload": "W1", "engine": "sqlite"}
    print(json.dumps(head | fields), flush=True)


def count(response: httpx.Response) -> int:
    assert response.status_code == 200, (response.status_code, response.text[:300])
    return sum(len(day) for day in response.json()["data"].values())


def sequential(client: httpx.Client, url: str, runs: int, expected: int, label: str) -> None:
    for _ in range(20):
        assert count(client.get(url)) == expected
    times = []
    started = time.perf_counter()
    for _ in range(runs):
        t0 = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200
    elapsed = time.perf_counter() - started
    times.sort()
    emit(
        calendar=label,
        client="httpx sequential",
        requests=runs,
        rps=round(runs / elapsed, 1),
        p50_ms=round(statistics.median(times), 2),
        p99_ms=round(percentile(times, 0.99), 2),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=500, help="sequential requests per figure")
    parser.add_argument("--cold", type=int, default=10, help="cold-cache samples")
    args, _ = parser.parse_known_args()
    from cryptography.fernet import Fernet

    folder = Path(tempfile.mkdtemp(prefix="rendezvous-bench-radicale-"))
    radicale, dav_url = start_radicale(folder)
    extra = {
        "RENDEZVOUS_ALLOW_PRIVATE_NETWORKS": "true",
        "RENDEZVOUS_CREDENTIALS_KEY": Fernet.generate_key().decode(),
        "RENDEZVOUS_CALENDAR_CACHE_TTL": "3600",
        "RENDEZVOUS_CALENDAR_WAIT": "30",
        "RENDEZVOUS_WORKER_IN_SERVE": "false",
    }
    try:
        fill_calendar(dav_url)
        with Server(extra_env=extra) as server:
            event_type_id, key = seed_w1(server)
            server.start()
            url = (
                f"{server.base_url}/v2/slots?eventTypeId={event_type_id}"
                "&start=2027-03-01T00:00:00Z&end=2027-04-01T00:00:00Z"
            )
            auth = {"Authorization": f"Bearer {key}"}
            with httpx.Client(timeout=60.0) as client:
                sequential(client, url, args.runs, 268, "none")
                cold = []
                for _ in range(args.cold):
                    connected = client.post(
                        f"{server.base_url}/v2/calendars/caldav/credentials",
                        json={"username": "bench", "password": "x", "url": dav_url},
                        headers=auth,
                    )
                    assert connected.status_code == 201, connected.text
                    t0 = time.perf_counter()
                    assert count(client.get(url)) == EXPECTED
                    cold.append((time.perf_counter() - t0) * 1000)
                    credential = connected.json()["data"]["id"]
                    client.post(
                        f"{server.base_url}/v2/calendars/caldav/disconnect",
                        json={"id": credential},
                        headers=auth,
                    )
                connected = client.post(
                    f"{server.base_url}/v2/calendars/caldav/credentials",
                    json={"username": "bench", "password": "x", "url": dav_url},
                    headers=auth,
                )
                assert connected.status_code == 201, connected.text
                sequential(client, url, args.runs, EXPECTED, "caldav 100 events, warm")
                cold.sort()
                emit(
                    calendar="caldav 100 events, cold",
                    client="httpx, first request after connecting",
                    requests=len(cold),
                    p50_ms=round(statistics.median(cold), 2),
                    max_ms=round(cold[-1], 2),
                )
    finally:
        radicale.terminate()
        radicale.wait(10)
        subprocess.run(["rm", "-rf", str(folder)], check=False)


if __name__ == "__main__":
    main()
