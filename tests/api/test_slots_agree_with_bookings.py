"""Listing and booking agree: every start GET /v2/slots offers can be booked, each booking then
removes exactly the starts whose buffered time it meets, and starts not offered are refused.

Scenarios are generated from seeds (zones, weekly rules, overrides, lengths, intervals, buffers,
notice), so each run covers the same varied set on both engines."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from rendezvous.db.engine import session_factory
from rendezvous.db.uow import UnitOfWork

ZONES = ["UTC", "America/New_York", "Europe/Berlin", "Asia/Kolkata", "Australia/Lord_Howe",
         "Asia/Kathmandu", "America/Sao_Paulo"]  # fmt: skip
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def scenario(seed: int) -> dict:
    rng = random.Random(seed)
    availability = []
    for _ in range(rng.randint(1, 3)):
        start = rng.randrange(0, 20 * 60, 30)
        end = min(24 * 60, start + rng.randrange(60, 8 * 60, 30))
        availability.append(
            {
                "days": rng.sample(DAYS, rng.randint(2, 7)),
                "startTime": f"{start // 60:02d}:{start % 60:02d}",
                "endTime": "24:00" if end == 1440 else f"{end // 60:02d}:{end % 60:02d}",
            }
        )
    return {
        "zone": rng.choice(ZONES),
        "availability": availability,
        "rules": {
            "length": rng.choice([15, 30, 45, 60]),
            "slot_interval": rng.choice([None, 15, 30]),
            "before_buffer": rng.choice([0, 5, 10]),
            "after_buffer": rng.choice([0, 10, 15]),
            "minimum_notice": rng.choice([0, 60, 600]),
        },
        "pick": rng,
    }


def _overlaps(a: datetime, b: datetime, rules: dict) -> bool:
    before = timedelta(minutes=rules["before_buffer"])
    span = timedelta(minutes=rules["length"] + rules["after_buffer"])
    return a - before < b + span and b - before < a + span


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(UTC)


@pytest.mark.parametrize("seed", range(6))
async def test_every_listed_start_books_and_no_other(
    client, make_user, make_event_type, db, clock, seed
):
    world = scenario(seed)
    rules, rng = world["rules"], world["pick"]
    host = await make_user("host", time_zone=world["zone"])
    async with UnitOfWork(session_factory(db), write=True) as uow:
        await uow.schedules.update(
            host.default_schedule_id,
            now=clock(),
            availability=world["availability"],
            overrides=[],
        )
        await uow.commit()
    event_type_id = await make_event_type(host, **rules)
    params = {"eventTypeId": event_type_id, "start": "2030-01-07", "end": "2030-01-09"}

    async def listed() -> list[datetime]:
        response = await client.get("/v2/slots", params=params)
        assert response.status_code == 200, response.text
        return [_at(s["start"]) for day in response.json()["data"].values() for s in day]

    async def book(start: datetime) -> int:
        response = await client.post(
            "/v2/bookings",
            json={
                "start": start.isoformat().replace("+00:00", "Z"),
                "eventTypeId": event_type_id,
                "attendee": {"name": "A", "email": "a@example.com", "timeZone": "UTC"},
            },
        )
        assert response.status_code in (201, 409, 422), response.text
        return response.status_code

    offered = await listed()
    assert offered, f"scenario {seed} offers nothing: {world}"
    # Starts not offered are refused: off-grid minutes and times outside the range's slots.
    grid = set(offered)
    probes = [s + timedelta(minutes=rng.choice([1, 5, 7])) for s in rng.sample(offered, 3)]
    probes += [
        datetime(2030, 1, 7, 8, 0, tzinfo=UTC) + timedelta(minutes=5 * rng.randrange(500))
        for _ in range(5)
    ]
    for probe in probes:
        if probe not in grid:
            assert await book(probe) in (409, 422), probe
    # Book offered starts one at a time; each removes exactly what its buffered time meets.
    for _ in range(min(6, len(offered))):
        if not offered:
            break
        chosen = rng.choice(offered)
        assert await book(chosen) == 201, chosen
        expected = [s for s in offered if not _overlaps(s, chosen, rules)]
        offered = await listed()
        assert offered == expected
        assert await book(chosen) == 409
