"""GET /v2/bookings: visibility, every filter, the sorts, and the pagination arithmetic."""

from __future__ import annotations

import asyncio

import pytest

from tests.api.helpers import attendee, book


async def make_bookings(
    client, event_type_id: int, starts: list[str], first: int = 0, **extra
) -> list[dict]:
    made = []
    for i, start in enumerate(starts, start=first):
        response = await client.post(
            "/v2/bookings",
            json={
                "start": start,
                "eventTypeId": event_type_id,
                "attendee": attendee(f"Guest {i}", f"guest{i}@example.com"),
            }
            | extra,
        )
        assert response.status_code == 201, response.text
        made.append(response.json()["data"])
    return made


TUESDAY = [f"2030-01-08T{h:02d}:00:00Z" for h in range(9, 17)]


async def test_listing_needs_a_key(client):
    assert (await client.get("/v2/bookings")).status_code == 401


async def test_a_user_sees_what_they_host_or_attend_only(client, make_user, make_event_type):
    bob = await make_user("bob")
    ann = await make_user("ann")
    guest = await make_user("guest0")  # guest0@example.com attends the first booking
    event_type_id = await make_event_type(bob)
    await make_bookings(client, event_type_id, TUESDAY[:2])
    mine = (await client.get("/v2/bookings", headers=bob.auth)).json()
    assert mine["pagination"]["totalItems"] == 2
    assert (await client.get("/v2/bookings", headers=ann.auth)).json()["data"] == []
    attended = (await client.get("/v2/bookings", headers=guest.auth)).json()["data"]
    assert [b["attendees"][0]["email"] for b in attended] == ["guest0@example.com"]


@pytest.mark.parametrize(
    ("take", "skip", "expected"),
    [
        (3, 0, {"returnedItems": 3, "remainingItems": 5, "currentPage": 1, "totalPages": 3,
                "hasNextPage": True, "hasPreviousPage": False}),
        (3, 3, {"returnedItems": 3, "remainingItems": 2, "currentPage": 2, "totalPages": 3,
                "hasNextPage": True, "hasPreviousPage": True}),
        (3, 6, {"returnedItems": 2, "remainingItems": 0, "currentPage": 3, "totalPages": 3,
                "hasNextPage": False, "hasPreviousPage": True}),
        (10, 0, {"returnedItems": 8, "remainingItems": 0, "currentPage": 1, "totalPages": 1,
                 "hasNextPage": False, "hasPreviousPage": False}),
        (5, 20, {"returnedItems": 0, "remainingItems": 0, "currentPage": 5, "totalPages": 2,
                 "hasNextPage": False, "hasPreviousPage": True}),
    ],
)  # fmt: skip
async def test_pagination_arithmetic(client, make_user, make_event_type, take, skip, expected):
    bob = await make_user("bob")
    event_type_id = await make_event_type(bob)
    made = await make_bookings(client, event_type_id, TUESDAY)
    page = (
        await client.get("/v2/bookings", params={"take": take, "skip": skip}, headers=bob.auth)
    ).json()
    assert page["pagination"] == expected | {"totalItems": 8, "itemsPerPage": take}
    assert [b["uid"] for b in page["data"]] == [b["uid"] for b in made][skip : skip + take]


async def test_default_page_is_100_and_take_is_bounded(client, make_user):
    bob = await make_user("bob")
    page = (await client.get("/v2/bookings", headers=bob.auth)).json()["pagination"]
    assert page == {
        "totalItems": 0,
        "remainingItems": 0,
        "returnedItems": 0,
        "itemsPerPage": 100,
        "currentPage": 1,
        "totalPages": 0,
        "hasNextPage": False,
        "hasPreviousPage": False,
    }
    for take in ("0", "251", "ten", "2.5"):
        response = await client.get("/v2/bookings", params={"take": take}, headers=bob.auth)
        assert response.status_code == 400
        assert "take" in response.json()["error"]["message"]
    ok = await client.get("/v2/bookings", params={"take": "10.0"}, headers=bob.auth)
    assert ok.json()["pagination"]["itemsPerPage"] == 10


async def test_status_filters(client, make_user, make_event_type, clock):
    bob = await make_user("bob")
    event_type_id = await make_event_type(bob)
    policy = {"type": "always", "blockUnconfirmedBookingsInBooker": False}
    pending_type = await make_event_type(bob, "pending", settings={"confirmationPolicy": policy})
    past, upcoming, cancelled = await make_bookings(
        client, event_type_id, ["2030-01-07T09:00:00Z", TUESDAY[0], TUESDAY[1]]
    )
    (unconfirmed,) = await make_bookings(client, pending_type, [TUESDAY[3]], first=3)
    await client.post(f"/v2/bookings/{cancelled['uid']}/cancel", json={})
    clock.advance(hours=2)  # 10:00 Monday: the 09:00 booking is over

    async def uids(status: str) -> set[str]:
        response = await client.get("/v2/bookings", params={"status": status}, headers=bob.auth)
        assert response.status_code == 200, response.text
        return {b["uid"] for b in response.json()["data"]}

    assert await uids("past") == {past["uid"]}
    assert await uids("upcoming") == {upcoming["uid"], unconfirmed["uid"]}
    assert await uids("cancelled") == {cancelled["uid"]}
    assert await uids("unconfirmed") == {unconfirmed["uid"]}
    assert await uids("past,cancelled") == {past["uid"], cancelled["uid"]}
    assert await uids("recurring") == set()
    bad = await client.get("/v2/bookings", params={"status": "soon"}, headers=bob.auth)
    assert bad.status_code == 400


async def test_field_filters(client, make_user, make_event_type):
    bob = await make_user("bob")
    intro = await make_event_type(bob, "intro")
    demo = await make_event_type(bob, "demo")
    a, b = await make_bookings(client, intro, TUESDAY[:2])
    (c,) = await make_bookings(client, demo, [TUESDAY[4]], first=2)

    async def uids(**params) -> list[str]:
        response = await client.get("/v2/bookings", params=params, headers=bob.auth)
        assert response.status_code == 200, response.text
        return [x["uid"] for x in response.json()["data"]]

    assert await uids(attendeeEmail="GUEST1@example.com") == [b["uid"]]
    assert await uids(attendeeName="guest 0") == [a["uid"]]
    assert await uids(bookingUid=c["uid"]) == [c["uid"]]
    assert await uids(eventTypeId=str(demo)) == [c["uid"]]
    assert await uids(eventTypeIds=f"{intro},{demo}") == [a["uid"], b["uid"], c["uid"]]
    assert await uids(afterStart="2030-01-08T10:00:00Z") == [b["uid"], c["uid"]]
    assert await uids(beforeEnd="2030-01-08T10:00:00Z") == [a["uid"]]
    assert await uids(afterCreatedAt="2030-01-01T00:00:00Z") == [a["uid"], b["uid"], c["uid"]]
    assert await uids(beforeCreatedAt="2029-01-01T00:00:00Z") == []
    assert await uids(afterUpdatedAt="2031-01-01T00:00:00Z") == []
    assert await uids(teamsIds="5") == []
    bad = await client.get("/v2/bookings", params={"afterStart": "Tuesday"}, headers=bob.auth)
    assert bad.status_code == 400
    assert "afterStart" in bad.json()["error"]["message"]


async def test_an_email_with_a_plus_survives_an_unencoded_query(client, make_user, make_event_type):
    bob = await make_user("bob")
    event_type_id = await make_event_type(bob)
    response = await client.post(
        "/v2/bookings",
        json={
            "start": TUESDAY[0],
            "eventTypeId": event_type_id,
            "attendee": attendee("Plus", "jane+cal@example.com"),
        },
    )
    uid = response.json()["data"]["uid"]
    raw = await client.get("/v2/bookings?attendeeEmail=jane+cal@example.com", headers=bob.auth)
    assert [b["uid"] for b in raw.json()["data"]] == [uid]


async def test_sorts(client, make_user, make_event_type, clock):
    bob = await make_user("bob")
    event_type_id = await make_event_type(bob)
    made = []
    for i, start in enumerate((TUESDAY[2], TUESDAY[0], TUESDAY[1])):
        made += await make_bookings(client, event_type_id, [start], first=i)
        clock.advance(minutes=1)

    async def uids(**params) -> list[str]:
        response = await client.get("/v2/bookings", params=params, headers=bob.auth)
        return [x["uid"] for x in response.json()["data"]]

    by_start = sorted(made, key=lambda b: b["start"])
    assert await uids() == [b["uid"] for b in by_start]
    assert await uids(sortStart="desc") == [b["uid"] for b in reversed(by_start)]
    assert await uids(sortEnd="asc") == [b["uid"] for b in by_start]
    assert await uids(sortCreated="desc") == [b["uid"] for b in reversed(made)]
    assert await uids(sortUpdatedAt="asc") == [b["uid"] for b in made]
    bad = await client.get("/v2/bookings", params={"sortStart": "up"}, headers=bob.auth)
    assert bad.status_code == 400


async def test_idempotent_create_replays_the_first_response(client, make_user, make_event_type):
    bob = await make_user("bob")
    event_type_id = await make_event_type(bob)
    body = {"start": TUESDAY[0], "eventTypeId": event_type_id, "attendee": attendee()}
    headers = {"Idempotency-Key": "order-42"}
    first = await client.post("/v2/bookings", json=body, headers=headers)
    second = await client.post("/v2/bookings", json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    listed = (await client.get("/v2/bookings", headers=bob.auth)).json()
    assert listed["pagination"]["totalItems"] == 1
    other = await client.post("/v2/bookings", json=body | {"start": TUESDAY[1]}, headers=headers)
    assert other.status_code == 422
    assert "Idempotency-Key" in other.json()["error"]["message"]
    # Without a key the same body is an ordinary second attempt: the slot is taken.
    assert (await client.post("/v2/bookings", json=body)).status_code == 409


async def test_concurrent_retries_with_one_key_make_one_booking(client, make_user, make_event_type):
    bob = await make_user("bob")
    event_type_id = await make_event_type(bob)
    body = {"start": TUESDAY[0], "eventTypeId": event_type_id, "attendee": attendee()}
    responses = await asyncio.gather(
        *(
            client.post("/v2/bookings", json=body, headers={"Idempotency-Key": "retry-1"})
            for _ in range(5)
        )
    )
    assert {r.status_code for r in responses} == {201}
    assert len({r.text for r in responses}) == 1
    listed = (await client.get("/v2/bookings", headers=bob.auth)).json()
    assert listed["pagination"]["totalItems"] == 1


async def test_idempotent_cancel_and_reschedule(client, make_user, make_event_type):
    bob = await make_user("bob")
    event_type_id = await make_event_type(bob)
    uid = (await book(client, event_type_id)).json()["data"]["uid"]
    move = {"start": "2030-01-08T13:00:00Z"}
    headers = {"Idempotency-Key": "move-1"}
    first = await client.post(f"/v2/bookings/{uid}/reschedule", json=move, headers=headers)
    again = await client.post(f"/v2/bookings/{uid}/reschedule", json=move, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    new_uid = first.json()["data"]["uid"]
    cancel_headers = {"Idempotency-Key": "cancel-1"}
    c1 = await client.post(f"/v2/bookings/{new_uid}/cancel", json={}, headers=cancel_headers)
    c2 = await client.post(f"/v2/bookings/{new_uid}/cancel", json={}, headers=cancel_headers)
    assert c1.status_code == c2.status_code == 200
    assert c1.json() == c2.json()
    too_long = await client.post(
        f"/v2/bookings/{new_uid}/cancel", json={}, headers={"Idempotency-Key": "k" * 256}
    )
    assert too_long.status_code == 400


async def test_a_booking_i_host_and_attend_is_listed_once(client, make_user, make_event_type):
    bob = await make_user("bob")
    event_type_id = await make_event_type(bob)
    response = await client.post(
        "/v2/bookings",
        json={
            "start": TUESDAY[0],
            "eventTypeId": event_type_id,
            "attendee": attendee("Bob", "bob@example.com"),
        },
    )
    assert response.status_code == 201
    listed = (await client.get("/v2/bookings", headers=bob.auth)).json()
    assert listed["pagination"]["totalItems"] == 1
    assert len(listed["data"]) == 1


async def test_an_attendee_sees_status_changes_too(client, make_user, make_event_type):
    bob = await make_user("bob")
    guest = await make_user("guest0")
    event_type_id = await make_event_type(bob)
    (made,) = await make_bookings(client, event_type_id, TUESDAY[:1])
    await client.post(f"/v2/bookings/{made['uid']}/cancel", json={})
    for who in (bob, guest):
        cancelled = await client.get(
            "/v2/bookings", params={"status": "cancelled"}, headers=who.auth
        )
        assert [b["uid"] for b in cancelled.json()["data"]] == [made["uid"]]
        upcoming = await client.get("/v2/bookings", params={"status": "upcoming"}, headers=who.auth)
        assert upcoming.json()["data"] == []
