"""A slot reservation is hidden from other callers of GET /v2/slots, not from the authenticated
user who made it (issue 4, point 3; contract §2.3); anonymous reservations are hidden from all."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event

from rendezvous.db.engine import session_factory
from rendezvous.db.uow import UnitOfWork

# The default clock is Monday 2030-01-07 08:00 UTC; default schedules are Mon–Fri 09:00–17:00.
DAY = "2030-01-08"
FOUR_PM = "2030-01-08T16:00:00Z"
FOUR_PM_OUT = "2030-01-08T16:00:00.000Z"


async def reserve(client, event_type_id: int, auth: dict[str, str] | None = None) -> str:
    response = await client.post(
        "/v2/slots/reservations",
        json={"eventTypeId": event_type_id, "slotStart": FOUR_PM},
        headers=auth or {},
    )
    assert response.status_code == 201, response.text
    return str(response.json()["data"]["reservationUid"])


async def starts(client, event_type_id: int, auth: dict[str, str] | None = None) -> list[str]:
    response = await client.get(
        "/v2/slots",
        params={"eventTypeId": event_type_id, "start": DAY, "end": DAY},
        headers=auth or {},
    )
    assert response.status_code == 200, response.text
    return [s["start"] for s in response.json()["data"].get(DAY, [])]


async def legacy_times(client, event_type_id: int, auth: dict[str, str] | None = None) -> list[str]:
    response = await client.get(
        "/v2/slots/available",
        params={
            "eventTypeId": event_type_id,
            "startTime": f"{DAY}T00:00:00Z",
            "endTime": f"{DAY}T23:59:59Z",
        },
        headers=auth or {},
    )
    assert response.status_code == 200, response.text
    return [s["time"] for s in response.json()["data"]["slots"].get(DAY, [])]


async def test_the_owner_still_sees_the_slot_they_reserved(client, make_user, make_event_type):
    bob = await make_user("bob")
    ann = await make_user("ann")
    event_type_id = await make_event_type(bob, duration=30)
    await reserve(client, event_type_id, bob.auth)

    assert FOUR_PM_OUT in await starts(client, event_type_id, bob.auth)
    assert FOUR_PM_OUT not in await starts(client, event_type_id)
    assert FOUR_PM_OUT not in await starts(client, event_type_id, ann.auth)


async def test_the_legacy_route_treats_the_holder_the_same(client, make_user, make_event_type):
    bob = await make_user("bob")
    ann = await make_user("ann")
    event_type_id = await make_event_type(bob, duration=30)
    await reserve(client, event_type_id, bob.auth)

    assert FOUR_PM_OUT in await legacy_times(client, event_type_id, bob.auth)
    assert FOUR_PM_OUT not in await legacy_times(client, event_type_id)
    assert FOUR_PM_OUT not in await legacy_times(client, event_type_id, ann.auth)


async def test_the_holder_is_whoever_reserved_not_the_owner(client, make_user, make_event_type):
    bob = await make_user("bob")
    ann = await make_user("ann")
    event_type_id = await make_event_type(bob, duration=30)
    await reserve(client, event_type_id, ann.auth)

    assert FOUR_PM_OUT in await starts(client, event_type_id, ann.auth)
    assert FOUR_PM_OUT not in await starts(client, event_type_id, bob.auth)
    assert FOUR_PM_OUT not in await starts(client, event_type_id)


async def test_an_anonymous_reservation_is_hidden_from_everyone(client, make_user, make_event_type):
    bob = await make_user("bob")
    ann = await make_user("ann")
    event_type_id = await make_event_type(bob, duration=30)
    await reserve(client, event_type_id)

    for auth in (None, bob.auth, ann.auth):
        assert FOUR_PM_OUT not in await starts(client, event_type_id, auth)
        assert FOUR_PM_OUT not in await legacy_times(client, event_type_id, auth)


async def test_the_holders_own_buffers_do_not_hide_neighbours_from_them(
    client, make_user, make_event_type
):
    bob = await make_user("bob")
    ann = await make_user("ann")
    event_type_id = await make_event_type(bob, duration=30, before_buffer=15, after_buffer=15)
    await reserve(client, event_type_id, bob.auth)

    neighbours = {"2030-01-08T15:30:00.000Z", FOUR_PM_OUT, "2030-01-08T16:30:00.000Z"}
    assert neighbours <= set(await starts(client, event_type_id, bob.auth))
    assert not neighbours & set(await starts(client, event_type_id, ann.auth))


async def test_others_reservations_still_hide_slots_from_the_holder(
    client, make_user, make_event_type
):
    bob = await make_user("bob")
    ann = await make_user("ann")
    event_type_id = await make_event_type(bob, duration=30)
    await reserve(client, event_type_id, bob.auth)
    other = await client.post(
        "/v2/slots/reservations",
        json={"eventTypeId": event_type_id, "slotStart": "2030-01-08T11:00:00Z"},
        headers=ann.auth,
    )
    assert other.status_code == 201, other.text

    seen_by_bob = await starts(client, event_type_id, bob.auth)
    assert FOUR_PM_OUT in seen_by_bob
    assert "2030-01-08T11:00:00.000Z" not in seen_by_bob


async def test_the_holders_view_ends_with_the_reservation(
    client, make_user, make_event_type, clock
):
    bob = await make_user("bob")
    event_type_id = await make_event_type(bob, duration=30)
    uid = await reserve(client, event_type_id, bob.auth)
    assert (await client.delete(f"/v2/slots/reservations/{uid}")).status_code == 200
    # Released: the slot is everyone's again, and the holder still sees it.
    assert FOUR_PM_OUT in await starts(client, event_type_id)
    assert FOUR_PM_OUT in await starts(client, event_type_id, bob.auth)


async def test_the_holder_view_costs_no_extra_statement(client, make_user, make_event_type, db):
    """The occupancy read stays one statement, reservations joined into it."""
    bob = await make_user("bob")
    event_type_id = await make_event_type(bob, duration=30)
    await reserve(client, event_type_id, bob.auth)
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement.lower())

    event.listen(db.sync_engine, "before_cursor_execute", record)
    try:
        anonymous = await starts(client, event_type_id)
        anonymous_statements = [s for s in seen if "occupancy" in s or "slot_reservations" in s]
        seen.clear()
        holder = await starts(client, event_type_id, bob.auth)
        holder_statements = [s for s in seen if "occupancy" in s or "slot_reservations" in s]
    finally:
        event.remove(db.sync_engine, "before_cursor_execute", record)
    assert FOUR_PM_OUT in holder and FOUR_PM_OUT not in anonymous
    assert len(anonymous_statements) == len(holder_statements) == 1
    assert "slot_reservations" in holder_statements[0]


async def test_release_held_by_removes_only_that_users_overlapping_holds(
    client, make_user, make_event_type, db, clock
):
    """The repository step a booking by the holder needs (see the test below)."""
    bob = await make_user("bob")
    ann = await make_user("ann")
    event_type_id = await make_event_type(bob, duration=30)
    mine = await reserve(client, event_type_id, bob.auth)  # 16:00–16:30 on bob
    theirs = (
        await client.post(
            "/v2/slots/reservations",
            json={"eventTypeId": event_type_id, "slotStart": "2030-01-08T11:00:00Z"},
            headers=ann.auth,
        )
    ).json()["data"]["reservationUid"]
    whole_day = (datetime(2030, 1, 8, 9, tzinfo=UTC), datetime(2030, 1, 8, 17, tzinfo=UTC))
    after_it = (datetime(2030, 1, 8, 16, 30, tzinfo=UTC), datetime(2030, 1, 8, 17, tzinfo=UTC))
    async with UnitOfWork(session_factory(db), write=True) as uow:
        release = uow.reservations.release_held_by
        assert await release(bob.id, [bob.id], *after_it, now=clock()) == 0  # does not meet
        assert await release(bob.id, [ann.id], *whole_day, now=clock()) == 0  # another host
        assert await release(bob.id, [bob.id], *whole_day, now=clock()) == 1  # not ann's
        await uow.commit()
    assert (await client.get(f"/v2/slots/reservations/{mine}")).status_code == 404
    assert (await client.get(f"/v2/slots/reservations/{theirs}")).status_code == 200
    assert FOUR_PM_OUT in await starts(client, event_type_id)


async def test_the_holder_can_book_the_slot_they_see(client, make_user, make_event_type):
    bob = await make_user("bob")
    event_type_id = await make_event_type(bob, duration=30)
    await reserve(client, event_type_id, bob.auth)
    assert FOUR_PM_OUT in await starts(client, event_type_id, bob.auth)
    booked = await client.post(
        "/v2/bookings",
        json={
            "start": FOUR_PM,
            "eventTypeId": event_type_id,
            "attendee": {"name": "Jane", "email": "jane@example.com", "timeZone": "UTC"},
        },
        headers=bob.auth,
    )
    assert booked.status_code == 201, booked.text
