"""Slots and bookings of team event types over HTTP: COLLECTIVE (every host free, every host
booked), ROUND_ROBIN (any free host, mandatory hosts always; fair choice, recorded), teamSlug
and organizationSlug, every host in booking outputs, team bookings in GET /v2/bookings."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from rendezvous.db.engine import session_factory
from rendezvous.db.uow import UnitOfWork
from rendezvous.services import teams as team_service
from tests.api.helpers import assert_error, attendee
from tests.conftest import Account, FixedClock

DAY = "2030-01-08"  # a Tuesday; the clock is Monday 2030-01-07 08:00 UTC


class World:
    def __init__(self, org_id: int, admin: Account, ann: Account, tom: Account, sue: Account):
        self.org_id, self.admin, self.ann, self.tom, self.sue = org_id, admin, ann, tom, sue
        self.team_id = 0


@pytest.fixture
async def world(db: AsyncEngine, clock: FixedClock, make_user: Any, client: Any) -> World:
    admin = await make_user("adam")
    ann = await make_user("ann", name="Ann")  # UTC: Mon–Fri 09–17 UTC
    tom = await make_user("tom", name="Tom", time_zone="Europe/Berlin")  # 08–16 UTC in winter
    sue = await make_user("sue", name="Sue")
    async with UnitOfWork(session_factory(db)) as uow:
        org = await team_service.create_organization(
            uow, name="Acme", slug="acme", owner_email=admin.email, now=clock()
        )
    for who in (ann, tom, sue):
        async with UnitOfWork(session_factory(db)) as uow:
            await team_service.add_organization_member(
                uow, org="acme", email=who.email, role="MEMBER", now=clock()
            )
    w = World(org.id, admin, ann, tom, sue)
    r = await client.post(
        f"/v2/organizations/{org.id}/teams", json={"name": "Sales"}, headers=admin.auth
    )
    w.team_id = r.json()["data"]["id"]
    for who in (ann, tom, sue):
        r = await client.post(
            f"/v2/organizations/{org.id}/teams/{w.team_id}/memberships",
            json={"userId": who.id, "accepted": True},
            headers=admin.auth,
        )
        assert r.status_code == 201
    return w


async def _event_type(
    client: Any, w: World, scheduling: str, hosts: list[dict], **extra: Any
) -> int:
    body = {
        "title": "Demo",
        "slug": extra.pop("slug", "demo"),
        "lengthInMinutes": 60,
        "minimumBookingNotice": 0,
        "schedulingType": scheduling,
        "hosts": hosts,
    } | extra
    r = await client.post(
        f"/v2/organizations/{w.org_id}/teams/{w.team_id}/event-types",
        json=body,
        headers=w.admin.auth,
    )
    assert r.status_code == 201, r.text
    return int(r.json()["data"]["id"])


async def _starts(client: Any, **params: Any) -> list[str]:
    r = await client.get("/v2/slots", params={"start": DAY, "end": DAY} | params)
    assert r.status_code == 200, r.text
    return [s["start"] for s in r.json()["data"].get(DAY, [])]


async def _book(client: Any, start: str, **ident: Any) -> Any:
    return await client.post("/v2/bookings", json={"start": start, "attendee": attendee()} | ident)


def _hours(starts: list[str]) -> list[int]:
    return [int(s[11:13]) for s in starts]


async def test_collective_slots_are_the_intersection_and_a_booking_holds_every_host(
    client, world, db
):
    w = world
    et = await _event_type(client, w, "collective", [{"userId": w.ann.id}, {"userId": w.tom.id}])
    # Ann 09–17 UTC, Tom 08–16 UTC (Berlin): together 09–16.
    assert _hours(await _starts(client, eventTypeId=et)) == [9, 10, 11, 12, 13, 14, 15]
    r = await _book(client, "2030-01-08T10:00:00Z", eventTypeId=et)
    assert r.status_code == 201, r.text
    data = r.json()["data"]
    assert sorted(h["id"] for h in data["hosts"]) == sorted([w.ann.id, w.tom.id])
    async with db.connect() as conn:
        held = (await conn.execute(text("SELECT user_id FROM occupancy ORDER BY user_id"))).all()
    assert [u for (u,) in held] == sorted([w.ann.id, w.tom.id])
    assert 10 not in _hours(await _starts(client, eventTypeId=et))
    # Either host's own booking elsewhere removes the collective slot.
    personal = await client.post(
        "/v2/event-types",
        json={"title": "Own", "slug": "own", "lengthInMinutes": 60, "minimumBookingNotice": 0},
        headers=w.tom.auth | {"cal-api-version": "2024-06-14"},
    )
    r = await _book(client, "2030-01-08T13:00:00Z", eventTypeId=personal.json()["data"]["id"])
    assert r.status_code == 201
    assert 13 not in _hours(await _starts(client, eventTypeId=et))
    assert_error(
        await _book(client, "2030-01-08T13:00:00Z", eventTypeId=et), 409, "ConflictException"
    )
    # Outside one host's hours is a rule violation, not a conflict.
    r = await _book(client, "2030-01-08T16:00:00Z", eventTypeId=et)
    assert_error(r, 422, "UnprocessableEntityException")


async def test_round_robin_slots_are_the_union_and_bookings_go_to_different_free_hosts(
    client, world, db
):
    w = world
    et = await _event_type(client, w, "roundRobin", [{"userId": w.ann.id}, {"userId": w.tom.id}])
    assert _hours(await _starts(client, eventTypeId=et)) == [8, 9, 10, 11, 12, 13, 14, 15, 16]
    start = "2030-01-08T10:00:00Z"
    first = await _book(client, start, eventTypeId=et)
    second = await _book(client, start, eventTypeId=et)
    assert first.status_code == second.status_code == 201
    hosts = [r.json()["data"]["hosts"] for r in (first, second)]
    assert [len(h) for h in hosts] == [1, 1]
    assert {hosts[0][0]["id"], hosts[1][0]["id"]} == {w.ann.id, w.tom.id}
    assert_error(await _book(client, start, eventTypeId=et), 409, "ConflictException")
    assert 10 not in _hours(await _starts(client, eventTypeId=et))
    # Only Tom works 08:00 UTC: the booking goes to him.
    r = await _book(client, "2030-01-08T08:00:00Z", eventTypeId=et)
    assert [h["id"] for h in r.json()["data"]["hosts"]] == [w.tom.id]
    async with db.connect() as conn:
        reasons = (
            await conn.execute(text("SELECT assignment_reason FROM bookings ORDER BY id"))
        ).all()
    assert all(reason and "round robin: chose" in reason for (reason,) in reasons)


async def test_round_robin_respects_priority(client, world):
    w = world
    et = await _event_type(
        client,
        w,
        "roundRobin",
        [{"userId": w.ann.id, "priority": "low"}, {"userId": w.sue.id, "priority": "highest"}],
    )
    for hour in (9, 10, 11):
        r = await _book(client, f"2030-01-08T{hour:02d}:00:00Z", eventTypeId=et)
        assert [h["id"] for h in r.json()["data"]["hosts"]] == [w.sue.id]


async def test_a_mandatory_hosts_busy_time_removes_the_round_robin_slot(client, world):
    w = world
    et = await _event_type(
        client,
        w,
        "roundRobin",
        [{"userId": w.ann.id, "mandatory": True}, {"userId": w.sue.id}, {"userId": w.tom.id}],
    )
    # Ann is mandatory: only her hours (09–17 UTC) count, though Tom works from 08.
    assert _hours(await _starts(client, eventTypeId=et)) == [9, 10, 11, 12, 13, 14, 15, 16]
    r = await _book(client, "2030-01-08T11:00:00Z", eventTypeId=et)
    ids = [h["id"] for h in r.json()["data"]["hosts"]]
    assert w.ann.id in ids and len(ids) == 2  # the chosen host and the mandatory one
    # Ann is now busy at 11: the slot is gone although Tom or Sue is free.
    assert 11 not in _hours(await _starts(client, eventTypeId=et))
    assert_error(
        await _book(client, "2030-01-08T11:00:00Z", eventTypeId=et), 409, "ConflictException"
    )


async def test_team_slug_and_organization_slug_name_the_event_type(client, world):
    w = world
    et = await _event_type(client, w, "collective", [{"userId": w.ann.id}, {"userId": w.sue.id}])
    by_id = await _starts(client, eventTypeId=et)
    assert await _starts(client, eventTypeSlug="demo", teamSlug="sales") == by_id
    assert (
        await _starts(client, eventTypeSlug="demo", teamSlug="sales", organizationSlug="acme")
        == by_id
    )
    r = await client.get(
        "/v2/slots",
        params={"start": DAY, "end": DAY, "eventTypeSlug": "demo", "teamSlug": "sales",
                "organizationSlug": "nope"},
    )  # fmt: skip
    assert_error(r, 404, "NotFoundException")
    r = await client.get(
        "/v2/slots", params={"start": DAY, "end": DAY, "eventTypeSlug": "x", "teamSlug": "sales"}
    )
    assert_error(r, 404, "NotFoundException")
    r = await _book(
        client,
        "2030-01-08T09:00:00Z",
        eventTypeSlug="demo",
        teamSlug="sales",
        organizationSlug="acme",
    )
    assert r.status_code == 201, r.text
    assert r.json()["data"]["eventTypeId"] == et
    assert len(r.json()["data"]["hosts"]) == 2


async def test_reschedule_keeps_the_round_robin_host_when_asked(client, world):
    w = world
    et = await _event_type(
        client,
        w,
        "roundRobin",
        [{"userId": w.ann.id}, {"userId": w.sue.id}],
        rescheduleWithSameRoundRobinHost=True,
    )
    r = await _book(client, "2030-01-08T09:00:00Z", eventTypeId=et)
    first_host = r.json()["data"]["hosts"][0]["id"]
    # The other host now has fewer bookings, so a fresh choice would pick them.
    uid = r.json()["data"]["uid"]
    moved = await client.post(
        f"/v2/bookings/{uid}/reschedule", json={"start": "2030-01-08T12:00:00Z"}
    )
    assert moved.status_code == 201, moved.text
    assert [h["id"] for h in moved.json()["data"]["hosts"]] == [first_host]


async def test_team_bookings_are_listed_for_each_host_and_team_admins(client, world, make_user):
    w = world
    et = await _event_type(client, w, "collective", [{"userId": w.ann.id}, {"userId": w.sue.id}])
    r = await _book(client, "2030-01-08T09:00:00Z", eventTypeId=et)
    uid = r.json()["data"]["uid"]
    for who in (w.ann, w.sue, w.admin):  # both hosts, and the team's owner (the creator)
        listed = await client.get("/v2/bookings", headers=who.auth)
        assert [b["uid"] for b in listed.json()["data"]] == [uid], who.username
    # Tom is a member but neither host nor admin.
    assert (await client.get("/v2/bookings", headers=w.tom.auth)).json()["data"] == []
    listed = await client.get("/v2/bookings", params={"teamId": w.team_id}, headers=w.admin.auth)
    assert [b["uid"] for b in listed.json()["data"]] == [uid]
    listed = await client.get(
        "/v2/bookings", params={"teamsIds": f"{w.team_id + 1000}"}, headers=w.admin.auth
    )
    assert listed.json()["data"] == []


async def test_fairness_100_round_robin_bookings_over_4_equal_hosts(client, world):
    w = world
    hosts = [w.admin, w.ann, w.tom, w.sue]
    et = await _event_type(client, w, "roundRobin", [{"userId": h.id} for h in hosts])
    starts = []
    day = datetime(2030, 1, 8, tzinfo=UTC)
    while len(starts) < 100:
        if day.weekday() < 5:
            starts += [day.replace(hour=h) for h in range(9, 16)]
        day += timedelta(days=1)
    counts: Counter[int] = Counter()
    for start in starts[:100]:
        r = await _book(client, start.strftime("%Y-%m-%dT%H:%M:%SZ"), eventTypeId=et)
        assert r.status_code == 201, r.text
        [chosen] = r.json()["data"]["hosts"]
        counts[chosen["id"]] += 1
    assert set(counts) == {h.id for h in hosts}
    assert all(24 <= c <= 26 for c in counts.values()), counts


async def test_a_round_robin_reservation_holds_one_host_and_a_collective_one_every_host(
    client, world, db
):
    w = world
    rr = await _event_type(client, w, "roundRobin", [{"userId": w.ann.id}, {"userId": w.sue.id}])
    start = "2030-01-08T10:00:00Z"
    r = await client.post("/v2/slots/reservations", json={"eventTypeId": rr, "slotStart": start})
    assert r.status_code == 201, r.text
    async with db.connect() as conn:
        held = (await conn.execute(text("SELECT user_id FROM occupancy"))).all()
    assert len(held) == 1
    # Someone else still books the slot, with the other host; then it is gone.
    booked = await _book(client, start, eventTypeId=rr)
    assert booked.status_code == 201, booked.text
    assert [h["id"] for h in booked.json()["data"]["hosts"]] != [held[0][0]]
    assert_error(await _book(client, start, eventTypeId=rr), 409, "ConflictException")
    co = await _event_type(
        client, w, "collective", [{"userId": w.ann.id}, {"userId": w.sue.id}], slug="co"
    )
    r = await client.post(
        "/v2/slots/reservations", json={"eventTypeId": co, "slotStart": "2030-01-08T12:00:00Z"}
    )
    assert r.status_code == 201, r.text
    async with db.connect() as conn:
        count = (await conn.execute(text("SELECT count(*) FROM occupancy"))).scalar_one()
    assert count == 4  # one reserved host + one booked host + both collective hosts


async def test_team_event_types_accept_the_organizers_default_app_location(client, world):
    w = world
    et = await _event_type(
        client,
        w,
        "collective",
        [{"userId": w.ann.id}],
        locations=[{"type": "organizersDefaultApp"}],
    )
    url = f"/v2/organizations/{w.org_id}/teams/{w.team_id}/event-types/{et}"
    r = await client.patch(url, json={"title": "Demo 2"}, headers=w.admin.auth)
    assert r.status_code == 200, r.text
    assert r.json()["data"]["locations"] == [{"type": "organizersDefaultApp"}]
    assert (await _book(client, "2030-01-08T09:00:00Z", eventTypeId=et)).status_code == 201
    r = await _book(
        client, "2030-01-08T10:00:00Z", eventTypeId=et, location={"type": "organizersDefaultApp"}
    )
    assert r.status_code == 201, r.text
    # Personal event types still refuse it.
    r = await client.post(
        "/v2/event-types",
        json={"title": "P", "slug": "p", "lengthInMinutes": 30,
              "locations": [{"type": "organizersDefaultApp"}]},
        headers=w.ann.auth,
    )  # fmt: skip
    assert_error(r, 400, "BadRequestException")


# --- found by a break-and-fix pass --------------------------------------------------------------


async def _membership_id(client: Any, w: World, who: Account) -> int:
    r = await client.get(
        f"/v2/organizations/{w.org_id}/teams/{w.team_id}/memberships", headers=w.admin.auth
    )
    [found] = [m for m in r.json()["data"] if m["userId"] == who.id]
    return int(found["id"])


async def test_a_removed_member_stops_hosting_the_teams_event_types(client, world):
    w = world
    et = await _event_type(client, w, "roundRobin", [{"userId": w.ann.id}, {"userId": w.tom.id}])
    r = await client.delete(
        f"/v2/organizations/{w.org_id}/teams/{w.team_id}/memberships/"
        f"{await _membership_id(client, w, w.tom)}",
        headers=w.admin.auth,
    )
    assert r.status_code == 200, r.text
    # Tom (08–16 UTC) no longer widens the union, nor is he given the booking.
    assert _hours(await _starts(client, eventTypeId=et)) == [9, 10, 11, 12, 13, 14, 15, 16]
    r = await client.get(
        f"/v2/organizations/{w.org_id}/teams/{w.team_id}/event-types/{et}", headers=w.admin.auth
    )
    assert [h["userId"] for h in r.json()["data"]["hosts"]] == [w.ann.id]
    booked = await _book(client, "2030-01-08T10:00:00Z", eventTypeId=et)
    assert [h["id"] for h in booked.json()["data"]["hosts"]] == [w.ann.id]


async def test_an_unaccepted_member_does_not_host(client, world):
    w = world
    et = await _event_type(client, w, "collective", [{"userId": w.ann.id}, {"userId": w.tom.id}])
    r = await client.patch(
        f"/v2/organizations/{w.org_id}/teams/{w.team_id}/memberships/"
        f"{await _membership_id(client, w, w.tom)}",
        json={"accepted": False},
        headers=w.admin.auth,
    )
    assert r.status_code == 200, r.text
    booked = await _book(client, "2030-01-08T16:00:00Z", eventTypeId=et)
    assert booked.status_code == 201, booked.text
    assert [h["id"] for h in booked.json()["data"]["hosts"]] == [w.ann.id]


async def test_the_last_owner_cannot_leave_or_step_down(client, world):
    w = world
    mine = await _membership_id(client, w, w.admin)
    path = f"/v2/organizations/{w.org_id}/teams/{w.team_id}/memberships/{mine}"
    r = await client.patch(path, json={"role": "MEMBER"}, headers=w.admin.auth)
    assert_error(r, 409, "ConflictException")
    r = await client.patch(path, json={"accepted": False}, headers=w.admin.auth)
    assert_error(r, 409, "ConflictException")
    assert_error(await client.delete(path, headers=w.admin.auth), 409, "ConflictException")
    # With a second owner, the first may step down.
    ann = await _membership_id(client, w, w.ann)
    r = await client.patch(
        f"/v2/organizations/{w.org_id}/teams/{w.team_id}/memberships/{ann}",
        json={"role": "OWNER"},
        headers=w.admin.auth,
    )
    assert r.status_code == 200, r.text
    r = await client.patch(path, json={"role": "MEMBER"}, headers=w.admin.auth)
    assert r.status_code == 200, r.text


async def test_a_team_slug_used_in_two_organizations_needs_the_organization_slug(
    client, world, db, clock, make_user
):
    w = world
    await _event_type(client, w, "collective", [{"userId": w.ann.id}])
    other = await make_user("zed")
    async with UnitOfWork(session_factory(db)) as uow:
        org = await team_service.create_organization(
            uow, name="Rival", slug="rival", owner_email=other.email, now=clock()
        )
    r = await client.post(
        f"/v2/organizations/{org.id}/teams", json={"name": "Sales"}, headers=other.auth
    )
    rival_team = r.json()["data"]["id"]
    r = await client.post(
        f"/v2/organizations/{org.id}/teams/{rival_team}/event-types",
        json={"title": "Demo", "slug": "demo", "lengthInMinutes": 60, "minimumBookingNotice": 0,
              "schedulingType": "collective", "hosts": [{"userId": other.id}]},
        headers=other.auth,
    )  # fmt: skip
    assert r.status_code == 201, r.text
    rival_et = r.json()["data"]["id"]
    params = {"start": DAY, "end": DAY, "eventTypeSlug": "demo", "teamSlug": "sales"}
    r = await client.get("/v2/slots", params=params)
    assert_error(r, 400, "BadRequestException")
    assert "organizationSlug" in r.text
    r = await _book(client, "2030-01-08T10:00:00Z", eventTypeSlug="demo", teamSlug="sales")
    assert_error(r, 400, "BadRequestException")
    r = await _book(
        client,
        "2030-01-08T10:00:00Z",
        eventTypeSlug="demo",
        teamSlug="sales",
        organizationSlug="rival",
    )
    assert r.status_code == 201 and r.json()["data"]["eventTypeId"] == rival_et


async def test_deleting_a_team_or_event_type_with_bookings_keeps_the_bookings(client, world):
    w = world
    et = await _event_type(client, w, "collective", [{"userId": w.ann.id}])
    uid = (await _book(client, "2030-01-08T10:00:00Z", eventTypeId=et)).json()["data"]["uid"]
    r = await client.delete(
        f"/v2/organizations/{w.org_id}/teams/{w.team_id}/event-types/{et}", headers=w.admin.auth
    )
    assert r.status_code == 200, r.text
    assert (await client.get(f"/v2/bookings/{uid}")).status_code == 200
    et2 = await _event_type(client, w, "roundRobin", [{"userId": w.ann.id}], slug="two")
    uid2 = (await _book(client, "2030-01-08T12:00:00Z", eventTypeId=et2)).json()["data"]["uid"]
    r = await client.delete(f"/v2/organizations/{w.org_id}/teams/{w.team_id}", headers=w.admin.auth)
    assert r.status_code == 200, r.text
    for u in (uid, uid2):
        assert (await client.get(f"/v2/bookings/{u}")).status_code == 200
    listed = await client.get("/v2/bookings", headers=w.ann.auth)
    assert sorted(b["uid"] for b in listed.json()["data"]) == sorted([uid, uid2])
    r = await client.post(f"/v2/bookings/{uid2}/cancel", json={"cancellationReason": "x"})
    assert r.status_code in (200, 201), r.text
    r = await client.post(f"/v2/bookings/{uid}/reschedule", json={"start": "2030-01-08T13:00:00Z"})
    assert r.status_code < 500, r.text


async def test_a_seated_round_robin_booking_goes_to_one_host(client, world, db):
    w = world
    et = await _event_type(
        client,
        w,
        "roundRobin",
        [{"userId": w.ann.id}, {"userId": w.sue.id}],
        seats={"seatsPerTimeSlot": 3, "showAttendeeInfo": True, "showAvailabilityCount": True},
    )
    start = "2030-01-08T10:00:00Z"
    first = await _book(client, start, eventTypeId=et)
    assert first.status_code == 201, first.text
    hosts = [h["id"] for h in first.json()["data"]["hosts"]]
    assert len(hosts) == 1
    async with db.connect() as conn:
        reason = await conn.scalar(text("SELECT assignment_reason FROM bookings"))
    assert reason and reason.startswith("round robin")
    second = await client.post(
        "/v2/bookings",
        json={"start": start, "eventTypeId": et, "attendee": attendee("Bo", "b@example.com")},
    )
    assert second.status_code == 201, second.text
    assert second.json()["data"]["uid"] == first.json()["data"]["uid"]
    assert [h["id"] for h in second.json()["data"]["hosts"]] == hosts
    # The host not chosen stays free for their own bookings at that time.
    other = w.sue if hosts == [w.ann.id] else w.ann
    personal = await client.post(
        "/v2/event-types",
        json={"title": "Own", "slug": "own", "lengthInMinutes": 60, "minimumBookingNotice": 0},
        headers=other.auth | {"cal-api-version": "2024-06-14"},
    )
    r = await _book(client, start, eventTypeId=personal.json()["data"]["id"])
    assert r.status_code == 201, r.text
