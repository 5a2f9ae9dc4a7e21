"""State changes are compare-and-swap: racing confirms/declines cannot both win, and a slot
reservation is honoured by the same atomic write path."""

from __future__ import annotations

import asyncio

from tests.api.helpers import TUE_10, book, subscribe

POLICY = {"type": "always", "blockUnconfirmedBookingsInBooker": True}


async def test_of_five_concurrent_confirms_one_wins(client, make_user, make_event_type, db):
    bob = await make_user("bob")
    await subscribe(db, bob.id)
    event_type_id = await make_event_type(bob, settings={"confirmationPolicy": POLICY})
    uid = (await book(client, event_type_id)).json()["data"]["uid"]
    responses = await asyncio.gather(
        *(client.post(f"/v2/bookings/{uid}/confirm", headers=bob.auth) for _ in range(5))
    )
    assert sorted(r.status_code for r in responses) == [200, 422, 422, 422, 422]
    from tests.api.helpers import outbox_topics

    assert (await outbox_topics(db, uid)).count("BOOKING_CONFIRMED") == 1


async def test_a_confirm_racing_a_decline_has_one_winner(client, make_user, make_event_type):
    bob = await make_user("bob")
    event_type_id = await make_event_type(bob, settings={"confirmationPolicy": POLICY})
    uid = (await book(client, event_type_id)).json()["data"]["uid"]
    confirm, decline = await asyncio.gather(
        client.post(f"/v2/bookings/{uid}/confirm", headers=bob.auth),
        client.post(f"/v2/bookings/{uid}/decline", headers=bob.auth, json={}),
    )
    assert sorted([confirm.status_code, decline.status_code]) == [200, 422]
    final = (await client.get(f"/v2/bookings/{uid}")).json()["data"]["status"]
    assert final == ("accepted" if confirm.status_code == 200 else "rejected")


async def test_a_confirm_racing_a_cancel_ends_consistent(client, make_user, make_event_type):
    bob = await make_user("bob")
    event_type_id = await make_event_type(bob, settings={"confirmationPolicy": POLICY})
    uid = (await book(client, event_type_id)).json()["data"]["uid"]
    confirm, cancel = await asyncio.gather(
        client.post(f"/v2/bookings/{uid}/confirm", headers=bob.auth),
        client.post(f"/v2/bookings/{uid}/cancel", json={}),
    )
    assert cancel.status_code == 200  # a pending or an accepted booking can be cancelled
    assert confirm.status_code in (200, 422)
    assert (await client.get(f"/v2/bookings/{uid}")).json()["data"]["status"] == "cancelled"


async def test_a_reserved_slot_is_booked_only_with_its_reservation(
    client, make_user, make_event_type
):
    bob = await make_user("bob")
    event_type_id = await make_event_type(bob)
    reservation = await client.post(
        "/v2/slots/reservations", json={"eventTypeId": event_type_id, "slotStart": TUE_10}
    )
    uid = reservation.json()["data"]["reservationUid"]
    assert (await book(client, event_type_id)).status_code == 409
    consumed = await book(client, event_type_id, reservationUid=uid)
    assert consumed.status_code == 201, consumed.text
    assert (await client.get(f"/v2/slots/reservations/{uid}")).status_code == 404


async def test_pending_bookings_that_do_not_block_take_their_time_on_confirm(
    client, make_user, make_event_type
):
    bob = await make_user("bob")
    policy = {"type": "always", "blockUnconfirmedBookingsInBooker": False}
    event_type_id = await make_event_type(bob, settings={"confirmationPolicy": policy})
    first = (await book(client, event_type_id)).json()["data"]
    second = (await book(client, event_type_id)).json()["data"]  # the time is not held
    assert first["status"] == second["status"] == "pending"
    ok = await client.post(f"/v2/bookings/{first['uid']}/confirm", headers=bob.auth)
    assert ok.status_code == 200
    clash = await client.post(f"/v2/bookings/{second['uid']}/confirm", headers=bob.auth)
    assert clash.status_code == 409
    assert (await client.get(f"/v2/bookings/{second['uid']}")).json()["data"]["status"] == (
        "pending"
    )
