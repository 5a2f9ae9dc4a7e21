"""Who sees what of a booking: an email address grants nothing until it is verified (issue 9
item 1), and a seat holder of a seated event that hides attendees sees only their own seat
(issue 9 item 7). Hosts see everything."""

from __future__ import annotations

import json
from typing import Any

from rendezvous.db.engine import session_factory
from rendezvous.db.uow import UnitOfWork
from rendezvous.services import accounts

# The default clock is Monday 2030-01-07 08:00 UTC; default schedules are Mon–Fri 09:00–17:00.
TUE_10 = "2030-01-08T10:00:00Z"
TUE_11 = "2030-01-08T11:00:00Z"
TUE_13 = "2030-01-08T13:00:00Z"
TUE_15 = "2030-01-08T15:00:00Z"
HIDDEN = {"seatsPerTimeSlot": 3, "showAttendeeInfo": False, "showAvailabilityCount": True}
ALWAYS_CONFIRM = {"confirmationPolicy": {"type": "always"}}


def person(name: str, email: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "email": email, "timeZone": "Europe/Rome"} | extra


async def book(client, event_type_id: int, who: dict, start: str = TUE_10, **extra) -> dict:
    body = {"start": start, "eventTypeId": event_type_id, "attendee": who} | extra
    response = await client.post("/v2/bookings", json=body, headers=extra.pop("headers", None))
    assert response.status_code == 201, response.text
    return dict(response.json()["data"])


def text_of(value: Any) -> str:
    return json.dumps(value)


async def _jane_books_alices_events(client, make_user, make_event_type) -> dict[str, Any]:
    """Alice hosts a plain, a confirm-first and a seated (attendees hidden) event type; Jane, a
    stranger to the server, books each with notes, a phone number and metadata."""
    alice = await make_user("alice", name="Alice Host")
    plain = await make_event_type(alice, "intro")
    vetted = await make_event_type(alice, "vetted", settings=ALWAYS_CONFIRM)
    seated = await make_event_type(alice, "class", seats_per_slot=3, settings={"seats": HIDDEN})
    jane = person("Jane Doe", "jane@example.com", phoneNumber="+393471234567")
    private = {"bookingFieldsResponses": {"notes": "jane-secret-notes"}, "metadata": {"crm": "j1"}}
    return {
        "alice": alice,
        "plain": await book(client, plain, jane, TUE_10, **private),
        "pending": await book(client, vetted, jane, TUE_11, **private),
        "seated": await book(client, seated, jane, TUE_13, **private),
    }


async def test_a_self_asserted_email_shows_nothing_of_another_hosts_bookings(
    client, make_user, make_event_type
):
    world = await _jane_books_alices_events(client, make_user, make_event_type)
    mallory = await make_user("mallory")
    patched = await client.patch("/v2/me", json={"email": "jane@example.com"}, headers=mallory.auth)
    assert patched.status_code == 200
    assert patched.json()["data"]["email"] == "jane@example.com"

    # The listing and every filter of it: nothing, not even a count.
    for params in (
        {},
        {"attendeeEmail": "jane@example.com"},
        {"attendeeName": "Jane Doe"},
        {"bookingUid": world["plain"]["uid"]},
        {"status": "upcoming,unconfirmed,past,cancelled"},
    ):
        listing = await client.get("/v2/bookings", params=params, headers=mallory.auth)
        assert listing.status_code == 200
        assert listing.json()["data"] == [], params
        assert listing.json()["pagination"]["totalItems"] == 0

    # A seated booking's uid opens no seat to the address: the same as to anyone.
    seat_view = await client.get(f"/v2/bookings/{world['seated']['uid']}", headers=mallory.auth)
    assert seat_view.status_code == 200
    shown = seat_view.json()["data"]
    assert shown["attendees"] == []
    for private in ("Jane", "jane@example.com", "jane-secret-notes", "+393471234567", "j1"):
        assert private not in text_of(shown), private

    # Host powers: the address does not even reveal that the booking exists.
    for action in ("confirm", "decline"):
        refused = await client.post(
            f"/v2/bookings/{world['pending']['uid']}/{action}", json={}, headers=mallory.auth
        )
        assert refused.status_code == 404, refused.text
    cancel_all = await client.post(
        f"/v2/bookings/{world['seated']['uid']}/cancel", json={}, headers=mallory.auth
    )
    assert cancel_all.status_code == 400

    # Nothing changed for the host.
    alice = world["alice"]
    hosted = await client.get("/v2/bookings", params={"status": "upcoming,unconfirmed"},
                              headers=alice.auth)  # fmt: skip
    assert hosted.json()["pagination"]["totalItems"] == 3
    assert {b["status"] for b in hosted.json()["data"]} == {"accepted", "pending"}


async def test_a_verified_attendee_still_sees_the_bookings_they_attend(
    client, make_user, make_event_type
):
    world = await _jane_books_alices_events(client, make_user, make_event_type)
    jane = await make_user("jane")  # created by the operator: jane@example.com is verified
    listing = (await client.get("/v2/bookings", headers=jane.auth)).json()
    assert {b["uid"] for b in listing["data"]} == {
        world["plain"]["uid"],
        world["pending"]["uid"],
        world["seated"]["uid"],
    }
    plain = next(b for b in listing["data"] if b["uid"] == world["plain"]["uid"])
    assert plain["description"] == "jane-secret-notes"
    # In a seated booking that hides attendees, their own seat (with its seat uid) is theirs.
    seat = (await client.get(f"/v2/bookings/{world['seated']['uid']}", headers=jane.auth)).json()
    assert [a["email"] for a in seat["data"]["attendees"]] == ["jane@example.com"]
    assert seat["data"]["attendees"][0]["seatUid"] == world["seated"]["seatUid"]
    assert seat["data"]["description"] == "jane-secret-notes"
    # An attendee may not confirm: told so, since the booking is theirs to know of.
    refused = await client.post(
        f"/v2/bookings/{world['pending']['uid']}/confirm", headers=jane.auth
    )
    assert refused.status_code == 403


async def test_a_changed_email_is_unverified_until_the_operator_vouches_for_it(
    client, make_user, make_event_type, db, clock
):
    world = await _jane_books_alices_events(client, make_user, make_event_type)
    jane = await make_user("jane", email="jane.old@example.com")
    await client.patch("/v2/me", json={"email": "jane@example.com"}, headers=jane.auth)
    assert (await client.get("/v2/bookings", headers=jane.auth)).json()["data"] == []
    # Sending the same address again changes nothing (and verifies nothing).
    await client.patch("/v2/me", json={"email": "JANE@example.com"}, headers=jane.auth)
    assert (await client.get("/v2/bookings", headers=jane.auth)).json()["data"] == []

    async with UnitOfWork(session_factory(db), write=True) as uow:
        user = await uow.users.by_email("jane@example.com")
        assert user is not None and not user.email_verified
        await accounts.verify_email(uow, user, clock())  # `rendezvous users verify-email`
        await uow.commit()
    listing = (await client.get("/v2/bookings", headers=jane.auth)).json()
    assert len(listing["data"]) == 3
    assert world["plain"]["uid"] in {b["uid"] for b in listing["data"]}


async def test_rescheduled_by_the_owners_address_needs_the_owner_authenticated(
    client, make_user, make_event_type
):
    alice = await make_user("alice")
    vetted = await make_event_type(alice, "vetted", settings=ALWAYS_CONFIRM)
    first = await book(client, vetted, person("Jane", "jane@example.com"))
    claimed = await client.post(
        f"/v2/bookings/{first['uid']}/reschedule",
        json={"start": TUE_11, "rescheduledBy": "alice@example.com"},
    )
    assert claimed.status_code == 201, claimed.text
    assert claimed.json()["data"]["status"] == "pending"  # a typed address proves nothing
    owner = await client.post(
        f"/v2/bookings/{claimed.json()['data']['uid']}/reschedule",
        json={"start": TUE_13, "rescheduledBy": "alice@example.com"},
        headers=alice.auth,
    )
    assert owner.status_code == 201, owner.text
    assert owner.json()["data"]["status"] == "accepted"


# --- seats (issue 9 item 7) -------------------------------------------------------------------


async def _two_seats(client, make_user, make_event_type, **event_settings) -> dict[str, Any]:
    """Two strangers take seats of Alice's class (attendees hidden unless overridden)."""
    alice = await make_user("alice", name="Alice Host")
    settings = {"seats": HIDDEN} | event_settings
    class_id = await make_event_type(alice, "class", seats_per_slot=3, settings=settings)
    ann = await book(
        client,
        class_id,
        person("Ann First", "ann@example.com", phoneNumber="+393470000001"),
        bookingFieldsResponses={"notes": "ann-private-notes"},
        metadata={"who": "ann-meta"},
    )
    ben = await book(
        client,
        class_id,
        person("Ben Second", "ben@example.com"),
        bookingFieldsResponses={"notes": "ben-notes"},
        metadata={"who": "ben-meta"},
    )
    return {"alice": alice, "class": class_id, "ann": ann, "ben": ben}


ANN_PRIVATE = ("Ann First", "ann@example.com", "ann-private-notes", "ann-meta", "+393470000001")


def assert_nothing_of_ann(data: Any) -> None:
    for private in ANN_PRIVATE:
        assert private not in text_of(data), private


async def test_a_second_seat_sees_only_its_own_seat(client, make_user, make_event_type):
    world = await _two_seats(client, make_user, make_event_type)
    ben = world["ben"]
    assert ben["uid"] == world["ann"]["uid"]
    assert_nothing_of_ann(ben)
    assert [a["name"] for a in ben["attendees"]] == ["Ben Second"]
    assert ben["title"] == "Class between Alice Host and Ben Second"
    assert ben["description"] == "ben-notes"
    assert ben["metadata"] == {"who": "ben-meta"}
    assert ben["attendees"][0]["bookingFieldsResponses"]["notes"] == "ben-notes"
    assert ben["seatUid"] == ben["attendees"][0]["seatUid"]


async def test_an_anonymous_caller_sees_no_seat(client, make_user, make_event_type):
    world = await _two_seats(client, make_user, make_event_type)
    shown = (await client.get(f"/v2/bookings/{world['ann']['uid']}")).json()["data"]
    assert shown["attendees"] == []
    assert shown["title"] == "Class"
    assert (shown["description"], shown["metadata"]) == ("", {})
    assert_nothing_of_ann(shown)
    for private in ("Ben Second", "ben-notes", "ben-meta"):
        assert private not in text_of(shown)
    # An authenticated stranger (not a host, no seat) sees the same.
    eve = await make_user("eve")
    assert (await client.get(f"/v2/bookings/{world['ann']['uid']}", headers=eve.auth)).json()[
        "data"
    ]["attendees"] == []


async def test_hosts_see_every_seat(client, make_user, make_event_type):
    world = await _two_seats(client, make_user, make_event_type)
    alice = world["alice"]
    shown = (await client.get(f"/v2/bookings/{world['ann']['uid']}", headers=alice.auth)).json()[
        "data"
    ]
    assert [a["name"] for a in shown["attendees"]] == ["Ann First", "Ben Second"]
    assert all("seatUid" in a for a in shown["attendees"])
    assert shown["title"] == "Class between Alice Host and Ann First"
    assert shown["description"] == "ann-private-notes"
    listed = (await client.get("/v2/bookings", headers=alice.auth)).json()["data"]
    assert [a["name"] for a in listed[0]["attendees"]] == ["Ann First", "Ben Second"]


async def test_a_seat_holder_listing_sees_only_their_seat(client, make_user, make_event_type):
    await _two_seats(client, make_user, make_event_type)
    ben = await make_user("ben")  # a verified user with Ben's address
    listed = (await client.get("/v2/bookings", headers=ben.auth)).json()["data"]
    assert len(listed) == 1
    assert [a["name"] for a in listed[0]["attendees"]] == ["Ben Second"]
    assert listed[0]["description"] == "ben-notes"
    assert_nothing_of_ann(listed)


async def test_attendee_filters_do_not_tell_a_seat_holder_who_else_holds_a_seat(
    client, make_user, make_event_type
):
    world = await _two_seats(client, make_user, make_event_type)
    ben = await make_user("ben")  # a verified user with Ben's address
    for params in ({"attendeeEmail": "ann@example.com"}, {"attendeeName": "Ann First"}):
        listed = await client.get("/v2/bookings", params=params, headers=ben.auth)
        assert listed.status_code == 200
        assert listed.json()["data"] == [], params
        assert listed.json()["pagination"]["totalItems"] == 0
    # Their own seat still matches the filters, and the host's filters see every seat.
    for params in ({"attendeeEmail": "BEN@example.com"}, {"attendeeName": "ben second"}):
        mine = (await client.get("/v2/bookings", params=params, headers=ben.auth)).json()
        assert [b["uid"] for b in mine["data"]] == [world["ben"]["uid"]], params
    hosted = await client.get(
        "/v2/bookings", params={"attendeeEmail": "ann@example.com"}, headers=world["alice"].auth
    )
    assert [b["uid"] for b in hosted.json()["data"]] == [world["ann"]["uid"]]


async def test_seat_moves_and_cancellations_answer_only_with_the_callers_seat(
    client, make_user, make_event_type
):
    world = await _two_seats(client, make_user, make_event_type)
    uid = world["ann"]["uid"]
    # A third seat at another time first, so Ben's move joins someone else's booking.
    cara = await book(
        client,
        world["class"],
        person("Cara Third", "cara@example.com"),
        start=TUE_15,
        bookingFieldsResponses={"notes": "cara-notes"},
    )
    moved = await client.post(
        f"/v2/bookings/{uid}/reschedule",
        json={"start": TUE_15, "seatUid": world["ben"]["seatUid"], "reschedulingReason": "late"},
    )
    assert moved.status_code == 201, moved.text
    data = moved.json()["data"]
    assert data["uid"] == cara["uid"]
    assert [a["name"] for a in data["attendees"]] == ["Ben Second"]
    assert "Cara" not in text_of(data) and "cara-notes" not in text_of(data)
    assert_nothing_of_ann(data)

    cancelled = await client.post(
        f"/v2/bookings/{cara['uid']}/cancel", json={"seatUid": cara["seatUid"]}
    )
    assert cancelled.status_code == 200
    assert "Cara" not in text_of(cancelled.json()["data"])
    assert "Ben" not in text_of(cancelled.json()["data"])


async def test_the_last_seats_cancellation_names_no_one_to_strangers(
    client, make_user, make_event_type
):
    alice = await make_user("alice", name="Alice Host")
    class_id = await make_event_type(alice, "class", seats_per_slot=3, settings={"seats": HIDDEN})
    ann = await book(client, class_id, person("Ann First", "ann@example.com"))
    done = await client.post(
        f"/v2/bookings/{ann['uid']}/cancel",
        json={"seatUid": ann["seatUid"], "cancellationReason": "ann-reason"},
    )
    assert done.status_code == 200
    shown = (await client.get(f"/v2/bookings/{ann['uid']}")).json()["data"]
    assert shown["status"] == "cancelled"
    for private in ("Ann First", "ann@example.com", "ann-reason"):
        assert private not in text_of(shown), private
    host = (await client.get(f"/v2/bookings/{ann['uid']}", headers=alice.auth)).json()["data"]
    assert host["cancelledByEmail"] == "ann@example.com"


async def test_an_attendee_address_as_location_stays_with_its_seat(
    client, make_user, make_event_type
):
    alice = await make_user("alice", name="Alice Host")
    locations = [{"type": "attendeeAddress"}, {"type": "integration", "integration": "cal-video"}]
    class_id = await make_event_type(
        alice, "class", seats_per_slot=3, settings={"seats": HIDDEN, "locations": locations}
    )
    ann = await book(
        client,
        class_id,
        person("Ann First", "ann@example.com"),
        location={"type": "attendeeAddress", "address": "Ann's flat, Via Roma 1"},
    )
    assert ann["location"] == "Ann's flat, Via Roma 1"
    ben = await book(client, class_id, person("Ben Second", "ben@example.com"))
    assert "Via Roma" not in text_of(ben)
    host = (await client.get(f"/v2/bookings/{ann['uid']}", headers=alice.auth)).json()["data"]
    assert host["location"] == "Ann's flat, Via Roma 1"


async def test_shown_attendees_are_shown_to_every_seat(client, make_user, make_event_type):
    shown_seats = HIDDEN | {"showAttendeeInfo": True}
    world = await _two_seats(client, make_user, make_event_type, seats=shown_seats)
    assert [a["name"] for a in world["ben"]["attendees"]] == ["Ann First", "Ben Second"]
    # Only the caller's own seat carries its seat uid.
    assert ["seatUid" in a for a in world["ben"]["attendees"]] == [False, True]
