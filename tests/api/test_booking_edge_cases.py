"""Edges of the booking write path: stale holds, policy changes, concurrency that no constraint
covers, seats, and input that must be a 400 rather than a 500."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from rendezvous.domain.models import PeriodLimits
from tests.api.helpers import TUE_10, attendee, book, outbox_topics, subscribe

ET_HEADERS = {"cal-api-version": "2024-06-14"}
SEATS = {"seatsPerTimeSlot": 3, "showAttendeeInfo": True, "showAvailabilityCount": True}


async def active_bookings(db) -> list[tuple]:
    async with db.connect() as conn:
        rows = await conn.execute(
            text("SELECT uid, seated FROM bookings WHERE status IN ('accepted', 'pending')")
        )
        return [tuple(r) for r in rows]


async def test_an_expired_reservation_does_not_block_a_booking(
    client, make_user, make_event_type, clock
):
    bob = await make_user("bob")
    event_type_id = await make_event_type(bob)
    held = await client.post(
        "/v2/slots/reservations", json={"eventTypeId": event_type_id, "slotStart": TUE_10}
    )
    assert held.status_code == 201
    clock.advance(minutes=6)
    assert (await book(client, event_type_id)).status_code == 201


async def test_confirm_follows_the_bookings_own_hold_not_todays_policy(
    client, make_user, make_event_type
):
    bob = await make_user("bob")
    loose = {"type": "always", "blockUnconfirmedBookingsInBooker": False}
    event_type_id = await make_event_type(bob, settings={"confirmationPolicy": loose})
    first = (await book(client, event_type_id)).json()["data"]
    strict = {"type": "always", "blockUnconfirmedBookingsInBooker": True}
    patched = await client.patch(
        f"/v2/event-types/{event_type_id}",
        json={"confirmationPolicy": strict},
        headers=bob.auth | ET_HEADERS,
    )
    assert patched.status_code == 200, patched.text
    confirmed = await client.post(f"/v2/bookings/{first['uid']}/confirm", headers=bob.auth)
    assert confirmed.status_code == 200
    await client.patch(
        f"/v2/event-types/{event_type_id}",
        json={"confirmationPolicy": {"disabled": True}},
        headers=bob.auth | ET_HEADERS,
    )
    assert (await book(client, event_type_id)).status_code == 409  # the time is held


async def test_a_pending_booking_that_held_its_time_confirms_after_the_policy_loosens(
    client, make_user, make_event_type
):
    bob = await make_user("bob")
    strict = {"type": "always", "blockUnconfirmedBookingsInBooker": True}
    event_type_id = await make_event_type(bob, settings={"confirmationPolicy": strict})
    uid = (await book(client, event_type_id)).json()["data"]["uid"]
    await client.patch(
        f"/v2/event-types/{event_type_id}",
        json={"confirmationPolicy": strict | {"blockUnconfirmedBookingsInBooker": False}},
        headers=bob.auth | ET_HEADERS,
    )
    assert (await client.post(f"/v2/bookings/{uid}/confirm", headers=bob.auth)).status_code == 200


async def test_a_day_limit_holds_under_concurrent_bookings(client, make_user, make_event_type, db):
    bob = await make_user("bob")
    event_type_id = await make_event_type(bob, count_limits=PeriodLimits(day=1))
    starts = [f"2030-01-08T{h:02d}:00:00Z" for h in range(9, 17)]
    responses = await asyncio.gather(
        *(
            book(client, event_type_id, start, attendee=attendee(f"A{i}", f"a{i}@example.com"))
            for i, start in enumerate(starts)
        )
    )
    assert sorted(r.status_code for r in responses) == [201] + [422] * 7
    assert len(await active_bookings(db)) == 1


async def test_first_seats_racing_share_one_booking_even_when_pending_holds_no_time(
    client, make_user, make_event_type, db
):
    bob = await make_user("bob")
    loose = {"type": "always", "blockUnconfirmedBookingsInBooker": False}
    event_type_id = await make_event_type(
        bob, seats_per_slot=5, settings={"seats": SEATS, "confirmationPolicy": loose}
    )
    responses = await asyncio.gather(
        *(
            book(client, event_type_id, attendee=attendee(f"A{i}", f"a{i}@example.com"))
            for i in range(5)
        )
    )
    assert [r.status_code for r in responses] == [201] * 5
    assert len(await active_bookings(db)) == 1


async def test_seated_recurring_event_types_are_refused(client, make_user, make_event_type, db):
    bob = await make_user("bob")
    recurrence = {"interval": 1, "occurrences": 2, "frequency": "weekly"}
    event_type_id = await make_event_type(
        bob, seats_per_slot=3, settings={"seats": SEATS, "recurrence": recurrence}
    )
    response = await book(client, event_type_id)
    assert response.status_code == 422
    assert await active_bookings(db) == []


async def test_rescheduling_a_seat_is_a_reschedule(client, make_user, make_event_type, db):
    bob = await make_user("bob")
    await subscribe(db, bob.id)
    event_type_id = await make_event_type(bob, seats_per_slot=3, settings={"seats": SEATS})
    seat = (await book(client, event_type_id)).json()["data"]
    moved = await client.post(
        f"/v2/bookings/{seat['uid']}/reschedule",
        json={
            "start": "2030-01-08T12:00:00Z",
            "seatUid": seat["seatUid"],
            "reschedulingReason": "Clash",
        },
    )
    assert moved.status_code == 201, moved.text
    new = moved.json()["data"]
    assert new["rescheduledFromUid"] == seat["uid"]
    assert new["seatUid"]
    old = (await client.get(f"/v2/bookings/{seat['uid']}", headers=bob.auth)).json()["data"]
    assert old["status"] == "cancelled"
    assert old["rescheduledToUid"] == new["uid"]
    assert await outbox_topics(db, new["uid"]) == ["BOOKING_RESCHEDULED"]


async def test_guests_are_refused_on_seated_event_types(client, make_user, make_event_type):
    bob = await make_user("bob")
    event_type_id = await make_event_type(bob, seats_per_slot=2, settings={"seats": SEATS})
    response = await book(client, event_type_id, guests=["sam@example.com"])
    assert response.status_code == 400
    assert response.json()["error"]["details"]["errors"][0]["property"] == "guests"


async def test_only_a_seat_holder_and_hosts_see_a_seat_uid(client, make_user, make_event_type):
    bob = await make_user("bob")
    event_type_id = await make_event_type(bob, seats_per_slot=3, settings={"seats": SEATS})
    first = (await book(client, event_type_id)).json()["data"]
    await book(client, event_type_id, attendee=attendee("Sam", "sam@example.com"))
    public = (await client.get(f"/v2/bookings/{first['uid']}")).json()["data"]
    assert len(public["attendees"]) == 2
    assert all("seatUid" not in a for a in public["attendees"])
    host = (await client.get(f"/v2/bookings/{first['uid']}", headers=bob.auth)).json()["data"]
    assert all(a["seatUid"] for a in host["attendees"])


PHONE_ONLY = [
    {"type": "email", "required": False, "hidden": True},
    {"type": "phone", "slug": "attendeePhoneNumber", "label": "Phone", "required": True},
]


async def test_phone_only_attendees_can_each_take_a_seat(client, make_user, make_event_type):
    bob = await make_user("bob")
    event_type_id = await make_event_type(
        bob, seats_per_slot=3, settings={"seats": SEATS, "bookingFields": PHONE_ONLY}
    )
    for phone in ("+15555550100", "+15555550101"):
        response = await client.post(
            "/v2/bookings",
            json={
                "start": TUE_10,
                "eventTypeId": event_type_id,
                "attendee": {"name": "P", "phoneNumber": phone, "timeZone": "UTC"},
            },
        )
        assert response.status_code == 201, response.text


async def test_a_seat_uid_on_an_unseated_booking_is_a_400(client, make_user, make_event_type):
    bob = await make_user("bob")
    event_type_id = await make_event_type(bob)
    uid = (await book(client, event_type_id)).json()["data"]["uid"]
    response = await client.post(f"/v2/bookings/{uid}/cancel", json={"seatUid": "x"})
    assert response.status_code == 400
    assert (await client.get(f"/v2/bookings/{uid}")).json()["data"]["status"] == "accepted"


RAW = '{"start":"2030-01-08T10:00:00Z","eventTypeId":%d,"attendee":{"name":"J","email":"j@example.com","timeZone":"UTC"},%s}'  # noqa: E501


@pytest.mark.parametrize(
    "extra",
    [
        '"metadata":{"a":NaN}',
        '"metadata":{"a":Infinity}',
        '"bookingFieldsResponses":{"x":1e400}',
        '"start":"0001-01-01T00:30:00+01:00"',
        '"start":"9999-12-31T10:00:00Z"',
        '"eventTypeId":100000000000000000000',
        '"eventTypeId":2147483648',
        '"lengthInMinutes":100000000000000000000',
        '"bookingFieldsResponses":{"notes":["a"]}',
        '"bookingFieldsResponses":{"title":{"a":1}}',
    ],
)
async def test_odd_input_is_a_400_and_books_nothing(client, make_user, make_event_type, db, extra):
    bob = await make_user("bob")
    event_type_id = await make_event_type(bob)
    response = await client.post(
        "/v2/bookings",
        content=RAW % (event_type_id, extra),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 400, response.text
    assert await active_bookings(db) == []


@pytest.mark.parametrize(
    "path",
    [
        "/v2/bookings?skip=1e30",
        "/v2/bookings?eventTypeId=1e30",
        "/v2/bookings?afterStart=0001-01-01T00:00:00%2B01:00",
        "/v2/slots?eventTypeId=EID&start=2030-01-08&end=9999-12-31",
        "/v2/slots?eventTypeId=1e30&start=2030-01-08&end=2030-01-09",
        "/v2/slots?eventTypeId=EID&start=0001-01-01T00:00:00%2B01:00&end=2030-01-09",
        "/v2/slots?eventTypeId=EID&start=2030-01-08&end=2030-01-09&duration=1e30",
        "/v2/slots/available?eventTypeId=EID&startTime=9999-12-30T00:00:00Z&endTime=9999-12-31T23:00:00Z",
    ],
)
async def test_odd_queries_are_400s(client, make_user, make_event_type, path):
    bob = await make_user("bob")
    event_type_id = await make_event_type(bob)
    response = await client.get(path.replace("EID", str(event_type_id)), headers=bob.auth)
    assert response.status_code == 400, response.text


async def test_notes_become_the_description(client, make_user, make_event_type):
    bob = await make_user("bob")
    event_type_id = await make_event_type(bob)
    quiet = await book(client, event_type_id, bookingFieldsResponses={"notes": None})
    assert quiet.json()["data"]["description"] == ""
    noted = await book(
        client,
        event_type_id,
        start="2030-01-08T11:00:00Z",
        bookingFieldsResponses={"notes": "Bring slides"},
    )
    assert noted.json()["data"]["description"] == "Bring slides"
