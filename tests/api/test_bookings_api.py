"""Bookings over HTTP (2024-08-13): create, read, cancel, reschedule, confirm, decline."""

from __future__ import annotations

import pytest

from tests.api.helpers import (
    TUE_10,
    attendee,
    book,
    occupancy_count,
    outbox_topics,
    slot_starts,
    subscribe,
)


async def test_the_seed_body_books_a_slot(client, make_user, make_event_type, db):
    bob = await make_user("bob", name="Bob Host", time_zone="Europe/Rome")
    await subscribe(db, bob.id)  # triggers become rows for subscribers
    event_type_id = await make_event_type(bob, "intro", duration=30)
    response = await book(
        client,
        event_type_id,
        meetingUrl="https://meet.example.com/room",
        metadata={"crmId": "42"},
    )
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    assert data["status"] == "accepted"
    assert (data["start"], data["end"], data["duration"]) == (
        "2030-01-08T10:00:00.000Z",
        "2030-01-08T10:30:00.000Z",
        30,
    )
    assert data["title"] == "Intro between Bob Host and Jane Doe"
    assert data["hosts"] == [
        {
            "id": bob.id,
            "userId": bob.id,
            "name": "Bob Host",
            "email": "bob@example.com",
            "displayEmail": "bob@example.com",
            "username": "bob",
            "timeZone": "Europe/Rome",
        }
    ]
    assert data["attendees"][0] | {} == {
        "name": "Jane Doe",
        "email": "jane@example.com",
        "displayEmail": "jane@example.com",
        "timeZone": "America/New_York",
        "language": "en",
        "absent": False,
    }
    assert data["eventType"] == {"id": event_type_id, "slug": "intro"}
    assert data["location"] == data["meetingUrl"] == "https://meet.example.com/room"
    assert data["metadata"] == {"crmId": "42"}
    assert data["updatedAt"] == data["createdAt"]
    assert data["icsUid"].startswith(data["uid"])
    assert len(data["uid"]) >= 22  # at least 128 random bits
    assert data["bookingFieldsResponses"] == {"name": "Jane Doe", "email": "jane@example.com"}
    assert await outbox_topics(db, data["uid"]) == ["BOOKING_CREATED"]
    assert "2030-01-08T10:00:00.000Z" not in await slot_starts(client, event_type_id)
    # The answer is built from what was written; reading the booking back gives the same.
    fetched = await client.get(f"/v2/bookings/{data['uid']}", headers=bob.auth)
    assert fetched.json()["data"] == data


async def test_cal_video_becomes_a_meeting_link(client, make_user, make_event_type):
    bob = await make_user("bob")
    event_type_id = await make_event_type(
        bob, settings={"locations": [{"type": "integration", "integration": "cal-video"}]}
    )
    response = await book(
        client, event_type_id, location={"type": "integration", "integration": "cal-video"}
    )
    data = response.json()["data"]
    assert data["location"] == f"https://meet.jit.si/rendezvous-{data['uid']}"
    refused = await book(
        client,
        event_type_id,
        start="2030-01-08T11:00:00Z",
        location={"type": "attendeePhone", "phone": "+15555550100"},
    )
    assert refused.status_code == 400
    assert "location" in refused.json()["error"]["message"].lower()


async def test_a_taken_slot_is_a_409_and_rule_breaks_are_422(client, make_user, make_event_type):
    bob = await make_user("bob")
    event_type_id = await make_event_type(bob, duration=30, minimum_notice=120)
    assert (await book(client, event_type_id)).status_code == 201
    taken = await book(client, event_type_id)
    assert taken.status_code == 409
    assert taken.json()["error"]["code"] == "ConflictException"
    for start, words in [
        ("2030-01-08T07:00:00Z", "not available"),  # before working hours
        ("2030-01-07T09:00:00Z", "minimum booking notice"),  # an hour from now
        ("2030-01-06T10:00:00Z", "past"),
    ]:
        response = await book(client, event_type_id, start=start)
        assert response.status_code == 422, response.text
        assert response.json()["error"]["code"] == "UnprocessableEntityException"
        assert words in response.json()["error"]["message"]
    wrong_duration = await book(
        client, event_type_id, start="2030-01-08T12:00:00Z", lengthInMinutes=45
    )
    assert wrong_duration.status_code == 422


async def test_buffers_keep_neighbouring_slots_free(client, make_user, make_event_type, db):
    bob = await make_user("bob")
    event_type_id = await make_event_type(bob, duration=30, before_buffer=15, after_buffer=15)
    assert (await book(client, event_type_id)).status_code == 201
    starts = await slot_starts(client, event_type_id)
    assert "2030-01-08T09:30:00.000Z" not in starts  # would end where the buffer starts
    assert "2030-01-08T10:30:00.000Z" not in starts
    assert "2030-01-08T11:00:00.000Z" in starts
    assert (await book(client, event_type_id, start="2030-01-08T10:30:00Z")).status_code == 409
    assert await occupancy_count(db) == 1


async def test_confirmation_policy_makes_a_pending_booking_the_host_confirms(
    client, make_user, make_event_type, db
):
    bob = await make_user("bob")
    await subscribe(db, bob.id)  # triggers become rows for subscribers
    ann = await make_user("ann")
    policy = {"type": "always", "blockUnconfirmedBookingsInBooker": True}
    event_type_id = await make_event_type(bob, settings={"confirmationPolicy": policy})
    data = (await book(client, event_type_id)).json()["data"]
    assert data["status"] == "pending"
    uid = data["uid"]
    assert "2030-01-08T10:00:00.000Z" not in await slot_starts(client, event_type_id)
    assert (await client.post(f"/v2/bookings/{uid}/confirm")).status_code == 401
    assert (await client.post(f"/v2/bookings/{uid}/confirm", headers=ann.auth)).status_code == 404
    confirmed = await client.post(f"/v2/bookings/{uid}/confirm", headers=bob.auth)
    assert confirmed.status_code == 200
    assert confirmed.json()["data"]["status"] == "accepted"
    again = await client.post(f"/v2/bookings/{uid}/confirm", headers=bob.auth)
    assert again.status_code == 422
    assert await outbox_topics(db, uid) == [
        "BOOKING_REQUESTED",
        "BOOKING_CONFIRMED",
        "BOOKING_CREATED",
    ]


async def test_a_declined_booking_frees_its_time(client, make_user, make_event_type, db):
    bob = await make_user("bob")
    await subscribe(db, bob.id)  # triggers become rows for subscribers
    policy = {"type": "always", "blockUnconfirmedBookingsInBooker": True}
    event_type_id = await make_event_type(bob, settings={"confirmationPolicy": policy})
    uid = (await book(client, event_type_id)).json()["data"]["uid"]
    declined = await client.post(
        f"/v2/bookings/{uid}/decline", json={"reason": "Busy"}, headers=bob.auth
    )
    assert declined.status_code == 200
    assert declined.json()["data"]["status"] == "rejected"
    assert "2030-01-08T10:00:00.000Z" in await slot_starts(client, event_type_id)
    assert await outbox_topics(db, uid) == ["BOOKING_REQUESTED", "BOOKING_REJECTED"]
    assert (await client.post(f"/v2/bookings/{uid}/decline", headers=bob.auth)).status_code == 422


async def test_cancelling_frees_the_time_at_once(client, make_user, make_event_type, db):
    bob = await make_user("bob")
    event_type_id = await make_event_type(bob)
    uid = (await book(client, event_type_id)).json()["data"]["uid"]
    cancelled = await client.post(
        f"/v2/bookings/{uid}/cancel", json={"cancellationReason": "Will travel"}
    )
    assert cancelled.status_code == 200
    data = cancelled.json()["data"]
    assert (data["status"], data["cancellationReason"]) == ("cancelled", "Will travel")
    assert data["cancelledByEmail"] == "jane@example.com"
    assert "2030-01-08T10:00:00.000Z" in await slot_starts(client, event_type_id)
    assert await occupancy_count(db) == 0
    assert (await client.post(f"/v2/bookings/{uid}/cancel", json={})).status_code == 422
    assert (await book(client, event_type_id)).status_code == 201


async def test_reschedule_makes_a_new_booking_and_cancels_the_old(
    client, make_user, make_event_type, db
):
    bob = await make_user("bob")
    await subscribe(db, bob.id)  # triggers become rows for subscribers
    event_type_id = await make_event_type(bob, duration=60, slot_interval=30)
    old = (await book(client, event_type_id)).json()["data"]
    # 10:30 overlaps the old 10:00–11:00 booking: its own time counts as free.
    moved = await client.post(
        f"/v2/bookings/{old['uid']}/reschedule",
        json={"start": "2030-01-08T10:30:00Z", "reschedulingReason": "Conflict"},
    )
    assert moved.status_code == 201, moved.text
    new = moved.json()["data"]
    assert new["uid"] != old["uid"]
    assert new["rescheduledFromUid"] == old["uid"]
    assert new["start"] == "2030-01-08T10:30:00.000Z"
    assert new["status"] == "accepted"
    previous = (await client.get(f"/v2/bookings/{old['uid']}")).json()["data"]
    assert previous["status"] == "cancelled"
    assert previous["rescheduledToUid"] == new["uid"]
    assert await occupancy_count(db) == 1
    starts = await slot_starts(client, event_type_id)
    assert "2030-01-08T10:00:00.000Z" not in starts  # overlaps the new 10:30–11:30
    assert "2030-01-08T09:00:00.000Z" in starts
    again = await client.post(
        f"/v2/bookings/{old['uid']}/reschedule", json={"start": "2030-01-08T14:00:00Z"}
    )
    assert again.status_code == 422
    chain = await client.post(
        f"/v2/bookings/{new['uid']}/reschedule", json={"start": "2030-01-08T14:00:00Z"}
    )
    assert chain.json()["data"]["rescheduledFromUid"] == new["uid"]
    assert await outbox_topics(db, new["uid"]) == ["BOOKING_RESCHEDULED"]


async def test_seats_fill_one_booking_until_full(client, make_user, make_event_type):
    bob = await make_user("bob")
    seats = {"seatsPerTimeSlot": 2, "showAttendeeInfo": False, "showAvailabilityCount": True}
    event_type_id = await make_event_type(bob, seats_per_slot=2, settings={"seats": seats})
    first = (await book(client, event_type_id)).json()["data"]
    second = await client.post(
        "/v2/bookings",
        json={
            "start": TUE_10,
            "eventTypeId": event_type_id,
            "attendee": attendee("Sam", "sam@example.com"),
        },
    )
    assert second.status_code == 201
    assert second.json()["data"]["uid"] == first["uid"]
    assert second.json()["data"]["seatUid"] != first["seatUid"]
    # An attendee sees only their own seat when attendee info is hidden.
    assert [a["email"] for a in second.json()["data"]["attendees"]] == ["sam@example.com"]
    slots = (
        await client.get(
            "/v2/slots",
            params={"eventTypeId": event_type_id, "start": "2030-01-08", "end": "2030-01-08"},
        )
    ).json()["data"]["2030-01-08"]
    assert not any(s["start"] == "2030-01-08T10:00:00.000Z" for s in slots)
    full = await client.post(
        "/v2/bookings",
        json={
            "start": TUE_10,
            "eventTypeId": event_type_id,
            "attendee": attendee("Kim", "kim@example.com"),
        },
    )
    assert full.status_code == 409
    host_view = (await client.get(f"/v2/bookings/{first['uid']}", headers=bob.auth)).json()
    assert len(host_view["data"]["attendees"]) == 2
    # Cancelling one seat keeps the booking for the other.
    cancel = await client.post(
        f"/v2/bookings/{first['uid']}/cancel", json={"seatUid": first["seatUid"]}
    )
    assert cancel.status_code == 200
    assert cancel.json()["data"]["status"] == "accepted"


async def test_recurring_bookings_are_all_or_nothing(client, make_user, make_event_type):
    bob = await make_user("bob")
    recurrence = {"interval": 1, "occurrences": 3, "frequency": "weekly"}
    event_type_id = await make_event_type(bob, settings={"recurrence": recurrence})
    response = await book(client, event_type_id)
    assert response.status_code == 201
    series = response.json()["data"]
    assert [b["start"] for b in series] == [
        "2030-01-08T10:00:00.000Z",
        "2030-01-15T10:00:00.000Z",
        "2030-01-22T10:00:00.000Z",
    ]
    recurring_uid = series[0]["recurringBookingUid"]
    assert {b["recurringBookingUid"] for b in series} == {recurring_uid}
    # A second series on the same Tuesdays collides in its first week: nothing is booked.
    clash = await book(client, event_type_id, start="2030-01-15T10:00:00Z")
    assert clash.status_code == 409
    fetched = (await client.get(f"/v2/bookings/{recurring_uid}")).json()["data"]
    assert len(fetched) == 3
    too_many = await book(client, event_type_id, start="2030-01-08T12:00:00Z", recurrenceCount=4)
    assert too_many.status_code == 400
    cancelled = (await client.post(f"/v2/bookings/{recurring_uid}/cancel", json={})).json()
    assert [b["status"] for b in cancelled["data"]] == ["cancelled"] * 3


async def test_cancel_subsequent_occurrences(client, make_user, make_event_type):
    bob = await make_user("bob")
    recurrence = {"interval": 1, "occurrences": 3, "frequency": "weekly"}
    event_type_id = await make_event_type(bob, settings={"recurrence": recurrence})
    series = (await book(client, event_type_id)).json()["data"]
    await client.post(
        f"/v2/bookings/{series[1]['uid']}/cancel", json={"cancelSubsequentBookings": True}
    )
    statuses = [
        (await client.get(f"/v2/bookings/{b['uid']}")).json()["data"]["status"] for b in series
    ]
    assert statuses == ["accepted", "cancelled", "cancelled"]


async def test_disabled_cancelling_and_rescheduling_are_honoured(
    client, make_user, make_event_type
):
    bob = await make_user("bob")
    event_type_id = await make_event_type(
        bob,
        settings={
            "disableCancelling": {"disabled": True},
            "disableRescheduling": {"disabled": True, "minutesBefore": 60 * 24 * 2},
        },
    )
    uid = (await book(client, event_type_id)).json()["data"]["uid"]
    assert (await client.post(f"/v2/bookings/{uid}/cancel", json={})).status_code == 422
    near = await client.post(
        f"/v2/bookings/{uid}/reschedule", json={"start": "2030-01-09T10:00:00Z"}
    )
    assert near.status_code == 422
    assert "within" in near.json()["error"]["message"]


async def test_booking_fields_are_checked(client, make_user, make_event_type):
    bob = await make_user("bob")
    fields = [
        {"type": "text", "slug": "company", "label": "Company", "required": True},
        {"type": "number", "slug": "size", "label": "Size", "required": False},
    ]
    event_type_id = await make_event_type(bob, settings={"bookingFields": fields})
    missing = await book(client, event_type_id)
    assert missing.status_code == 400
    assert missing.json()["error"]["details"]["errors"][0]["property"] == (
        "bookingFieldsResponses.company"
    )
    wrong = await book(client, event_type_id, bookingFieldsResponses={"company": "A", "size": "x"})
    assert wrong.status_code == 400
    ok = await book(client, event_type_id, bookingFieldsResponses={"company": "Acme", "size": 12})
    assert ok.status_code == 201
    assert ok.json()["data"]["bookingFieldsResponses"]["company"] == "Acme"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"start": "not a date"}, "start"),
        ({"start": "2030-01-08T10:00:00"}, "start"),  # no offset: must be UTC
        (
            {"attendee": {"name": "J", "timeZone": "Mars/Base", "email": "j@example.com"}},
            "attendee.timeZone",
        ),
        ({"attendee": {"name": "J", "timeZone": "UTC", "email": "nope"}}, "attendee.email"),
        ({"guests": ["not-an-email"]}, "guests.0"),
        ({"metadata": {"k" * 41: "v"}}, "metadata"),
        ({"eventTypeId": None}, "body"),
    ],
)
async def test_bad_booking_input_names_the_field(client, make_user, make_event_type, change, field):
    bob = await make_user("bob")
    event_type_id = await make_event_type(bob)
    body = {"start": TUE_10, "eventTypeId": event_type_id, "attendee": attendee()} | change
    response = await client.post("/v2/bookings", json=body)
    assert response.status_code == 400, response.text
    properties = [e["property"] for e in response.json()["error"]["details"]["errors"]]
    assert field in properties


async def test_integers_as_whole_floats_and_slug_lookup(client, make_user, make_event_type):
    bob = await make_user("bob")
    event_type_id = await make_event_type(bob, "chat")
    by_float = await client.post(
        "/v2/bookings",
        json={"start": TUE_10, "eventTypeId": float(event_type_id), "attendee": attendee()},
    )
    assert by_float.status_code == 201
    by_slug = await client.post(
        "/v2/bookings",
        json={
            "start": "2030-01-08T11:00:00Z",
            "eventTypeSlug": "chat",
            "username": "bob",
            "attendee": attendee(),
        },
    )
    assert by_slug.status_code == 201


async def test_unknown_booking_is_a_404(client):
    assert (await client.get("/v2/bookings/nope")).status_code == 404
    assert (await client.post("/v2/bookings/nope/cancel", json={})).status_code == 404
