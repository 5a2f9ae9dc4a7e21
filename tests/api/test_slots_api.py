"""GET /v2/slots and the legacy /v2/slots/available over HTTP, on both engines."""

from __future__ import annotations

import pytest

# The default clock is Monday 2030-01-07 08:00 UTC; default schedules are Mon–Fri 09:00–17:00.


async def test_slots_for_a_day_in_the_hosts_zone(client, make_user, make_event_type):
    bob = await make_user("bob", time_zone="Europe/Rome")
    event_type_id = await make_event_type(bob, duration=60)
    response = await client.get(
        "/v2/slots",
        params={
            "eventTypeId": event_type_id,
            "start": "2030-01-08",
            "end": "2030-01-08",
            "timeZone": "Europe/Rome",
        },
    )
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert list(data) == ["2030-01-08"]
    starts = [s["start"] for s in data["2030-01-08"]]
    assert starts[0] == "2030-01-08T09:00:00.000+01:00"
    assert starts[-1] == "2030-01-08T16:00:00.000+01:00"
    assert len(starts) == 8


async def test_the_seed_spelling_and_slug_lookup(client, make_user, make_event_type):
    bob = await make_user("bob")
    await make_event_type(bob, "30min", duration=30)
    response = await client.get(
        "/v2/slots",
        params={
            "startTime": "2030-01-08T00:00:00Z",
            "endTime": "2030-01-09T00:00:00Z",
            "eventTypeSlug": "30min",
            "username": "bob",
            "format": "range",
        },
    )
    assert response.status_code == 200, response.text
    first = response.json()["data"]["2030-01-08"][0]
    assert first == {"start": "2030-01-08T09:00:00.000Z", "end": "2030-01-08T09:30:00.000Z"}


async def test_day_keys_follow_the_requested_zone(client, make_user, make_event_type):
    bob = await make_user("bob", time_zone="Asia/Tokyo")
    event_type_id = await make_event_type(bob, duration=60)
    response = await client.get(
        "/v2/slots",
        params={
            "eventTypeId": event_type_id,
            "start": "2030-01-08T00:00:00Z",
            "end": "2030-01-09T00:00:00Z",
            "timeZone": "America/Los_Angeles",
        },
    )
    data = response.json()["data"]
    # Tuesday 09:00–17:00 Tokyo is Monday 16:00 – Tuesday 00:00 in Los Angeles.
    assert "2030-01-07" in data
    assert data["2030-01-07"][0]["start"] == "2030-01-07T16:00:00.000-08:00"


async def test_a_reservation_hides_the_slot_until_it_expires(
    client, make_user, make_event_type, clock
):
    bob = await make_user("bob")
    event_type_id = await make_event_type(bob, duration=30)
    params = {"eventTypeId": event_type_id, "start": "2030-01-08", "end": "2030-01-08"}

    async def starts() -> list[str]:
        data = (await client.get("/v2/slots", params=params)).json()["data"]
        return [s["start"] for s in data.get("2030-01-08", [])]

    assert "2030-01-08T10:00:00.000Z" in await starts()
    reserved = await client.post(
        "/v2/slots/reservations",
        json={"eventTypeId": event_type_id, "slotStart": "2030-01-08T10:00:00Z"},
    )
    assert reserved.status_code == 201, reserved.text
    body = reserved.json()["data"]
    assert body["slotEnd"] == "2030-01-08T10:30:00.000Z"
    assert body["reservationDuration"] == 5
    assert body["reservationUntil"] == "2030-01-07T08:05:00.000Z"
    assert "2030-01-08T10:00:00.000Z" not in await starts()

    again = await client.post(
        "/v2/slots/reservations",
        json={"eventTypeId": event_type_id, "slotStart": "2030-01-08T10:00:00Z"},
    )
    assert again.status_code == 409
    fetched = await client.get(f"/v2/slots/reservations/{body['reservationUid']}")
    assert fetched.status_code == 200
    assert "reservationDuration" not in fetched.json()["data"]

    clock.advance(minutes=5)
    assert "2030-01-08T10:00:00.000Z" in await starts()
    gone = await client.get(f"/v2/slots/reservations/{body['reservationUid']}")
    assert gone.status_code == 404
    # The expired hold costs nothing: someone else can take the slot now.
    retaken = await client.post(
        "/v2/slots/reservations",
        json={"eventTypeId": event_type_id, "slotStart": "2030-01-08T10:00:00Z"},
    )
    assert retaken.status_code == 201


async def test_a_reservation_can_be_moved_and_released(client, make_user, make_event_type):
    bob = await make_user("bob")
    event_type_id = await make_event_type(bob, duration=30)
    uid = (
        await client.post(
            "/v2/slots/reservations",
            json={"eventTypeId": event_type_id, "slotStart": "2030-01-08T10:00:00Z"},
        )
    ).json()["data"]["reservationUid"]
    moved = await client.patch(
        f"/v2/slots/reservations/{uid}",
        json={"eventTypeId": event_type_id, "slotStart": "2030-01-08T11:00:00Z"},
    )
    assert moved.status_code == 200
    assert moved.json()["data"]["slotStart"] == "2030-01-08T11:00:00.000Z"
    assert (await client.delete(f"/v2/slots/reservations/{uid}")).json() == {"status": "success"}
    assert (await client.get(f"/v2/slots/reservations/{uid}")).status_code == 404


async def test_only_the_owner_may_hold_a_slot_longer(client, make_user, make_event_type):
    bob = await make_user("bob")
    ann = await make_user("ann")
    event_type_id = await make_event_type(bob, duration=30)
    body = {
        "eventTypeId": event_type_id,
        "slotStart": "2030-01-08T10:00:00Z",
        "reservationDuration": 30,
    }
    assert (await client.post("/v2/slots/reservations", json=body)).status_code == 401
    forbidden = await client.post("/v2/slots/reservations", json=body, headers=ann.auth)
    assert forbidden.status_code == 403
    owner = await client.post("/v2/slots/reservations", json=body, headers=bob.auth)
    assert owner.status_code == 201
    assert owner.json()["data"]["reservationDuration"] == 30


@pytest.mark.parametrize(
    ("slot_start", "status"),
    [
        ("2030-01-08T07:00:00Z", 422),  # before working hours
        ("2030-01-08T10:10:00Z", 422),  # not a slot start
        ("2030-01-05T10:00:00Z", 422),  # in the past (a Saturday, too)
    ],
)
async def test_reserving_a_time_that_is_not_offered_is_refused(
    client, make_user, make_event_type, slot_start, status
):
    bob = await make_user("bob")
    event_type_id = await make_event_type(bob, duration=30)
    response = await client.post(
        "/v2/slots/reservations", json={"eventTypeId": event_type_id, "slotStart": slot_start}
    )
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == "UnprocessableEntityException"


async def test_legacy_route_answers_in_its_own_shape(client, make_user, make_event_type):
    bob = await make_user("bob")
    await make_event_type(bob, "intro", duration=60)
    response = await client.get(
        "/v2/slots/available",
        params={
            "startTime": "2030-01-08T00:00:00.000Z",
            "endTime": "2030-01-09T00:00:00.000Z",
            "eventTypeSlug": "intro",
            "usernameList[]": "bob",
        },
    )
    assert response.status_code == 200, response.text
    slots = response.json()["data"]["slots"]["2030-01-08"]
    assert slots[0] == {"time": "2030-01-08T09:00:00.000Z"}
    bad = await client.get(
        "/v2/slots/available",
        params={"startTime": "2030-01-09T00:00:00Z", "endTime": "2030-01-08T00:00:00Z"},
    )
    assert bad.status_code == 400
    assert bad.json()["error"]["message"].startswith("Invalid time range given")


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"end": "2030-01-09"}, 400, "start"),
        ({"start": "2030-01-08"}, 400, "end"),
        ({"start": "yesterday", "end": "2030-01-09"}, 400, "start"),
        ({"start": "2030-01-09", "end": "2030-01-08"}, 400, "end"),
        ({"start": "2030-01-01", "end": "2031-01-03"}, 400, "end"),
        ({"start": "2030-01-08", "end": "2030-01-09", "timeZone": "Mars/Base"}, 400, "timeZone"),
        ({"start": "2030-01-08", "end": "2030-01-09", "format": "list"}, 400, "format"),
        ({"start": "2030-01-08", "end": "2030-01-09", "duration": "12.5"}, 400, "duration"),
        ({"start": "2030-01-08", "end": "2030-01-09", "duration": "45"}, 422, None),
    ],
)
async def test_bad_slot_queries(client, make_user, make_event_type, params, status, field):
    bob = await make_user("bob")
    event_type_id = await make_event_type(bob, duration=30)
    response = await client.get("/v2/slots", params={"eventTypeId": event_type_id, **params})
    assert response.status_code == status, response.text
    if field:
        assert field in response.json()["error"]["message"]


async def test_unknown_event_type_is_a_404(client):
    response = await client.get(
        "/v2/slots", params={"eventTypeId": "999", "start": "2030-01-08", "end": "2030-01-09"}
    )
    assert response.status_code == 404


async def test_the_range_limit_is_366_days(client, make_user, make_event_type):
    bob = await make_user("bob")
    event_type_id = await make_event_type(bob, duration=30)
    response = await client.get(
        "/v2/slots",
        params={"eventTypeId": f"{event_type_id}.0", "start": "2030-01-01", "end": "2030-12-31"},
    )
    assert response.status_code == 200
    too_long = await client.get(
        "/v2/slots",
        params={"eventTypeId": event_type_id, "start": "2030-01-01", "end": "2031-01-02"},
    )
    assert too_long.status_code == 400
    assert "366 days" in too_long.json()["error"]["message"]
