"""The race guarantee per host, for team event types, against a real `rendezvous serve` (two
worker processes on PostgreSQL, one on SQLite): concurrent bookings of one round-robin slot go
to different free hosts and only when none is left does one get 409; a collective slot is taken
once. The organization is made with the CLI (`rendezvous orgs create|add-member`), the team,
memberships and event types over HTTP."""

from __future__ import annotations

from collections import Counter
from typing import Any

import httpx
import pytest

from tests.integration.test_races import (
    START,
    World,
    attendee,
    check_conflicts,
    explain,
    race,
    world,
)

pytestmark = pytest.mark.slow
__all__ = ["world"]  # the module's live server (re-used fixture)


async def _team_event_type(
    world: World, prefix: str, scheduling: str, host_count: int
) -> tuple[int, list[int]]:
    """A team of ``host_count`` members of a new organization (made with the CLI) and a
    30-minute team event type over all of them."""
    lead_id, key = await world.new_host(f"{prefix}lead")
    out = await world.server.cli(
        "orgs", "create", "--name", prefix.title(), "--slug", prefix,
        "--owner", f"{prefix}lead@example.com",
    )  # fmt: skip
    org_id = int(out.splitlines()[-1])
    auth = {"Authorization": f"Bearer {key}"}
    hosts = []
    for n in range(host_count):
        host_id, _ = await world.new_host(f"{prefix}host{n}")
        await world.server.cli(
            "orgs", "add-member", "--org", prefix, "--user", f"{prefix}host{n}@example.com"
        )
        hosts.append(host_id)
    async with httpx.AsyncClient(base_url=world.server.base_url, timeout=10) as http:
        r = await http.post(
            f"/v2/organizations/{org_id}/teams", json={"name": prefix.title()}, headers=auth
        )
        assert r.status_code == 201, r.text
        team_id = r.json()["data"]["id"]
        for host_id in hosts:
            r = await http.post(
                f"/v2/organizations/{org_id}/teams/{team_id}/memberships",
                json={"userId": host_id, "accepted": True},
                headers=auth,
            )
            assert r.status_code == 201, r.text
        body: dict[str, Any] = {
            "title": "Race",
            "slug": "race",
            "lengthInMinutes": 30,
            "minimumBookingNotice": 0,
            "schedulingType": scheduling,
            "hosts": [{"userId": h} for h in hosts],
        }
        r = await http.post(
            f"/v2/organizations/{org_id}/teams/{team_id}/event-types", json=body, headers=auth
        )
        assert r.status_code == 201, r.text
        assert lead_id not in hosts
        return int(r.json()["data"]["id"]), hosts


async def test_three_bookings_of_one_round_robin_slot_with_two_free_hosts(world: World) -> None:
    event_type_id, hosts = await _team_event_type(world, "rr", "roundRobin", 2)

    responses = await race(
        world,
        [{"start": START, "eventTypeId": event_type_id, "attendee": attendee(n)} for n in range(3)],
    )

    statuses = Counter(r.status_code for r in responses)
    assert statuses == {201: 2, 409: 1}, explain(world, responses)
    check_conflicts(responses)
    chosen = [r.json()["data"]["hosts"] for r in responses if r.status_code == 201]
    assert sorted(h[0]["id"] for h in chosen) == sorted(hosts)
    assert all(len(h) == 1 for h in chosen)
    for host_id in hosts:
        held = await world.scalar("SELECT count(*) FROM occupancy WHERE user_id = :u", u=host_id)
        assert held == 1


async def test_many_bookings_of_one_round_robin_slot_fill_every_host_once(world: World) -> None:
    event_type_id, hosts = await _team_event_type(world, "crowd", "roundRobin", 4)

    responses = await race(
        world,
        [
            {"start": START, "eventTypeId": event_type_id, "attendee": attendee(n)}
            for n in range(20)
        ],
    )

    statuses = Counter(r.status_code for r in responses)
    assert statuses == {201: 4, 409: 16}, explain(world, responses)
    chosen = sorted(r.json()["data"]["hosts"][0]["id"] for r in responses if r.status_code == 201)
    assert chosen == sorted(hosts)


async def test_concurrent_bookings_of_one_collective_slot_make_one_booking(world: World) -> None:
    event_type_id, hosts = await _team_event_type(world, "co", "collective", 3)

    responses = await race(
        world,
        [
            {"start": START, "eventTypeId": event_type_id, "attendee": attendee(n)}
            for n in range(10)
        ],
    )

    statuses = Counter(r.status_code for r in responses)
    assert statuses == {201: 1, 409: 9}, explain(world, responses)
    [winner] = [r.json()["data"] for r in responses if r.status_code == 201]
    assert sorted(h["id"] for h in winner["hosts"]) == sorted(hosts)
    for host_id in hosts:
        held = await world.scalar("SELECT count(*) FROM occupancy WHERE user_id = :u", u=host_id)
        assert held == 1
