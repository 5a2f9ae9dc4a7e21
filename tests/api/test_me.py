"""GET/PATCH /v2/me as contract §6 describes it."""

from __future__ import annotations

import asyncio

import pytest

ME_FIELDS = {
    "id", "username", "email", "name", "avatarUrl", "bio", "timeFormat", "defaultScheduleId",
    "weekStart", "timeZone", "locale", "organizationId",
}  # fmt: skip


async def test_me_returns_the_contract_shape(client, make_user):
    bob = await make_user("bob", time_zone="Europe/Rome", name="Bob Host")
    response = await client.get("/v2/me", headers=bob.auth)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "success"
    assert set(body["data"]) == ME_FIELDS
    assert body["data"] | {"id": 0} == {
        "id": 0,
        "username": "bob",
        "email": "bob@example.com",
        "name": "Bob Host",
        "avatarUrl": None,
        "bio": None,
        "timeFormat": 24,
        "defaultScheduleId": bob.default_schedule_id,
        "weekStart": "Monday",
        "timeZone": "Europe/Rome",
        "locale": "en",
        "organizationId": None,
    }


async def test_patch_changes_only_the_named_fields(client, make_user):
    bob = await make_user("bob")
    response = await client.patch(
        "/v2/me", json={"timeZone": "Europe/Rome", "weekStart": "Sunday"}, headers=bob.auth
    )
    assert response.status_code == 200
    data = response.json()["data"]
    assert (data["timeZone"], data["weekStart"], data["name"]) == ("Europe/Rome", "Sunday", "Bob")
    again = (await client.get("/v2/me", headers=bob.auth)).json()["data"]
    assert again == data


async def test_patch_every_field(client, make_user):
    bob = await make_user("bob")
    change = {
        "email": "Robert@Example.com",
        "name": "Robert",
        "timeFormat": 12,
        "weekStart": "Saturday",
        "timeZone": "Asia/Kolkata",
        "locale": "pt-BR",
        "avatarUrl": "https://img.example.com/bob.png",
        "bio": "Builds things",
        "metadata": {"team": "core", "level": 3},
        "defaultScheduleId": bob.default_schedule_id,
    }
    data = (await client.patch("/v2/me", json=change, headers=bob.auth)).json()["data"]
    assert data["email"] == "robert@example.com"
    assert data["timeFormat"] == 12
    assert data["locale"] == "pt-BR"
    assert data["avatarUrl"] == "https://img.example.com/bob.png"
    assert data["bio"] == "Builds things"
    assert data["defaultScheduleId"] == bob.default_schedule_id


async def test_integers_sent_as_whole_floats_are_accepted(client, make_user):
    bob = await make_user("bob")
    response = await client.patch("/v2/me", json={"timeFormat": 12.0}, headers=bob.auth)
    assert response.status_code == 200
    assert response.json()["data"]["timeFormat"] == 12


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"timeZone": "Europe/Atlantis"}, "timeZone"),
        ({"email": "not-an-email"}, "email"),
        ({"timeFormat": 13}, "timeFormat"),
        ({"timeFormat": 12.5}, "timeFormat"),
        ({"weekStart": "monday"}, "weekStart"),
        ({"locale": "xx"}, "locale"),
        ({"avatarUrl": "not a url"}, "avatarUrl"),
        ({"metadata": {f"k{i}": "v" for i in range(51)}}, "metadata"),
        ({"metadata": {"k" * 41: "v"}}, "metadata"),
        ({"metadata": {"k": "v" * 501}}, "metadata"),
        ({"metadata": {"k": {"nested": True}}}, "metadata"),
        ({"name": ""}, "name"),
    ],
)
async def test_patch_validation_names_the_field(client, make_user, body, field):
    bob = await make_user("bob")
    response = await client.patch("/v2/me", json=body, headers=bob.auth)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "BadRequestException"
    assert [e["property"] for e in error["details"]["errors"]] == [field]


async def test_email_of_another_user_is_a_conflict(client, make_user):
    bob = await make_user("bob")
    await make_user("ann")
    response = await client.patch("/v2/me", json={"email": "ann@example.com"}, headers=bob.auth)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "ConflictException"


async def test_default_schedule_of_another_user_is_not_found(client, make_user):
    bob = await make_user("bob")
    ann = await make_user("ann")
    response = await client.patch(
        "/v2/me", json={"defaultScheduleId": ann.default_schedule_id}, headers=bob.auth
    )
    assert response.status_code == 404
    me = (await client.get("/v2/me", headers=bob.auth)).json()["data"]
    assert me["defaultScheduleId"] == bob.default_schedule_id


async def test_a_null_default_schedule_leaves_the_default_in_place(client, make_user):
    bob = await make_user("bob")
    response = await client.patch("/v2/me", json={"defaultScheduleId": None}, headers=bob.auth)
    assert response.status_code == 200
    assert response.json()["data"]["defaultScheduleId"] == bob.default_schedule_id


async def test_two_users_taking_one_address_at_once_get_one_200_and_one_409(client, make_user):
    """Both check the address free before either writes; the database's unique index decides,
    and the loser is a 409, not a 500 (PostgreSQL raised a unique violation)."""
    ann, bob = await make_user("ann"), await make_user("bob")
    for round_ in range(15):
        address = f"taken{round_}@example.com"
        answers = await asyncio.gather(
            *(client.patch("/v2/me", headers=u.auth, json={"email": address}) for u in (ann, bob))
        )
        assert sorted(a.status_code for a in answers) == [200, 409], [a.text for a in answers]
        loser = next(a for a in answers if a.status_code == 409)
        assert loser.json()["error"]["code"] == "ConflictException"
        owners = [
            (await client.get("/v2/me", headers=u.auth)).json()["data"]["email"] for u in (ann, bob)
        ]
        assert owners.count(address) == 1
