"""A schedule cannot be deleted while something starts using it: the database's foreign keys
decide the race, the loser gets a 409, and no event type or user is left pointing at nothing."""

from __future__ import annotations

import asyncio

ROUNDS = 25
WEEKDAYS = [{"days": ["Monday"], "startTime": "09:00", "endTime": "12:00"}]


async def _new_schedule(client, who, name: str) -> int:
    response = await client.post(
        "/v2/schedules",
        headers=who.auth,
        json={"name": name, "timeZone": "UTC", "isDefault": False, "availability": WEEKDAYS},
    )
    assert response.status_code == 201, response.text
    return int(response.json()["data"]["id"])


async def test_pointing_an_event_type_at_a_schedule_races_its_delete_and_one_wins(
    client, make_user, make_event_type
):
    bob = await make_user("bob")
    event_type_id = await make_event_type(bob)
    outcomes = set()
    for round_ in range(ROUNDS):
        schedule_id = await _new_schedule(client, bob, f"s{round_}")
        patch, delete = await asyncio.gather(
            client.patch(
                f"/v2/event-types/{event_type_id}",
                headers=bob.auth,
                json={"scheduleId": schedule_id},
            ),
            client.delete(f"/v2/schedules/{schedule_id}", headers=bob.auth),
        )
        statuses = (patch.status_code, delete.status_code)
        outcomes.add(statuses)
        assert statuses in {(200, 409), (409, 200), (404, 200)}, (patch.text, delete.text)
        shown = await client.get(f"/v2/event-types/{event_type_id}", headers=bob.auth)
        schedule = await client.get(f"/v2/schedules/{schedule_id}", headers=bob.auth)
        if patch.status_code == 200:
            assert shown.json()["data"]["scheduleId"] == schedule_id
            assert schedule.status_code == 200
        else:
            assert shown.json()["data"]["scheduleId"] is None
            assert schedule.status_code == 404
            assert patch.json()["error"]["code"] in ("ConflictException", "NotFoundException")
        # The event type stays editable: no stale schedule id hides in its settings.
        again = await client.patch(
            f"/v2/event-types/{event_type_id}", headers=bob.auth, json={"scheduleId": None}
        )
        assert again.status_code == 200, again.text
    assert outcomes  # which side wins each round is up to the scheduler


async def test_making_a_schedule_the_default_races_its_delete_and_a_default_remains(
    client, make_user
):
    bob = await make_user("bob")
    for round_ in range(ROUNDS):
        schedule_id = await _new_schedule(client, bob, f"s{round_}")
        patch, delete = await asyncio.gather(
            client.patch("/v2/me", headers=bob.auth, json={"defaultScheduleId": schedule_id}),
            client.delete(f"/v2/schedules/{schedule_id}", headers=bob.auth),
        )
        # Deleting the default hands the default to the oldest other schedule, so both may
        # succeed in that order; what must never happen is a default that points at nothing.
        statuses = (patch.status_code, delete.status_code)
        assert statuses in {(200, 409), (200, 200), (409, 200), (404, 200)}, (
            patch.text,
            delete.text,
        )
        me = (await client.get("/v2/me", headers=bob.auth)).json()["data"]
        default = await client.get("/v2/schedules/default", headers=bob.auth)
        assert me["defaultScheduleId"] is not None
        assert default.json()["data"]["id"] == me["defaultScheduleId"]
        if delete.status_code == 200:
            assert me["defaultScheduleId"] != schedule_id
        else:
            assert me["defaultScheduleId"] == schedule_id
            back = await client.patch(
                "/v2/me", headers=bob.auth, json={"defaultScheduleId": bob.default_schedule_id}
            )
            assert back.status_code == 200
            gone = await client.delete(f"/v2/schedules/{schedule_id}", headers=bob.auth)
            assert gone.status_code == 200, gone.text


async def test_a_schedule_an_event_type_uses_cannot_be_deleted(client, make_user, make_event_type):
    bob = await make_user("bob")
    schedule_id = await _new_schedule(client, bob, "mornings")
    event_type_id = await make_event_type(bob)
    patched = await client.patch(
        f"/v2/event-types/{event_type_id}", headers=bob.auth, json={"scheduleId": schedule_id}
    )
    assert patched.status_code == 200
    response = await client.delete(f"/v2/schedules/{schedule_id}", headers=bob.auth)
    assert response.status_code == 409
    assert (await client.get(f"/v2/schedules/{schedule_id}", headers=bob.auth)).status_code == 200
