"""Benchmark of the pure slot engine (availability → slots → rendered ISO strings).

Workload: host Mon–Fri 09:00–17:00 America/New_York, 30-minute event, no buffers or notice.
W1 = March 2027 (23 weekdays × 16 = 368 candidates, DST change on 03-14); busy = every third
candidate from the first, the first 100 of them (so 268 slots remain). W2 = all of 2027 with the
same 100 busy intervals. Prints one JSON line per figure.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

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


def measure(name: str, window: tuple[datetime, datetime], busy: list[Busy], runs: int) -> None:
    for _ in range(5):
        run(window, busy)
    times = []
    count = 0
    for _ in range(runs):
        t0 = time.perf_counter()
        count, rendered = run(window, busy)
        times.append((time.perf_counter() - t0) * 1000)
        assert rendered == count
    times.sort()
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    print(
        json.dumps(
            {
                "bench": "slots",
                "part": "engine",
                "workload": name,
                "median_ms": round(statistics.median(times), 3),
                "p99_ms": round(p99, 3),
                "slots": count,
            }
        )
    )
    if name == "W1":
        assert count == 268, count


def main() -> None:
    busy = busy_intervals()
    measure("W1", W1, busy, runs=500)
    measure("W2", W2, busy, runs=100)


if __name__ == "__main__":
    main()
