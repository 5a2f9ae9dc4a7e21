"""Cal.com's legacy reservation calls (contract §2.2): POST /v2/slots/reserve and
DELETE /v2/slots/selected-slot, holding a slot exactly like POST /v2/slots/reservations."""

from __future__ import annotations

from tests.api.helpers import TUE_10, book, slot_starts

TEN = "2030-01-08T10:00:00.000Z"


def body(event_type_id: int, end: str = "2030-01-08T10:30:00Z") -> dict:
    return {"eventTypeId": event_type_id, "slotUtcStartDate": TUE_10, "slotUtcEndDate": end}


async def test_a_legacy_reservation_holds_the_slot_until_released(
    client, make_user, make_event_type
):
    bob = await make_user("bob")
    event_type_id = await make_event_type(bob)
    reserved = await client.post("/v2/slots/reserve", json=body(event_type_id))
    assert reserved.status_code == 201, reserved.text
    uid = reserved.json()["data"]
    assert reserved.json() == {"status": "success", "data": uid}
    assert reserved.cookies.get("uid") == uid

    assert TEN not in await slot_starts(client, event_type_id)
    assert (await book(client, event_type_id)).status_code == 409
    # The reservation is the same object the 2024-09-04 routes see.
    assert (await client.get(f"/v2/slots/reservations/{uid}")).status_code == 200

    released = await client.delete("/v2/slots/selected-slot", params={"uid": uid})
    assert released.status_code == 200
    assert released.json() == {"status": "success"}
    assert TEN in await slot_starts(client, event_type_id)
    # Releasing again is harmless, as in Cal.com.
    again = await client.delete("/v2/slots/selected-slot", params={"uid": uid})
    assert again.status_code == 200


async def test_the_uid_cookie_names_the_slot_to_release(client, make_user, make_event_type):
    bob = await make_user("bob")
    event_type_id = await make_event_type(bob)
    uid = (await client.post("/v2/slots/reserve", json=body(event_type_id))).json()["data"]
    client.cookies.set("uid", uid)
    assert (await client.delete("/v2/slots/selected-slot")).status_code == 200
    assert TEN in await slot_starts(client, event_type_id)


async def test_bad_legacy_reservations_are_refused_clearly(client, make_user, make_event_type):
    bob = await make_user("bob")
    event_type_id = await make_event_type(bob)
    backwards = await client.post(
        "/v2/slots/reserve", json=body(event_type_id, end="2030-01-08T09:00:00Z")
    )
    assert backwards.status_code == 400
    not_offered = await client.post(
        "/v2/slots/reserve", json=body(event_type_id, end="2030-01-08T10:45:00Z")
    )
    assert not_offered.status_code in (400, 422)
    client.cookies.clear()
    assert (await client.delete("/v2/slots/selected-slot")).status_code == 400
    unknown = await client.post("/v2/slots/reserve", json=body(999_999))
    assert unknown.status_code == 404
