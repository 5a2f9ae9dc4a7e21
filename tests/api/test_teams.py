"""Organizations, teams, memberships and team event types over HTTP (contract §7), with every
permission rule: org admins and owners manage teams, team admins and owners manage memberships
and team event types, members read, outsiders get 404 (403 where the object is visible)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from rendezvous.db.engine import session_factory
from rendezvous.db.uow import UnitOfWork
from rendezvous.services import teams as team_service
from tests.api.helpers import assert_error
from tests.conftest import Account, FixedClock


@dataclass
class Org:
    id: int
    owner: Account  # org OWNER
    admin: Account  # org ADMIN
    member: Account  # org MEMBER, in no team
    ann: Account  # org MEMBER
    tom: Account  # org MEMBER
    outsider: Account  # in no organization


async def _add(db: AsyncEngine, clock: FixedClock, org: str, email: str, role: str) -> None:
    async with UnitOfWork(session_factory(db)) as uow:
        await team_service.add_organization_member(
            uow, org=org, email=email, role=role, now=clock()
        )


@pytest.fixture
async def org(db: AsyncEngine, clock: FixedClock, make_user: Any) -> Org:
    owner = await make_user("olga")
    admin = await make_user("adam")
    member = await make_user("mia")
    ann = await make_user("ann", name="Ann")
    tom = await make_user("tom", name="Tom", time_zone="America/New_York")
    outsider = await make_user("otto")
    async with UnitOfWork(session_factory(db)) as uow:
        made = await team_service.create_organization(
            uow, name="Acme", slug="acme", owner_email=owner.email, now=clock()
        )
    await _add(db, clock, "acme", admin.email, "ADMIN")
    for who in (member, ann, tom):
        await _add(db, clock, str(made.id), who.email, "MEMBER")
    return Org(made.id, owner, admin, member, ann, tom, outsider)


async def _team(client: Any, org: Org, **body: Any) -> dict[str, Any]:
    body.setdefault("name", "Sales")
    r = await client.post(f"/v2/organizations/{org.id}/teams", json=body, headers=org.admin.auth)
    assert r.status_code == 201, r.text
    return r.json()["data"]


async def _member(client: Any, org: Org, team_id: int, who: Account, role: str = "MEMBER") -> int:
    r = await client.post(
        f"/v2/organizations/{org.id}/teams/{team_id}/memberships",
        json={"userId": who.id, "role": role, "accepted": True},
        headers=org.admin.auth,
    )
    assert r.status_code == 201, r.text
    return int(r.json()["data"]["id"])


async def test_me_names_the_users_organization(client, org):
    r = await client.get("/v2/me", headers=org.ann.auth)
    assert r.json()["data"]["organizationId"] == org.id
    r = await client.get("/v2/me", headers=org.outsider.auth)
    assert r.json()["data"]["organizationId"] is None


async def test_a_user_belongs_to_at_most_one_organization(db, clock, org, make_user):
    async with UnitOfWork(session_factory(db)) as uow:
        await team_service.create_organization(
            uow, name="Other", slug="other", owner_email=org.outsider.email, now=clock()
        )
    with pytest.raises(Exception, match="already belongs"):
        await _add(db, clock, "other", org.ann.email, "MEMBER")


async def test_org_admin_creates_a_team_with_a_default_schedule_and_the_creator_as_owner(
    client, org, db
):
    team = await _team(client, org, name="Sales Team", timeZone="Europe/Rome")
    assert team["slug"] == "sales-team"
    assert team["parentId"] == org.id
    assert team["isOrganization"] is False
    assert team["timeZone"] == "Europe/Rome"
    assert team["weekStart"] == "Sunday"
    async with db.connect() as conn:
        row = (
            await conn.execute(
                text("SELECT availability, time_zone FROM teams WHERE id = :i"), {"i": team["id"]}
            )
        ).one()
    availability = row[0] if isinstance(row[0], list) else __import__("json").loads(row[0])
    assert availability[0]["days"][0] == "Monday" and availability[0]["endTime"] == "17:00"
    assert row[1] == "Europe/Rome"
    r = await client.get(
        f"/v2/organizations/{org.id}/teams/{team['id']}/memberships", headers=org.admin.auth
    )
    [owner] = r.json()["data"]
    assert owner["userId"] == org.admin.id and owner["role"] == "OWNER" and owner["accepted"]
    assert owner["user"]["email"] == org.admin.email


async def test_team_defaults_follow_cal_com(client, org):
    team = await _team(client, org, name="Support")
    assert team["timeZone"] == "Europe/London" and team["hideBranding"] is False


async def test_only_org_admins_and_owners_create_and_list_teams(client, org):
    base = f"/v2/organizations/{org.id}/teams"
    assert_error(
        await client.post(base, json={"name": "X"}, headers=org.member.auth),
        403,
        "ForbiddenException",
    )
    assert_error(
        await client.post(base, json={"name": "X"}, headers=org.outsider.auth),
        404,
        "NotFoundException",
    )
    assert (await client.post(base, json={"name": "X"}, headers=org.owner.auth)).status_code == 201
    listed = await client.get(base, headers=org.admin.auth)
    assert [t["name"] for t in listed.json()["data"]] == ["X"]
    assert_error(await client.get(base, headers=org.member.auth), 403, "ForbiddenException")
    assert_error(await client.get(base, headers=org.outsider.auth), 404, "NotFoundException")
    assert_error(await client.get(base), 401, "UnauthorizedException")


async def test_duplicate_team_slug_is_a_conflict_and_bad_input_a_400(client, org):
    await _team(client, org, name="Sales")
    base = f"/v2/organizations/{org.id}/teams"
    r = await client.post(base, json={"name": "Sales"}, headers=org.admin.auth)
    assert_error(r, 409, "ConflictException")
    r = await client.post(base, json={"name": "https://spam.example"}, headers=org.admin.auth)
    assert_error(r, 400, "BadRequestException")
    r = await client.post(base, json={"name": "Y", "timeZone": "Mars/Base"}, headers=org.admin.auth)
    assert_error(r, 400, "BadRequestException")


async def test_read_update_delete_a_team_by_role(client, org):
    team = await _team(client, org)
    await _member(client, org, team["id"], org.ann)
    await _member(client, org, team["id"], org.tom, "ADMIN")
    url = f"/v2/organizations/{org.id}/teams/{team['id']}"
    assert (await client.get(url, headers=org.ann.auth)).json()["data"]["name"] == "Sales"
    assert_error(await client.get(url, headers=org.member.auth), 403, "ForbiddenException")
    assert_error(await client.get(url, headers=org.outsider.auth), 404, "NotFoundException")
    # Members read; team admins and org admins change.
    r = await client.patch(url, json={"bio": "We sell"}, headers=org.ann.auth)
    assert_error(r, 403, "ForbiddenException")
    r = await client.patch(url, json={"bio": "We sell", "name": "Sales EU"}, headers=org.tom.auth)
    assert r.status_code == 200 and r.json()["data"]["bio"] == "We sell"
    assert r.json()["data"]["name"] == "Sales EU"
    # Only org admins and team owners delete.
    assert_error(await client.delete(url, headers=org.tom.auth), 403, "ForbiddenException")
    assert (await client.delete(url, headers=org.owner.auth)).status_code == 200
    assert_error(await client.get(url, headers=org.admin.auth), 404, "NotFoundException")


async def test_a_team_of_another_organization_is_not_found_under_this_one(client, org, db, clock):
    team = await _team(client, org)
    async with UnitOfWork(session_factory(db)) as uow:
        other = await team_service.create_organization(
            uow, name="Other", slug="other", owner_email=org.outsider.email, now=clock()
        )
    r = await client.get(f"/v2/organizations/{other.id}/teams/{team['id']}", headers=org.admin.auth)
    assert_error(r, 404, "NotFoundException")


async def test_memberships_are_managed_by_team_admins_and_owners(client, org):
    team = await _team(client, org)
    base = f"/v2/organizations/{org.id}/teams/{team['id']}/memberships"
    ann_id = await _member(client, org, team["id"], org.ann)
    # A member reads but may not add, change or remove.
    r = await client.post(base, json={"userId": org.tom.id}, headers=org.ann.auth)
    assert_error(r, 403, "ForbiddenException")
    assert (await client.get(f"{base}/{ann_id}", headers=org.ann.auth)).status_code == 200
    r = await client.patch(f"{base}/{ann_id}", json={"role": "ADMIN"}, headers=org.ann.auth)
    assert_error(r, 403, "ForbiddenException")
    # An outsider sees nothing; an org member outside the team is refused.
    assert_error(await client.get(base, headers=org.outsider.auth), 404, "NotFoundException")
    assert_error(await client.get(base, headers=org.member.auth), 403, "ForbiddenException")
    # The admin promotes Ann; an ADMIN may not make anyone an OWNER; a duplicate is a 409.
    r = await client.patch(f"{base}/{ann_id}", json={"role": "ADMIN"}, headers=org.admin.auth)
    assert r.json()["data"]["role"] == "ADMIN"
    r = await client.post(base, json={"userId": org.tom.id, "role": "OWNER"}, headers=org.ann.auth)
    assert_error(r, 403, "ForbiddenException")
    r = await client.post(base, json={"userId": org.tom.id, "accepted": True}, headers=org.ann.auth)
    assert r.status_code == 201 and r.json()["data"]["role"] == "MEMBER"
    tom_id = r.json()["data"]["id"]
    r = await client.post(base, json={"userId": org.tom.id}, headers=org.ann.auth)
    assert_error(r, 409, "ConflictException")
    # Someone outside the organization cannot be added.
    r = await client.post(base, json={"userId": org.outsider.id}, headers=org.ann.auth)
    assert_error(r, 404, "NotFoundException")
    r = await client.post(base, json={"userId": org.tom.id, "role": "BOSS"}, headers=org.ann.auth)
    assert_error(r, 400, "BadRequestException")
    # Ann (ADMIN) removes Tom; may not remove the OWNER.
    assert (await client.delete(f"{base}/{tom_id}", headers=org.ann.auth)).status_code == 200
    listed = (await client.get(base, headers=org.ann.auth)).json()["data"]
    owner_id = next(m["id"] for m in listed if m["role"] == "OWNER")
    assert_error(
        await client.delete(f"{base}/{owner_id}", headers=org.ann.auth), 403, "ForbiddenException"
    )
    assert_error(await client.get(f"{base}/999999", headers=org.ann.auth), 404, "NotFoundException")


def _event_type(scheduling: str, **extra: Any) -> dict[str, Any]:
    return {
        "title": "Demo",
        "slug": "demo",
        "lengthInMinutes": 30,
        "minimumBookingNotice": 0,
        "schedulingType": scheduling,
    } | extra


async def test_team_event_types_by_role_and_their_output(client, org):
    team = await _team(client, org, name="Sales", slug="sales")
    await _member(client, org, team["id"], org.ann)
    await _member(client, org, team["id"], org.tom)
    base = f"/v2/organizations/{org.id}/teams/{team['id']}/event-types"
    body = _event_type(
        "roundRobin",
        hosts=[{"userId": org.ann.id, "priority": "high"}, {"userId": org.tom.id}],
        rescheduleWithSameRoundRobinHost=True,
    )
    assert_error(
        await client.post(base, json=body, headers=org.ann.auth), 403, "ForbiddenException"
    )
    assert_error(
        await client.post(base, json=body, headers=org.outsider.auth), 404, "NotFoundException"
    )
    r = await client.post(base, json=body, headers=org.admin.auth)
    assert r.status_code == 201, r.text
    data = r.json()["data"]
    assert data["teamId"] == team["id"] and data["ownerId"] is None
    assert data["parentEventTypeId"] is None
    assert data["schedulingType"] == "roundRobin"
    assert [(h["userId"], h["priority"], h["mandatory"]) for h in data["hosts"]] == [
        (org.ann.id, "high", False),
        (org.tom.id, "medium", False),
    ]
    assert data["assignAllTeamMembers"] is False
    assert data["rescheduleWithSameRoundRobinHost"] is True
    assert data["team"]["slug"] == "sales"
    assert data["bookingUrl"] == "https://cal.example.com/team/sales/demo"
    assert data["lengthInMinutes"] == 30 and data["minimumBookingNotice"] == 0
    # Members read, by both paths.
    listed = await client.get(base, headers=org.ann.auth)
    assert [e["id"] for e in listed.json()["data"]] == [data["id"]]
    mine = await client.get(f"/v2/teams/{team['id']}/event-types", headers=org.tom.auth)
    assert [e["id"] for e in mine.json()["data"]] == [data["id"]]
    one = await client.get(f"{base}/{data['id']}", headers=org.tom.auth)
    assert one.json()["data"]["slug"] == "demo"
    assert_error(
        await client.get(f"{base}/{data['id']}", headers=org.member.auth), 403, "ForbiddenException"
    )
    # Admins change and delete; members may not.
    r = await client.patch(f"{base}/{data['id']}", json={"title": "Demo 2"}, headers=org.tom.auth)
    assert_error(r, 403, "ForbiddenException")
    r = await client.patch(
        f"{base}/{data['id']}",
        json={"title": "Demo 2", "hosts": [{"userId": org.tom.id, "mandatory": True}]},
        headers=org.admin.auth,
    )
    assert r.status_code == 200, r.text
    assert r.json()["data"]["title"] == "Demo 2"
    assert [(h["userId"], h["mandatory"]) for h in r.json()["data"]["hosts"]] == [
        (org.tom.id, True)
    ]
    assert r.json()["data"]["schedulingType"] == "roundRobin"
    assert_error(
        await client.delete(f"{base}/{data['id']}", headers=org.ann.auth), 403, "ForbiddenException"
    )
    assert (await client.delete(f"{base}/{data['id']}", headers=org.admin.auth)).status_code == 200
    assert_error(
        await client.get(f"{base}/{data['id']}", headers=org.admin.auth), 404, "NotFoundException"
    )


async def test_team_event_type_input_rules(client, org):
    team = await _team(client, org)
    await _member(client, org, team["id"], org.ann)
    base = f"/v2/organizations/{org.id}/teams/{team['id']}/event-types"
    auth = org.admin.auth
    # Hosts must be accepted members of the team.
    r = await client.post(
        base, json=_event_type("collective", hosts=[{"userId": org.tom.id}]), headers=auth
    )
    assert_error(r, 400, "BadRequestException")
    # Not both hosts and assignAllTeamMembers.
    r = await client.post(
        base,
        json=_event_type("collective", hosts=[{"userId": org.ann.id}], assignAllTeamMembers=True),
        headers=auth,
    )
    assert_error(r, 400, "BadRequestException")
    r = await client.post(base, json=_event_type("sometimes"), headers=auth)
    assert_error(r, 400, "BadRequestException")
    body = _event_type("collective")
    del body["schedulingType"]
    assert_error(await client.post(base, json=body, headers=auth), 400, "BadRequestException")
    # The upper-case forms are accepted; output is camelCase; a duplicate slug is a 409.
    r = await client.post(
        base, json=_event_type("ROUND_ROBIN", assignAllTeamMembers=True), headers=auth
    )
    assert r.status_code == 201 and r.json()["data"]["schedulingType"] == "roundRobin"
    assert r.json()["data"]["assignAllTeamMembers"] is True
    assert {h["userId"] for h in r.json()["data"]["hosts"]} == {org.admin.id, org.ann.id}
    r = await client.post(base, json=_event_type("COLLECTIVE"), headers=auth)
    assert_error(r, 409, "ConflictException")


async def test_managed_event_types_create_a_child_per_member(client, org):
    team = await _team(client, org)
    await _member(client, org, team["id"], org.ann)
    base = f"/v2/organizations/{org.id}/teams/{team['id']}/event-types"
    body = _event_type("managed", slug="onboarding", hosts=[{"userId": org.ann.id}])
    r = await client.post(base, json=body, headers=org.admin.auth)
    assert r.status_code == 201, r.text
    parent, child = r.json()["data"]
    assert parent["schedulingType"] == "managed" and parent["bookingUrl"] is None
    assert child["ownerId"] == org.ann.id and child["parentEventTypeId"] == parent["id"]
    # Slots and bookings work on the child, which Ann sees among her own event types.
    own = await client.get(
        "/v2/event-types", headers=org.ann.auth | {"cal-api-version": "2024-06-14"}
    )
    assert [e["slug"] for e in own.json()["data"]] == ["onboarding"]
    r = await client.get(
        "/v2/slots",
        params={"eventTypeId": parent["id"], "start": "2030-01-08", "end": "2030-01-08"},
    )
    assert_error(r, 400, "BadRequestException")
    r = await client.get(
        "/v2/slots", params={"eventTypeId": child["id"], "start": "2030-01-08", "end": "2030-01-08"}
    )
    assert r.status_code == 200 and r.json()["data"]["2030-01-08"]
    # Deleting the parent deletes the children.
    assert (
        await client.delete(f"{base}/{parent['id']}", headers=org.admin.auth)
    ).status_code == 200
    own = await client.get(
        "/v2/event-types", headers=org.ann.auth | {"cal-api-version": "2024-06-14"}
    )
    assert own.json()["data"] == []


async def test_caller_centred_team_routes(client, org):
    team = await _team(client, org)
    await _member(client, org, team["id"], org.ann)
    r = await client.get("/v2/teams", headers=org.ann.auth)
    assert [t["id"] for t in r.json()["data"]] == [team["id"]]
    assert (await client.get("/v2/teams", headers=org.member.auth)).json()["data"] == []
    assert (await client.get(f"/v2/teams/{team['id']}", headers=org.ann.auth)).status_code == 200
    assert_error(
        await client.get(f"/v2/teams/{team['id']}", headers=org.outsider.auth),
        404,
        "NotFoundException",
    )
    assert_error(
        await client.get(f"/v2/teams/{team['id']}/event-types", headers=org.outsider.auth),
        404,
        "NotFoundException",
    )
    assert_error(await client.get("/v2/teams"), 401, "UnauthorizedException")


async def test_org_wide_team_event_types(client, org):
    sales = await _team(client, org, name="Sales")
    support = await _team(client, org, name="Support")
    for team in (sales, support):
        base = f"/v2/organizations/{org.id}/teams/{team['id']}/event-types"
        r = await client.post(
            base, json=_event_type("collective", assignAllTeamMembers=True), headers=org.admin.auth
        )
        assert r.status_code == 201
    r = await client.get(f"/v2/organizations/{org.id}/teams/event-types", headers=org.admin.auth)
    assert sorted(e["teamId"] for e in r.json()["data"]) == sorted([sales["id"], support["id"]])
    r = await client.get(f"/v2/organizations/{org.id}/teams/event-types", headers=org.ann.auth)
    assert_error(r, 403, "ForbiddenException")


async def test_legacy_event_type_list_has_a_group_per_team(client, org):
    team = await _team(client, org, name="Sales", slug="sales")
    await _member(client, org, team["id"], org.ann)
    base = f"/v2/organizations/{org.id}/teams/{team['id']}/event-types"
    await client.post(
        base, json=_event_type("collective", assignAllTeamMembers=True), headers=org.admin.auth
    )
    r = await client.get("/v2/event-types", headers=org.ann.auth)
    groups = r.json()["data"]["eventTypeGroups"]
    assert [g["teamId"] for g in groups] == [None, team["id"]]
    team_group = groups[1]
    assert team_group["membershipRole"] == "MEMBER"
    assert team_group["profile"]["slug"] == "sales"
    assert team_group["metadata"]["membershipCount"] == 2
    [item] = team_group["eventTypes"]
    assert item["schedulingType"] == "COLLECTIVE" and item["teamId"] == team["id"]
    assert [p["teamId"] for p in r.json()["data"]["profiles"]] == [None, team["id"]]


@pytest.mark.parametrize("unaccept", [False, True])
async def test_a_member_leaving_the_team_loses_the_managed_children(client, org, unaccept):
    team = await _team(client, org)
    ann = await _member(client, org, team["id"], org.ann)
    base = f"/v2/organizations/{org.id}/teams/{team['id']}"
    body = _event_type("managed", slug="onboarding", hosts=[{"userId": org.ann.id}])
    r = await client.post(f"{base}/event-types", json=body, headers=org.admin.auth)
    assert r.status_code == 201, r.text
    _, child = r.json()["data"]
    if unaccept:
        r = await client.patch(
            f"{base}/memberships/{ann}", json={"accepted": False}, headers=org.admin.auth
        )
    else:
        r = await client.delete(f"{base}/memberships/{ann}", headers=org.admin.auth)
    assert r.status_code == 200, r.text
    own = await client.get(
        "/v2/event-types", headers=org.ann.auth | {"cal-api-version": "2024-06-14"}
    )
    assert own.json()["data"] == []
    r = await client.get(
        "/v2/slots", params={"eventTypeId": child["id"], "start": "2030-01-08", "end": "2030-01-08"}
    )
    assert_error(r, 404, "NotFoundException")


async def test_organization_slugs_are_unique_in_the_database(db, clock, org):
    """Two ``orgs create`` racing past the service's check: the database refuses the second."""
    from rendezvous.domain.errors import Conflict

    async with UnitOfWork(session_factory(db)) as uow:
        await uow.begin_write()
        with pytest.raises(Conflict):
            await uow.teams.add(
                parent_id=None,
                name="Acme again",
                slug="acme",
                is_organization=True,
                time_zone="UTC",
                week_start="Sunday",
                availability=[],
                settings={},
                now=clock(),
            )
    async with db.connect() as conn:
        count = await conn.scalar(text("SELECT count(*) FROM teams WHERE slug = 'acme'"))
    assert count == 1


async def test_two_owners_demoting_each_other_at_once_leave_one_owner(client, org, db, clock):
    """PostgreSQL: a membership change waits for another one of the same team (the team's row
    is locked before the owners are counted), so the second demotion sees the first and is a
    409 instead of leaving the team without an owner."""
    import asyncio

    if db.dialect.name != "postgresql":
        pytest.skip("SQLite's BEGIN IMMEDIATE serialises every writer")
    team = await _team(client, org)
    ann = await _member(client, org, team["id"], org.ann, "OWNER")
    base = f"/v2/organizations/{org.id}/teams/{team['id']}/memberships"
    mine = next(
        m["id"]
        for m in (await client.get(base, headers=org.admin.auth)).json()["data"]
        if m["userId"] == org.admin.id
    )
    async with db.connect() as holder:
        # Another transaction is demoting the admin's ownership and holds the team's row.
        await holder.execute(
            text("SELECT id FROM teams WHERE id = :i FOR UPDATE"), {"i": team["id"]}
        )
        await holder.execute(
            text("UPDATE memberships SET role = 'MEMBER' WHERE id = :i"), {"i": mine}
        )
        demote = asyncio.create_task(
            client.patch(f"{base}/{ann}", json={"role": "MEMBER"}, headers=org.ann.auth)
        )
        await asyncio.sleep(0.5)
        assert not demote.done()  # waits for the team's row
        await holder.commit()
        r = await demote
    assert_error(r, 409, "ConflictException")
    owners = [
        m
        for m in (await client.get(base, headers=org.ann.auth)).json()["data"]
        if m["role"] == "OWNER"
    ]
    assert [m["userId"] for m in owners] == [org.ann.id]
