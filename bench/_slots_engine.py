"""Benchmark of the pure slot engine (availability → slots → rendered ISO strings).

Workload: host Mon–Fri 09:00–17:00 America/New_York, 30-minute event, no buffers or notice.
W1 = March 2027 (23 weekdays × 16 = 368 candidates, DST change on 03-14); busy = every third
candidate from the first, the first 100 of them (so 268 slots remain). W2 = all of 2027 with the
same 100 busy intervals.

Teams (issue 14), over W1's 31 days, measured in the same run as W1 and reported as ratios to it:
W1-RR20 = a 20-host round robin, hosts Mon–Fri 09:00–17:00 in four zones (New York, Chicago,
London, Berlin; five each), each with its own 100 busy intervals (every third candidate, shifted
by the host's index); W1-COLL5 = a 5-host collective, three in New York and two in Chicago, busy
likewise; W1-RR20-distinct = the round robin with no two hosts sharing a schedule (host ``i``
works eight hours from 08:00 + 30 min × (i // 4) in the zones in turn). All go through what
``GET /v2/slots`` runs (``services.slots``' choice of ``fast_team_slots``) and render the
result. Prints one JSON line per figure.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from rendezvous.domain.accounts import User
from rendezvous.domain.hosts import Host, HostTimes, fast_team_slots
from rendezvous.domain.models import Busy, EventRules, Rule, Schedule
from rendezvous.domain.render import render_slots
from rendezvous.domain.slots import compute_slots

ZONE = "America/New_York"
SCHEDULE = Schedule(ZONE, (Rule(frozenset({1, 2, 3, 4, 5}), 9 * 60, 17 * 60),))
RULES = EventRules(duration=30)
NOW = datetime(2027, 1, 1, tzinfo=UTC)
W1 = (datetime(2027, 3, 1, tzinfo=UTC), datetime(2027, 4, 1, tzinfo=UTC))
W2 = (datetime(2027, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC))


def run(window: tuple[datetime, datetime], busy: list[Busy]) -> tuple[int, int]:
    slots = compute_slots(
        SCHEDULE,
        RULES,
        range_start=window[0],
        range_end=window[1],
        now=NOW,
        busy=busy,
    )
    rendered = render_slots(slots, ZONE, "time")
    return len(slots), sum(len(v) for v in rendered.values())


def busy_intervals() -> list[Busy]:
    free = compute_slots(SCHEDULE, RULES, range_start=W1[0], range_end=W1[1], now=NOW, busy=())
    assert len(free) == 368, len(free)
    return [Busy(s.start, s.start + timedelta(minutes=30)) for s in free[::3][:100]]


def team(zones: list[str], *, distinct: bool = False) -> list[HostTimes]:
    """Hosts Mon–Fri 09–17 in ``zones``, each busy at every third of its own candidates
    (shifted by its index), the first 100 of them. ``distinct``: host ``i``'s eight hours start
    at 08:00 + 30 min × (i // 4) instead, so no two hosts of four zones share a schedule."""
    out = []
    for i, zone in enumerate(zones):
        first = 8 * 60 + 30 * (i // 4) if distinct else 9 * 60
        schedule = Schedule(zone, (Rule(frozenset({1, 2, 3, 4, 5}), first, first + 8 * 60),))
        user = User(id=i + 1, email=f"h{i}@x.test", username=f"h{i}", name=None, time_zone=zone)
        free = compute_slots(schedule, RULES, range_start=W1[0], range_end=W1[1], now=NOW, busy=())
        busy = [Busy(s.start, s.end) for s in free[i % 3 :: 3][:100]]
        out.append(HostTimes(Host(user, schedule), busy))
    return out


def run_team(kind: str, hosts: list[HostTimes]) -> tuple[int, int]:
    slots = fast_team_slots(kind, hosts, RULES, range_start=W1[0], range_end=W1[1], now=NOW)  # type: ignore[arg-type]
    rendered = render_slots(slots, ZONE, "time")
    return len(slots), sum(len(v) for v in rendered.values())


def measure(
    name: str, work: Callable[[], tuple[int, int]], runs: int, base: float | None = None
) -> float:
    for _ in range(5):
        work()
    times = []
    count = 0
    for _ in range(runs):
        t0 = time.perf_counter()
        count, rendered = work()
        times.append((time.perf_counter() - t0) * 1000)
        assert rendered == count
    times.sort()
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    median = statistics.median(times)
    line: dict[str, Any] = {
        "bench": "slots",
        "part": "engine",
        "workload": name,
        "median_ms": round(median, 3),
        "p99_ms": round(p99, 3),
        "slots": count,
    }
    if base is not None:
        line["ratio_to_W1"] = round(median / base, 2)
    print(json.dumps(line))
    if name == "W1":
        assert count == 268, count
    return median


def main() -> None:
    busy = busy_intervals()
    w1 = measure("W1", lambda: run(W1, busy), runs=500)
    measure("W2", lambda: run(W2, busy), runs=100)
    rr = team([z for z in ("America/New_York", "America/Chicago", "Europe/London",
                           "Europe/Berlin") for _ in range(5)])  # fmt: skip
    collective = team(["America/New_York"] * 3 + ["America/Chicago"] * 2)
    measure("W1-RR20", lambda: run_team("ROUND_ROBIN", rr), runs=200, base=w1)
    zones = ("America/New_York", "America/Chicago", "Europe/London", "Europe/Berlin")
    distinct = team([zones[i % 4] for i in range(20)], distinct=True)
    measure("W1-RR20-distinct", lambda: run_team("ROUND_ROBIN", distinct), runs=100, base=w1)
    measure("W1-COLL5", lambda: run_team("COLLECTIVE", collective), runs=200, base=w1)


if __name__ == "__main__":
    main()
