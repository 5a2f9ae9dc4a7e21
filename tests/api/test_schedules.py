"""/v2/schedules as contract §5 describes it, on both engines.

The clock is Monday 2030-01-07 08:00 UTC; every new user has one default schedule, "Working hours",
Mon–Fri 09:00–17:00 in the user's zone.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

V = {"cal-api-version": "2024-06-11"}
NINE_TO_FIVE = [
    {
        "days": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"],
        "startTime": "09:00",
        "endTime": "17:00",
    }
]


def body(**fields: Any) -> dict[str, Any]:
    return {"name": "Evenings", "timeZone": "Europe/Rome", "isDefault": False} | fields


async def create(client, user, **fields: Any) -> dict[str, Any]:
    response = await client.post("/v2/schedules", json=body(**fields), headers=user.auth | V)
    assert response.status_code == 201, response.text
    return response.json()["data"]


async def schedules_of(client, user) -> list[dict[str, Any]]:
    response = await client.get("/v2/schedules", headers=user.auth)
    assert response.status_code == 200, response.text
    return response.json()["data"]


async def default_id(client, user) -> int:
    return (await client.get("/v2/me", headers=user.auth)).json()["data"]["defaultScheduleId"]


def bad_fields(response) -> set[str]:
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "BadRequestException"
    return {e["property"] for e in error["details"]["errors"]}


# --- the default schedule -----------------------------------------------------------------------


async def test_a_new_user_has_a_default_working_hours_schedule(client, make_user):
    bob = await make_user("bob", time_zone="America/New_York")
    response = await client.get("/v2/schedules/default", headers=bob.auth | V)
    assert response.status_code == 200
    assert response.json() == {
        "status": "success",
        "data": {
            "id": bob.default_schedule_id,
            "ownerId": bob.id,
            "name": "Working hours",
            "timeZone": "America/New_York",
            "availability": NINE_TO_FIVE,
            "isDefault": True,
            "overrides": [],
        },
    }
    assert await schedules_of(client, bob) == [response.json()["data"]]


async def test_the_contract_example_returns_the_documented_shape(client, make_user):
    bob = await make_user("bob")
    response = await client.post(
        "/v2/schedules",
        headers=bob.auth | V,
        json={
            "name": "Catch up hours",
            "timeZone": "Europe/Rome",
            "isDefault": True,
            "availability": [
                {"days": ["Monday", "Tuesday"], "startTime": "17:00", "endTime": "19:00"}
            ],
            "overrides": [{"date": "2050-05-20", "startTime": "18:00", "endTime": "21:00"}],
        },
    )
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    assert data == {
        "id": data["id"],
        "ownerId": bob.id,
        "name": "Catch up hours",
        "timeZone": "Europe/Rome",
        "availability": [{"days": ["Monday", "Tuesday"], "startTime": "17:00", "endTime": "19:00"}],
        "isDefault": True,
        "overrides": [{"date": "2050-05-20", "startTime": "18:00", "endTime": "21:00"}],
    }


async def test_creating_a_default_moves_the_default_and_me_follows(client, make_user):
    bob = await make_user("bob")
    new = await create(client, bob, isDefault=True)
    assert new["isDefault"] is True
    defaults = [s["id"] for s in await schedules_of(client, bob) if s["isDefault"]]
    assert defaults == [new["id"]]
    assert await default_id(client, bob) == new["id"]
    fetched = (await client.get("/v2/schedules/default", headers=bob.auth)).json()["data"]
    assert fetched["id"] == new["id"]


async def test_a_schedule_created_as_not_default_leaves_the_default_alone(client, make_user):
    bob = await make_user("bob")
    new = await create(client, bob, isDefault=False)
    assert new["isDefault"] is False
    assert await default_id(client, bob) == bob.default_schedule_id


async def test_a_users_first_schedule_becomes_the_default_whatever_it_says(client, make_user, db):
    bob = await make_user("bob")
    async with db.begin() as conn:  # a user left with no schedule at all
        await conn.execute(
            text("UPDATE users SET default_schedule_id = NULL WHERE id = :id"), {"id": bob.id}
        )
        await conn.execute(text("DELETE FROM schedules WHERE user_id = :id"), {"id": bob.id})
    empty = await client.get("/v2/schedules/default", headers=bob.auth)
    assert empty.json() == {"status": "success", "data": None}
    first = await create(client, bob, isDefault=False)
    assert first["isDefault"] is True
    assert await default_id(client, bob) == first["id"]


async def test_patching_is_default_true_moves_the_default(client, make_user):
    bob = await make_user("bob")
    new = await create(client, bob)
    response = await client.patch(
        f"/v2/schedules/{new['id']}", json={"isDefault": True}, headers=bob.auth
    )
    assert response.status_code == 200, response.text
    assert response.json()["data"]["isDefault"] is True
    by_id = {s["id"]: s["isDefault"] for s in await schedules_of(client, bob)}
    assert by_id == {bob.default_schedule_id: False, new["id"]: True}
    assert await default_id(client, bob) == new["id"]


async def test_the_default_cannot_be_unset_only_moved(client, make_user):
    bob = await make_user("bob")
    response = await client.patch(
        f"/v2/schedules/{bob.default_schedule_id}", json={"isDefault": False}, headers=bob.auth
    )
    assert bad_fields(response) == {"isDefault"}
    assert "another schedule" in response.json()["error"]["message"]
    assert await default_id(client, bob) == bob.default_schedule_id


async def test_me_choosing_a_default_schedule_is_reflected_in_schedules(client, make_user):
    bob = await make_user("bob")
    new = await create(client, bob)
    await client.patch("/v2/me", json={"defaultScheduleId": new["id"]}, headers=bob.auth)
    by_id = {s["id"]: s["isDefault"] for s in await schedules_of(client, bob)}
    assert by_id == {bob.default_schedule_id: False, new["id"]: True}


# --- availability and overrides -----------------------------------------------------------------


async def test_omitted_availability_means_monday_to_friday_nine_to_five(client, make_user):
    bob = await make_user("bob")
    created = await create(client, bob)
    assert created["availability"] == NINE_TO_FIVE
    assert created["overrides"] == []


async def test_days_may_be_numbers_from_sunday_zero_and_come_back_as_names(client, make_user):
    bob = await make_user("bob")
    created = await create(
        client,
        bob,
        availability=[
            {"days": [1, 2, 3, 4, 5], "startTime": "09:00", "endTime": "12:00"},
            {"days": [0, 6.0], "startTime": "10:00", "endTime": "24:00"},
        ],
    )
    assert created["availability"] == [
        {
            "days": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"],
            "startTime": "09:00",
            "endTime": "12:00",
        },
        {"days": ["Sunday", "Saturday"], "startTime": "10:00", "endTime": "24:00"},
    ]


async def test_overrides_replace_a_dates_hours_and_midnight_to_midnight_is_a_day_off(
    client, make_user
):
    bob = await make_user("bob")
    schedule = await create(
        client,
        bob,
        timeZone="UTC",
        overrides=[
            {"date": "2030-01-08", "startTime": "13:00", "endTime": "14:00"},
            {"date": "2030-01-08", "startTime": "15:00", "endTime": "16:00"},
            {"date": "2030-01-09", "startTime": "00:00", "endTime": "00:00"},
        ],
    )
    assert len(schedule["overrides"]) == 3
    event_type = await client.post(
        "/v2/event-types",
        json={
            "lengthInMinutes": 60,
            "title": "Call",
            "slug": "call",
            "scheduleId": schedule["id"],
            "minimumBookingNotice": 0,
        },
        headers=bob.auth,
    )
    assert event_type.status_code == 201, event_type.text
    slots = await client.get(
        "/v2/slots",
        params={
            "eventTypeId": event_type.json()["data"]["id"],
            "start": "2030-01-08",
            "end": "2030-01-10",
            "timeZone": "UTC",
        },
    )
    days = {day: [s["start"][11:16] for s in items] for day, items in slots.json()["data"].items()}
    assert days["2030-01-08"] == ["13:00", "15:00"]  # only the override windows
    assert "2030-01-09" not in days  # the day off
    assert days["2030-01-10"][0] == "09:00"  # weekly hours again


# --- round trip ---------------------------------------------------------------------------------


async def test_every_field_round_trips_through_get_and_patch(client, make_user):
    bob = await make_user("bob")
    created = await create(
        client,
        bob,
        name="Evenings",
        timeZone="Europe/Rome",
        availability=[{"days": ["Monday"], "startTime": "17:00", "endTime": "19:00"}],
        overrides=[{"date": "2030-02-01", "startTime": "18:00", "endTime": "21:00"}],
    )
    url = f"/v2/schedules/{created['id']}"
    assert (await client.get(url, headers=bob.auth)).json()["data"] == created

    change = {
        "name": "Mornings",
        "timeZone": "Asia/Tokyo",
        "isDefault": True,
        "availability": [
            {"days": ["Tuesday", "Thursday"], "startTime": "07:00", "endTime": "09:30"},
            {"days": ["Tuesday"], "startTime": "10:00", "endTime": "11:00"},
        ],
        "overrides": [{"date": "2030-03-03", "startTime": "00:00", "endTime": "00:00"}],
    }
    patched = await client.patch(url, json=change, headers=bob.auth | V)
    assert patched.status_code == 200, patched.text
    assert patched.json()["data"] == {"id": created["id"], "ownerId": bob.id} | change
    assert (await client.get(url, headers=bob.auth)).json()["data"] == patched.json()["data"]


async def test_a_patch_changes_only_what_it_names(client, make_user):
    bob = await make_user("bob")
    created = await create(
        client, bob, overrides=[{"date": "2030-02-01", "startTime": "18:00", "endTime": "21:00"}]
    )
    url = f"/v2/schedules/{created['id']}"
    patched = (await client.patch(url, json={"name": "Renamed"}, headers=bob.auth)).json()
    assert patched["data"] == created | {"name": "Renamed"}
    cleared = (await client.patch(url, json={"overrides": []}, headers=bob.auth)).json()
    assert cleared["data"] == created | {"name": "Renamed", "overrides": []}


# --- validation ---------------------------------------------------------------------------------


def window(days: Any = ("Monday",), start: str = "09:00", end: str = "17:00") -> dict[str, Any]:
    return {"days": list(days), "startTime": start, "endTime": end}


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": None}, "name"),
        ({"name": ""}, "name"),
        ({"timeZone": "Mars/Olympus_Mons"}, "timeZone"),
        ({"timeZone": None}, "timeZone"),
        ({"isDefault": None}, "isDefault"),
        ({"availability": [window(end="08:00")]}, "availability.0.endTime"),
        ({"availability": [window(end="09:00")]}, "availability.0.endTime"),
        ({"availability": [window(start="24:00", end="24:00")]}, "availability.0.startTime"),
        ({"availability": [window(start="9am")]}, "availability.0.startTime"),
        ({"availability": [window(end="25:00")]}, "availability.0.endTime"),
        ({"availability": [window(days=["Funday"])]}, "availability.0.days.0"),
        ({"availability": [window(days=[7])]}, "availability.0.days.0"),
        ({"availability": [window(days=[])]}, "availability.0.days"),
        (
            {"availability": [window(), window(days=[1], start="16:00", end="18:00")]},
            "availability.1.startTime",
        ),
        (
            {"overrides": [{"date": "2030-02-30", "startTime": "09:00", "endTime": "10:00"}]},
            "overrides.0.date",
        ),
        (
            {"overrides": [{"date": "2030-02-01", "startTime": "10:00", "endTime": "09:00"}]},
            "overrides.0.endTime",
        ),
        (
            {
                "overrides": [
                    {"date": "2030-02-01", "startTime": "09:00", "endTime": "11:00"},
                    {"date": "2030-02-01", "startTime": "10:00", "endTime": "12:00"},
                ]
            },
            "overrides.1.startTime",
        ),
    ],
)
async def test_bad_input_is_a_400_naming_the_field(client, make_user, fields, field):
    bob = await make_user("bob")
    sent = {k: v for k, v in body(**fields).items() if v is not None}
    response = await client.post("/v2/schedules", json=sent, headers=bob.auth)
    assert field in bad_fields(response)
    assert len(await schedules_of(client, bob)) == 1  # nothing was created


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": None}, "name"),
        ({"timeZone": "Nowhere/Town"}, "timeZone"),
        ({"availability": [window(start="18:00")]}, "availability.0.endTime"),
    ],
)
async def test_a_bad_patch_is_a_400_naming_the_field_and_changes_nothing(
    client, make_user, change, field
):
    bob = await make_user("bob")
    url = f"/v2/schedules/{bob.default_schedule_id}"
    before = (await client.get(url, headers=bob.auth)).json()["data"]
    assert field in bad_fields(await client.patch(url, json=change, headers=bob.auth))
    assert (await client.get(url, headers=bob.auth)).json()["data"] == before


# --- delete -------------------------------------------------------------------------------------


async def test_deleting_a_schedule_answers_status_only_and_it_is_gone(client, make_user):
    bob = await make_user("bob")
    created = await create(client, bob)
    url = f"/v2/schedules/{created['id']}"
    response = await client.delete(url, headers=bob.auth | V)
    assert response.status_code == 200
    assert response.json() == {"status": "success"}
    assert (await client.get(url, headers=bob.auth)).status_code == 404


async def test_deleting_the_default_while_event_types_use_it_is_a_conflict(
    client, make_user, make_event_type
):
    bob = await make_user("bob")
    await create(client, bob)  # another schedule exists, still the default is in use
    await make_event_type(bob, "intro")
    response = await client.delete(f"/v2/schedules/{bob.default_schedule_id}", headers=bob.auth)
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "ConflictException"
    assert "default" in error["message"]
    assert "intro" in error["message"]
    assert await default_id(client, bob) == bob.default_schedule_id


async def test_deleting_a_schedule_an_event_type_names_is_a_conflict(
    client, make_user, make_event_type
):
    bob = await make_user("bob")
    created = await create(client, bob)
    await make_event_type(bob, "evening-call", schedule_id=created["id"])
    response = await client.delete(f"/v2/schedules/{created['id']}", headers=bob.auth)
    assert response.status_code == 409
    assert "evening-call" in response.json()["error"]["message"]


async def test_deleting_an_unused_default_hands_the_default_to_the_oldest_other(client, make_user):
    bob = await make_user("bob")
    older = await create(client, bob, name="Older")
    await create(client, bob, name="Newer")
    response = await client.delete(f"/v2/schedules/{bob.default_schedule_id}", headers=bob.auth)
    assert response.status_code == 200, response.text
    defaults = [s["id"] for s in await schedules_of(client, bob) if s["isDefault"]]
    assert defaults == [older["id"]]
    assert await default_id(client, bob) == older["id"]


async def test_the_only_schedule_cannot_be_deleted(client, make_user):
    bob = await make_user("bob")
    response = await client.delete(f"/v2/schedules/{bob.default_schedule_id}", headers=bob.auth)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "ConflictException"
    assert "only schedule" in response.json()["error"]["message"]


# --- access -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "payload"), [("GET", None), ("PATCH", {"name": "Mine now"}), ("DELETE", None)]
)
async def test_another_users_schedule_is_not_found(client, make_user, method, payload):
    bob, eve = await make_user("bob"), await make_user("eve")
    url = f"/v2/schedules/{bob.default_schedule_id}"
    response = await client.request(method, url, json=payload, headers=eve.auth)
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "NotFoundException"
    assert error["message"] == f"Schedule with id={bob.default_schedule_id} not found"
    mine = (await client.get(url, headers=bob.auth)).json()["data"]
    assert mine["name"] == "Working hours"


async def test_an_unknown_schedule_is_not_found(client, make_user):
    bob = await make_user("bob")
    response = await client.get("/v2/schedules/999999", headers=bob.auth)
    assert response.status_code == 404


async def test_lists_show_only_the_callers_schedules(client, make_user):
    bob, eve = await make_user("bob"), await make_user("eve")
    await create(client, eve)
    assert [s["ownerId"] for s in await schedules_of(client, bob)] == [bob.id]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v2/schedules"),
        ("POST", "/v2/schedules"),
        ("GET", "/v2/schedules/default"),
        ("GET", "/v2/schedules/1"),
        ("PATCH", "/v2/schedules/1"),
        ("DELETE", "/v2/schedules/1"),
    ],
)
async def test_schedules_need_an_api_key(client, method, path):
    response = await client.request(method, path, json={} if method != "GET" else None)
    assert response.status_code == 401
