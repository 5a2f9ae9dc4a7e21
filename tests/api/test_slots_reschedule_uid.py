"""Slots offered for rescheduling: ``bookingUidToReschedule`` on GET /v2/slots and the legacy
``rescheduleUid`` on GET /v2/slots/available make that booking's own time, with the neighbours
its buffers block, free again; any other uid changes nothing and is no error."""

from __future__ import annotations

import pytest

# The default clock is Monday 2030-01-07 08:00 UTC; default schedules are Mon–Fri 09:00–17:00.
DAY = "2030-01-08"
NOON = "2030-01-08T12:00:00.000Z"
# A 30-minute booking at 12:00 with 15-minute buffers holds 11:45–12:45, so the 11:30 and 12:30
# slots (which carry the same buffers) meet it too; 11:00 and 13:00 do not.
HELD = {"2030-01-08T11:30:00.000Z", NOON, "2030-01-08T12:30:00.000Z"}
CLEAR = {"2030-01-08T11:00:00.000Z", "2030-01-08T13:00:00.000Z"}


async def book(client, event_type_id: int, start: str) -> str:
    response = await client.post(
        "/v2/bookings",
        json={
            "start": start,
            "eventTypeId": event_type_id,
            "attendee": {"name": "Jane", "email": "jane@example.com", "timeZone": "UTC"},
        },
    )
    assert response.status_code == 201, response.text
    return str(response.json()["data"]["uid"])


async def starts(client, event_type_id: int, uid: str | None = None) -> set[str]:
    params = {"eventTypeId": event_type_id, "start": DAY, "end": DAY}
    if uid is not None:
        params["bookingUidToReschedule"] = uid
    response = await client.get("/v2/slots", params=params)
    assert response.status_code == 200, response.text
    return {s["start"] for s in response.json()["data"].get(DAY, [])}


async def legacy_times(client, event_type_id: int, uid: str | None = None) -> set[str]:
    params = {
        "eventTypeId": event_type_id,
        "startTime": f"{DAY}T00:00:00Z",
        "endTime": f"{DAY}T23:59:59Z",
    }
    if uid is not None:
        params["rescheduleUid"] = uid
    response = await client.get("/v2/slots/available", params=params)
    assert response.status_code == 200, response.text
    return {s["time"] for s in response.json()["data"]["slots"].get(DAY, [])}


@pytest.fixture
async def booked(client, make_user, make_event_type) -> tuple[int, str]:
    """(event type id, uid of its booking at 12:00 with 15-minute buffers)."""
    bob = await make_user("bob")
    event_type_id = await make_event_type(bob, duration=30, before_buffer=15, after_buffer=15)
    return event_type_id, await book(client, event_type_id, "2030-01-08T12:00:00Z")


@pytest.mark.parametrize("listing", [starts, legacy_times], ids=["slots", "legacy"])
async def test_without_a_uid_the_booking_and_its_buffered_neighbours_are_taken(
    client, booked, listing
):
    event_type_id, _uid = booked
    offered = await listing(client, event_type_id)
    assert not HELD & offered
    assert offered >= CLEAR


@pytest.mark.parametrize("listing", [starts, legacy_times], ids=["slots", "legacy"])
async def test_with_its_uid_the_booking_and_its_neighbours_are_offered(client, booked, listing):
    event_type_id, uid = booked
    offered = await listing(client, event_type_id, uid)
    assert offered >= HELD | CLEAR
    # Nothing else changes: the whole working day is offered, as with no booking at all.
    assert len(offered) == 16


@pytest.mark.parametrize("listing", [starts, legacy_times], ids=["slots", "legacy"])
@pytest.mark.parametrize("uid", ["no-such-booking", "x" * 300, "", "' OR 1=1 --"])
async def test_an_unknown_uid_changes_nothing_and_is_no_error(client, booked, listing, uid):
    event_type_id, _uid = booked
    assert await listing(client, event_type_id, uid) == await listing(client, event_type_id)


@pytest.mark.parametrize("listing", [starts, legacy_times], ids=["slots", "legacy"])
async def test_only_the_named_booking_is_set_aside(client, booked, listing):
    event_type_id, uid = booked
    await book(client, event_type_id, "2030-01-08T15:00:00Z")  # holds 14:45–15:45
    offered = await listing(client, event_type_id, uid)
    assert offered >= HELD
    assert (
        not {
            "2030-01-08T14:30:00.000Z",
            "2030-01-08T15:00:00.000Z",
            "2030-01-08T15:30:00.000Z",
        }
        & offered
    )
