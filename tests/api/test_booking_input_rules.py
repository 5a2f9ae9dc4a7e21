"""Booking input a person would send by mistake or in another form, and bookings that outlive
their event type: each answered the way a Cal.com user expects, never with a 500."""

from __future__ import annotations

import pytest

from tests.api.helpers import TUE_10, attendee, book

ET_HEADERS = {"cal-api-version": "2024-06-14"}
SEATS = {"seatsPerTimeSlot": 3, "showAttendeeInfo": True, "showAvailabilityCount": True}
TUE_11 = "2030-01-08T11:00:00Z"


def error_fields(response) -> list[str]:
    return [e["property"] for e in response.json()["error"]["details"]["errors"]]


# --- a booking outlives its event type ----------------------------------------------------------


async def test_a_booking_whose_event_type_was_deleted_can_still_be_cancelled(
    client, make_user, make_event_type
):
    bob = await make_user("bob")
    event_type_id = await make_event_type(bob)
    uid = (await book(client, event_type_id)).json()["data"]["uid"]
    deleted = await client.delete(f"/v2/event-types/{event_type_id}", headers=bob.auth | ET_HEADERS)
    assert deleted.status_code == 200, deleted.text

    shown = (await client.get(f"/v2/bookings/{uid}", headers=bob.auth)).json()["data"]
    assert (shown["status"], shown["eventTypeId"], shown["eventType"]) == ("accepted", None, None)

    # The meeting still takes Bob's time until it is cancelled …
    other = await make_event_type(bob, "other")
    assert (await book(client, other)).status_code == 409
    cancelled = await client.post(f"/v2/bookings/{uid}/cancel", json={}, headers=bob.auth)
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["data"]["status"] == "cancelled"
    # … and cancelling frees it.
    assert (await book(client, other)).status_code == 201


async def test_a_pending_booking_whose_event_type_was_deleted_can_be_confirmed(
    client, make_user, make_event_type
):
    bob = await make_user("bob")
    policy = {"type": "always", "blockUnconfirmedBookingsInBooker": False}
    event_type_id = await make_event_type(bob, settings={"confirmationPolicy": policy})
    uid = (await book(client, event_type_id)).json()["data"]["uid"]
    await client.delete(f"/v2/event-types/{event_type_id}", headers=bob.auth | ET_HEADERS)
    confirmed = await client.post(f"/v2/bookings/{uid}/confirm", headers=bob.auth)
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["data"]["status"] == "accepted"


# --- NUL characters: PostgreSQL cannot store them, so every engine refuses them ------------------


@pytest.mark.parametrize(
    ("method", "url", "body", "field"),
    [
        ("get", "/v2/bookings/a%00b", None, "path"),
        ("get", "/v2/bookings?attendeeName=a%00b", None, "attendeeName"),
        ("get", "/v2/bookings?bookingUid=a%00b", None, "bookingUid"),
        ("post", "/v2/bookings", {"attendee": {"name": "a\x00b"}}, "attendee.name"),
        ("post", "/v2/bookings", {"metadata": {"k\x00": "v"}}, "metadata.k"),
    ],
)
async def test_text_with_a_nul_character_is_a_400(
    client, make_user, make_event_type, method, url, body, field
):
    bob = await make_user("bob")
    event_type_id = await make_event_type(bob)
    if body is not None:
        base = {
            "start": TUE_10,
            "eventTypeId": event_type_id,
            "attendee": attendee(),
        }
        body = base | {k: (base.get(k, {}) | v) for k, v in body.items()}
        response = await client.post(url, json=body)
    else:
        response = await client.request(method.upper(), url, headers=bob.auth)
    assert response.status_code == 400, response.text
    assert "NUL" in response.json()["message"]
    assert field in response.json()["message"]
    if body is not None:  # named at the caller's own path, not the whole body
        assert response.json()["error"]["details"]["errors"][0]["property"] == field


async def test_a_reservation_cookie_spelling_a_nul_character_is_a_400(client):
    # A quoted cookie value may spell NUL as an octal escape, which the cookie parser decodes.
    response = await client.delete("/v2/slots/selected-slot", headers={"Cookie": 'uid="\\000abc"'})
    assert response.status_code == 400, response.text
    assert "NUL" in response.json()["message"]
    assert response.json()["error"]["details"]["errors"][0]["property"] == "uid"


async def test_a_cancellation_reason_with_a_nul_character_is_a_400_and_changes_nothing(
    client, make_user, make_event_type
):
    bob = await make_user("bob")
    uid = (await book(client, await make_event_type(bob))).json()["data"]["uid"]
    response = await client.post(
        f"/v2/bookings/{uid}/cancel", json={"cancellationReason": "no\x00"}, headers=bob.auth
    )
    assert response.status_code == 400
    shown = await client.get(f"/v2/bookings/{uid}", headers=bob.auth)
    assert shown.json()["data"]["status"] == "accepted"


# --- reservations -----------------------------------------------------------------------------


async def test_a_reservation_is_consumed_only_by_a_booking_of_its_own_slot(
    client, make_user, make_event_type
):
    bob = await make_user("bob")
    event_type_id = await make_event_type(bob)
    held = await client.post(
        "/v2/slots/reservations", json={"eventTypeId": event_type_id, "slotStart": TUE_10}
    )
    reservation = held.json()["data"]["reservationUid"]
    elsewhere = await book(client, event_type_id, start=TUE_11, reservationUid=reservation)
    assert elsewhere.status_code == 201
    # The 10:00 hold still stands: a stranger cannot take that slot.
    stranger = await client.post(
        "/v2/bookings",
        json={"start": TUE_10, "eventTypeId": event_type_id, "attendee": attendee("S", "s@x.io")},
    )
    assert stranger.status_code == 409
    assert (await client.get(f"/v2/slots/reservations/{reservation}")).status_code == 200


# --- attendees and guests ---------------------------------------------------------------------


async def test_an_attendee_sees_their_booking_whatever_the_case_of_their_email(
    client, make_user, make_event_type
):
    bob = await make_user("bob")
    carol = await make_user("carol")
    event_type_id = await make_event_type(bob)
    made = await book(client, event_type_id, attendee=attendee("Carol", "Carol@Example.COM"))
    assert made.json()["data"]["attendees"][0]["email"] == "carol@example.com"
    listed = (await client.get("/v2/bookings", headers=carol.auth)).json()["data"]
    assert [b["uid"] for b in listed] == [made.json()["data"]["uid"]]


async def test_guests_are_listed_once_and_never_replace_the_attendee(
    client, make_user, make_event_type
):
    bob = await make_user("bob")
    event_type_id = await make_event_type(bob)
    response = await book(
        client,
        event_type_id,
        guests=["jane@example.com", "sam@example.com", "SAM@example.com"],
    )
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    assert [a["email"] for a in data["attendees"]] == ["jane@example.com"]
    assert data["guests"] == ["sam@example.com"]


async def test_guests_may_come_in_the_booking_field_responses(client, make_user, make_event_type):
    bob = await make_user("bob")
    event_type_id = await make_event_type(bob)
    response = await book(
        client, event_type_id, bookingFieldsResponses={"guests": ["sam@example.com"]}
    )
    assert response.status_code == 201, response.text
    assert response.json()["data"]["guests"] == ["sam@example.com"]

    no_guests = await make_event_type(bob, "solo", settings={"disableGuests": True})
    refused = await book(client, no_guests, bookingFieldsResponses={"guests": ["sam@example.com"]})
    assert refused.status_code == 400
    bad = await book(client, event_type_id, start=TUE_11, bookingFieldsResponses={"guests": "x"})
    assert bad.status_code == 400
    assert error_fields(bad) == ["bookingFieldsResponses.guests"]


# --- what the event type's booking fields require -----------------------------------------------


async def test_an_attendee_without_email_needs_a_phone_only_event_type(
    client, make_user, make_event_type
):
    bob = await make_user("bob")
    event_type_id = await make_event_type(bob)
    response = await client.post(
        "/v2/bookings",
        json={
            "start": TUE_10,
            "eventTypeId": event_type_id,
            "attendee": {"name": "P", "phoneNumber": "+15555550100", "timeZone": "UTC"},
        },
    )
    assert response.status_code == 400
    assert error_fields(response) == ["attendee.email"]


async def test_required_built_in_fields_must_be_answered(client, make_user, make_event_type):
    bob = await make_user("bob")
    fields = [
        {"slug": "notes", "required": True},
        {"type": "phone", "slug": "attendeePhoneNumber", "label": "Phone", "required": True},
    ]
    event_type_id = await make_event_type(bob, settings={"bookingFields": fields})
    no_phone = await book(client, event_type_id, bookingFieldsResponses={"notes": "Agenda"})
    assert no_phone.status_code == 400
    assert error_fields(no_phone) == ["attendee.phoneNumber"]

    with_phone = attendee() | {"phoneNumber": "+15555550100"}
    no_notes = await book(client, event_type_id, attendee=with_phone)
    assert no_notes.status_code == 400
    assert error_fields(no_notes) == ["bookingFieldsResponses.notes"]

    answered = await book(
        client, event_type_id, attendee=with_phone, bookingFieldsResponses={"notes": "Agenda"}
    )
    assert answered.status_code == 201, answered.text
    assert answered.json()["data"]["description"] == "Agenda"


async def test_a_seat_of_another_duration_cannot_join_a_seated_slot(
    client, make_user, make_event_type
):
    bob = await make_user("bob")
    event_type_id = await make_event_type(
        bob, seats_per_slot=3, duration_options=(30, 60), settings={"seats": SEATS}
    )
    first = await book(client, event_type_id, lengthInMinutes=30)
    assert first.status_code == 201, first.text
    longer = await book(
        client, event_type_id, lengthInMinutes=60, attendee=attendee("Sam", "sam@example.com")
    )
    assert longer.status_code == 422
    assert "30 minutes" in longer.json()["message"]
    unsaid = await book(client, event_type_id, attendee=attendee("Ann", "ann@example.com"))
    assert unsaid.status_code == 201, unsaid.text
    assert unsaid.json()["data"]["uid"] == first.json()["data"]["uid"]


async def test_a_team_slug_names_no_event_type_yet(client, make_user):
    response = await client.post(
        "/v2/bookings",
        json={
            "start": TUE_10,
            "eventTypeSlug": "intro",
            "teamSlug": "sales",
            "attendee": attendee(),
        },
    )
    assert response.status_code == 404
    assert "sales" in response.json()["message"]


# --- idempotency and listing details ------------------------------------------------------------


async def test_the_same_json_spaced_differently_is_the_same_request(
    client, make_user, make_event_type
):
    bob = await make_user("bob")
    event_type_id = await make_event_type(bob)
    person = '{"name":"J","email":"j@x.io","timeZone":"UTC"}'
    compact = f'{{"start":"{TUE_10}","eventTypeId":{event_type_id},"attendee":{person}}}'
    spaced = compact.replace(",", ", ").replace(":", ": ", 1)
    headers = {"Idempotency-Key": "k-1", "content-type": "application/json"}
    first = await client.post("/v2/bookings", content=compact, headers=headers)
    again = await client.post("/v2/bookings", content=spaced, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.content == first.content


async def test_list_filter_errors_name_the_parameter_sent(client, make_user):
    bob = await make_user("bob")
    for parameter in ("teamId", "teamsIds", "eventTypeId", "eventTypeIds"):
        response = await client.get(f"/v2/bookings?{parameter}=abc", headers=bob.auth)
        assert response.status_code == 400
        assert error_fields(response) == [parameter]


async def test_event_type_id_and_ids_together_must_both_match(client, make_user, make_event_type):
    bob = await make_user("bob")
    intro = await make_event_type(bob)
    other = await make_event_type(bob, "other")
    await book(client, intro)
    await book(client, other, start=TUE_11)

    async def listed(query: str) -> int:
        response = await client.get(f"/v2/bookings?{query}", headers=bob.auth)
        return len(response.json()["data"])

    assert await listed(f"eventTypeIds={intro},{other}") == 2
    assert await listed(f"eventTypeIds={intro},{other}&eventTypeId={other}") == 1
    assert await listed(f"eventTypeIds={intro}&eventTypeId={other}") == 0


async def test_a_bare_date_in_before_end_includes_that_day(client, make_user, make_event_type):
    bob = await make_user("bob")
    await book(client, await make_event_type(bob))
    on_the_day = await client.get("/v2/bookings?beforeEnd=2030-01-08", headers=bob.auth)
    assert len(on_the_day.json()["data"]) == 1
    the_day_before = await client.get("/v2/bookings?beforeEnd=2030-01-07", headers=bob.auth)
    assert the_day_before.json()["data"] == []
