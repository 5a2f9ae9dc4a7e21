"""Issue 9, items 2, 3, 6 and 9: hostile or absurd input is a 400 (or 413) naming the field, never
a 500 or a stalled server; stored values can never make a read fail. Both engines."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import text

from tests.api.helpers import TUE_10, attendee, book

ET = {"cal-api-version": "2024-06-14"}
SCHED = {"cal-api-version": "2024-06-11"}
EVENT_TYPE = {"lengthInMinutes": 30, "title": "Intro", "slug": "intro"}


def properties(response) -> set[str]:
    """The fields a 400 names (it must be a 400 in the error envelope)."""
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["status"] == "error" and body["error"]["code"] == "BadRequestException"
    return {e["property"] for e in body["error"]["details"]["errors"]}


def nested(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = {"a": value}
    return value


async def new_event_type(client, user, **fields: Any):
    return await client.post("/v2/event-types", json=EVENT_TYPE | fields, headers=user.auth | ET)


# --- item 2: free-form JSON is bounded at input; stored JSON never breaks a read ---


async def test_booking_responses_nested_260_deep_are_a_400_naming_the_field(
    client, make_user, make_event_type
):
    bob = await make_user("bob")
    event_type_id = await make_event_type(bob)
    response = await book(client, event_type_id, bookingFieldsResponses={"deep": nested(260)})
    assert properties(response) == {"bookingFieldsResponses"}
    assert "nested" in response.json()["message"]


async def test_booking_responses_too_large_or_with_too_many_items_are_a_400(
    client, make_user, make_event_type
):
    bob = await make_user("bob")
    event_type_id = await make_event_type(bob)
    big = {"notes": "n" * 70_000}
    many = {"list": ["x"] * 1001}
    for responses in (big, many):
        response = await book(client, event_type_id, bookingFieldsResponses=responses)
        assert properties(response) == {"bookingFieldsResponses"}
    # An ordinary form stays fine.
    fine = {"notes": "n" * 5000, "phone": {"value": "+37120993151", "optionValue": ""}}
    assert (await book(client, event_type_id, bookingFieldsResponses=fine)).status_code == 201


async def test_a_body_nested_deeper_than_the_parser_allows_is_a_400_not_a_500(
    client, make_user, make_event_type
):
    bob = await make_user("bob")
    event_type_id = await make_event_type(bob)
    body = json.dumps({"start": TUE_10, "eventTypeId": event_type_id, "attendee": attendee()})
    deep = body[:-1] + ', "bookingFieldsResponses": {"x": ' + "[" * 100_000 + "]" * 100_000 + "}}"
    response = await client.post(
        "/v2/bookings", content=deep, headers={"content-type": "application/json"}
    )
    assert response.status_code == 400, response.text
    assert response.json()["status"] == "error"


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/v2/event-types", EVENT_TYPE | {"metadata": {"k": {"nested": 1}}}, "metadata"),
        ("/v2/event-types", EVENT_TYPE | {"metadata": {f"k{i}": 1 for i in range(51)}}, "metadata"),
        (
            "/v2/event-types",
            EVENT_TYPE
            | {
                "bookingFields": [
                    {"type": "text", "slug": f"f{i}", "label": "F", "required": False}
                    for i in range(101)
                ]
            },
            "bookingFields",
        ),
        (
            "/v2/event-types",
            EVENT_TYPE | {"locations": [{"type": "address", "address": "A", "public": True}] * 21},
            "locations",
        ),
        (
            "/v2/schedules",
            {
                "name": "Many",
                "timeZone": "UTC",
                "isDefault": False,
                "overrides": [
                    {"date": f"2031-01-{d:02d}", "startTime": "09:00", "endTime": "10:00"}
                    for d in range(1, 29)
                ]
                * 40,
            },
            "overrides",
        ),
    ],
)
async def test_event_type_and_schedule_json_fields_are_bounded(
    client, make_user, path, body, field
):
    bob = await make_user("bob")
    headers = bob.auth | (ET if "event-types" in path else SCHED)
    assert field in properties(await client.post(path, json=body, headers=headers))


async def test_a_stored_deeply_nested_value_cannot_break_the_hosts_booking_list(
    client, make_user, make_event_type, db
):
    """The issue's fault: a booking stored with responses ~260 deep made every GET /v2/bookings
    a 500. Such a value (stored before input was bounded) is now served, cut to a safe depth."""
    bob = await make_user("bob")
    event_type_id = await make_event_type(bob)
    created = await book(client, event_type_id)
    uid = created.json()["data"]["uid"]
    deep = json.dumps({"deep": nested(260)})
    async with db.begin() as conn:
        await conn.execute(
            text("UPDATE bookings SET responses = :r, metadata = :r WHERE uid = :uid"),
            {"r": deep, "uid": uid},
        )
        await conn.execute(text("UPDATE attendees SET responses = :r"), {"r": deep})
    listed = await client.get("/v2/bookings", headers=bob.auth)
    assert listed.status_code == 200, listed.text
    assert [b["uid"] for b in listed.json()["data"]] == [uid]
    shown = await client.get(f"/v2/bookings/{uid}", headers=bob.auth)
    assert shown.status_code == 200, shown.text
    responses = shown.json()["data"]["bookingFieldsResponses"]
    depth = 0
    while isinstance(responses, dict):
        responses, depth = next(iter(responses.values())), depth + 1
    assert 1 < depth <= 33


BEYOND_64_BITS = 2**70


@pytest.mark.parametrize(
    ("where", "field"),
    [
        ("bookingFieldsResponses", "bookingFieldsResponses"),
        ("metadata", "metadata"),
        ("event type", "metadata"),
        ("event type patch", "metadata"),
    ],
)
async def test_an_integer_beyond_javascripts_safe_range_in_free_form_json_is_a_400(
    client, make_user, make_event_type, where, field
):
    """An anonymous booker's ``{"x": 2**70}`` was stored, and from then on the host's
    GET /v2/bookings was a 500 (the encoder writes 64-bit integers only)."""
    bob = await make_user("bob")
    event_type_id = await make_event_type(bob)
    big = {"x": BEYOND_64_BITS}
    if where == "event type":
        response = await new_event_type(client, bob, metadata=big)
    elif where == "event type patch":
        response = await client.patch(
            f"/v2/event-types/{event_type_id}", json={"metadata": big}, headers=bob.auth | ET
        )
    else:
        response = await book(client, event_type_id, **{where: big})
    assert properties(response) == {field}
    assert "9007199254740991" in response.json()["message"]
    # The largest safe integer is still taken, and everything stays readable.
    safe = {"x": 2**53 - 1}
    assert (await book(client, event_type_id, bookingFieldsResponses=safe)).status_code == 201
    assert (await client.get("/v2/bookings", headers=bob.auth)).status_code == 200
    shown = await client.get(f"/v2/event-types/{event_type_id}", headers=bob.auth | ET)
    assert shown.status_code == 200, shown.text


async def test_stored_values_the_json_encoder_cannot_write_are_still_served(
    client, make_user, make_event_type, db
):
    """Values stored before input was bounded (or by other tools): nested past the encoder's
    255 levels, or an integer beyond 64 bits. Every read that carries them still answers."""
    bob = await make_user("bob")
    event_type_id = await make_event_type(bob)
    uid = (await book(client, event_type_id)).json()["data"]["uid"]
    async with db.begin() as conn:
        await conn.execute(
            text("UPDATE users SET metadata = :m WHERE id = :id"),
            {"m": json.dumps({"deep": nested(300), "big": BEYOND_64_BITS}), "id": bob.id},
        )
        await conn.execute(
            text("UPDATE bookings SET responses = :r, metadata = :r WHERE uid = :uid"),
            {"r": json.dumps({"big": BEYOND_64_BITS}), "uid": uid},
        )
    shown = await client.get(f"/v2/event-types/{event_type_id}", headers=bob.auth | ET)
    assert shown.status_code == 200, shown.text
    assert shown.json()["data"]["users"][0]["metadata"]["big"] == BEYOND_64_BITS
    listing = await client.get("/v2/event-types", headers=bob.auth | ET)
    assert listing.status_code == 200, listing.text
    bookings = await client.get("/v2/bookings", headers=bob.auth)
    assert bookings.status_code == 200, bookings.text
    assert bookings.json()["data"][0]["metadata"] == {"big": BEYOND_64_BITS}


# --- item 3: numbers have bounds (shown in OpenAPI); one request's work is bounded ---------------


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"lengthInMinutes": 2147483647}, "lengthInMinutes"),
        ({"lengthInMinutes": 1441}, "lengthInMinutes"),
        ({"beforeEventBuffer": 2**31}, "beforeEventBuffer"),
        ({"afterEventBuffer": 2**31}, "afterEventBuffer"),
        ({"minimumBookingNotice": 2**31}, "minimumBookingNotice"),
        ({"slotInterval": 2**40}, "slotInterval"),
        ({"offsetStart": 10**9}, "offsetStart"),
        ({"bookingWindow": {"type": "businessDays", "value": 10**12}}, "bookingWindow.value"),
        (
            {"bookingWindow": {"type": "range", "value": ["0001-01-01", "9999-12-31"]}},
            "bookingWindow.value.0",
        ),
        (
            {"recurrence": {"interval": 1, "occurrences": 2**40, "frequency": "weekly"}},
            "recurrence.occurrences",
        ),
        (
            {
                "seats": {
                    "seatsPerTimeSlot": 1001,
                    "showAttendeeInfo": False,
                    "showAvailabilityCount": False,
                }
            },
            "seats.seatsPerTimeSlot",
        ),
        ({"bookingLimitsCount": {"day": 2**53}}, "bookingLimitsCount.day"),
        ({"lengthInMinutesOptions": [30, 10**6]}, "lengthInMinutesOptions.1"),
    ],
)
async def test_the_issues_absurd_numbers_are_a_400_naming_the_field(
    client, make_user, fields, field
):
    bob = await make_user("bob")
    named = properties(await new_event_type(client, bob, **fields))
    assert field in named and all(p.startswith(field.split(".")[0]) for p in named)


async def test_the_absurd_numbers_are_refused_by_patch_too(client, make_user):
    bob = await make_user("bob")
    created = await new_event_type(client, bob)
    event_type_id = created.json()["data"]["id"]
    for change in ({"afterEventBuffer": 2**31}, {"lengthInMinutes": 2147483647}):
        response = await client.patch(
            f"/v2/event-types/{event_type_id}", json=change, headers=bob.auth | ET
        )
        assert properties(response) == set(change)


async def test_the_largest_allowed_values_still_give_slots_and_bookings(client, make_user):
    bob = await make_user("bob")
    created = await new_event_type(
        client,
        bob,
        lengthInMinutes=1440,
        lengthInMinutesOptions=[30, 1440],
        beforeEventBuffer=1440,
        afterEventBuffer=1440,
        bookingWindow={"type": "businessDays", "value": 3660},
    )
    assert created.status_code == 201, created.text
    event_type_id = created.json()["data"]["id"]
    slots = await client.get(
        "/v2/slots",
        params={"eventTypeId": event_type_id, "start": "2030-01-07", "end": "2030-02-07",
                "duration": 30},
    )  # fmt: skip
    assert slots.status_code == 200, slots.text
    assert slots.json()["data"]


@pytest.mark.parametrize(
    "rules",
    [
        # the largest a 32-bit column holds: what the issue could store before the bounds
        {"duration": 2147483647},
        {"after_buffer": 2147483647},
        {"before_buffer": 2147483647},
        {"minimum_notice": 2147483647},
        {"slot_interval": 2147483647},
    ],
)
async def test_an_event_type_stored_with_absurd_numbers_is_refused_quickly_not_a_500(
    client, make_user, make_event_type, rules
):
    """Settings stored before the bounds existed: slots and bookings answer 422, at once."""
    bob = await make_user("bob")
    event_type_id = await make_event_type(bob, **rules)
    slots = await client.get(
        "/v2/slots",
        params={"eventTypeId": event_type_id, "start": "2030-01-07", "end": "2030-12-31"},
    )
    assert slots.status_code == 422, slots.text
    assert (await book(client, event_type_id)).status_code == 422


async def test_a_slots_range_from_year_1_to_9999_is_a_400(client, make_user, make_event_type):
    bob = await make_user("bob")
    event_type_id = await make_event_type(bob)
    response = await client.get(
        "/v2/slots",
        params={"eventTypeId": event_type_id, "start": "0001-01-01", "end": "9999-12-31"},
    )
    assert properties(response) == {"start"}
    response = await client.get(
        "/v2/slots",
        params={"eventTypeId": event_type_id, "start": "2030-01-01", "end": "2199-12-31"},
    )
    assert properties(response) == {"end"}


async def test_a_slots_request_visiting_too_many_candidate_starts_is_a_400(
    client, make_user, make_event_type
):
    bob = await make_user("bob")
    event_type_id = await make_event_type(bob, duration=1, slot_interval=1)
    params = {"eventTypeId": event_type_id, "start": "2030-01-07"}
    too_long = await client.get("/v2/slots", params=params | {"end": "2030-12-31"})
    assert properties(too_long) == {"end"}
    assert "34 days" in too_long.json()["message"]
    fine = await client.get("/v2/slots", params=params | {"end": "2030-02-07"})
    assert fine.status_code == 200, fine.text


async def test_recurring_bookings_that_would_run_past_the_year_2200_are_a_400(client, make_user):
    bob = await make_user("bob")
    recurrence = {"interval": 366, "occurrences": 730, "frequency": "yearly"}
    created = await new_event_type(client, bob, recurrence=recurrence)
    assert created.status_code == 201, created.text
    response = await book(client, created.json()["data"]["id"])
    assert properties(response) == {"recurrenceCount"}


async def test_numeric_bounds_are_published_in_the_openapi_document(client):
    schemas = (await client.get("/openapi.json")).json()["components"]["schemas"]
    event_type = schemas["CreateEventTypeInput"]["properties"]
    assert (event_type["lengthInMinutes"]["minimum"], event_type["lengthInMinutes"]["maximum"]) == (
        1,
        1440,
    )
    for name in ("beforeEventBuffer", "afterEventBuffer", "minimumBookingNotice", "slotInterval"):
        options = event_type[name]["anyOf"]
        assert any("maximum" in option for option in options), name
    seats = schemas["Seats"]["properties"]["seatsPerTimeSlot"]
    assert seats["maximum"] == 1000
    recurrence = schemas["Recurrence"]["properties"]["occurrences"]
    assert recurrence["maximum"] == 730
    booking = schemas["CreateBookingInput"]["properties"]
    assert any(o.get("maxLength") == 64 for o in booking["reservationUid"]["anyOf"])


# --- item 6: body size limit and string lengths ---------------------------------------------------


async def test_a_10_mb_body_is_a_413_before_it_is_parsed(client):
    response = await client.post(
        "/v2/bookings", content=b"{" + b" " * 10_000_000 + b"}",
        headers={"content-type": "application/json"},
    )  # fmt: skip
    assert response.status_code == 413
    body = response.json()
    assert body["status"] == "error"
    assert body["error"]["code"] == "PayloadTooLargeException"
    assert response.headers["x-request-id"]


async def test_a_chunked_body_over_the_limit_is_a_413_too(client):
    async def chunks():
        for _ in range(20):
            yield b" " * 100_000

    response = await client.post(
        "/v2/bookings", content=chunks(), headers={"content-type": "application/json"}
    )
    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "PayloadTooLargeException"


async def test_a_1_mb_location_under_the_body_limit_is_a_400_naming_it(
    client, make_user, make_event_type
):
    bob = await make_user("bob")
    event_type_id = await make_event_type(bob)
    response = await book(client, event_type_id, location="x" * 1_000_000)
    assert {p.split(".")[0] for p in properties(response)} == {"location"}


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"meetingUrl": "https://m.example.com/" + "x" * 3000}, "meetingUrl"),
        ({"reservationUid": "u" * 65}, "reservationUid"),
        ({"attendee": attendee(name="N" * 256)}, "attendee.name"),
        ({"attendee": attendee(email="a" * 250 + "@example.com")}, "attendee.email"),
        ({"location": {"type": "address", "address": "A" * 1001}}, "location.address"),
        ({"guests": ["g" * 250 + "@example.com"]}, "guests.0"),
    ],
)
async def test_every_stored_string_of_a_booking_has_a_maximum_length(
    client, make_user, make_event_type, extra, field
):
    bob = await make_user("bob")
    event_type_id = await make_event_type(bob)
    named = properties(await book(client, event_type_id, **extra))
    # (a union adds its branch to the path: the field the caller sent starts it)
    assert any(p.split(".")[0] == field.split(".")[0] for p in named), named


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": "T" * 256}, "title"),
        ({"description": "d" * 10_001}, "description"),
        ({"customName": "c" * 256}, "customName"),
        ({"successRedirectUrl": "https://e.com/" + "x" * 3000}, "successRedirectUrl"),
    ],
)
async def test_every_stored_string_of_an_event_type_has_a_maximum_length(
    client, make_user, fields, field
):
    bob = await make_user("bob")
    assert properties(await new_event_type(client, bob, **fields)) == {field}


async def test_a_schedule_name_and_my_bio_have_a_maximum_length(client, make_user):
    bob = await make_user("bob")
    body = {"name": "S" * 256, "timeZone": "UTC", "isDefault": False}
    assert properties(await client.post("/v2/schedules", json=body, headers=bob.auth | SCHED)) == {
        "name"
    }
    response = await client.patch("/v2/me", json={"bio": "b" * 5001}, headers=bob.auth)
    assert properties(response) == {"bio"}


# --- item 9: strict validation, with only the leniency real clients need --------------------------


@pytest.mark.parametrize("hhmm", ["09:00\n", "9:00", "09:00:00", "٠٩:٠٠", " 09:00"])
async def test_a_time_of_day_must_be_exactly_hh_mm(client, make_user, hhmm):
    bob = await make_user("bob")
    body = {
        "name": "Work",
        "timeZone": "UTC",
        "isDefault": False,
        "availability": [{"days": ["Monday"], "startTime": hhmm, "endTime": "17:00"}],
    }
    response = await client.post("/v2/schedules", json=body, headers=bob.auth | SCHED)
    assert properties(response) == {"availability.0.startTime"}


@pytest.mark.parametrize("value", ["yes", 1, 0, "true", None])
async def test_only_true_and_false_are_booleans(client, make_user, value):
    bob = await make_user("bob")
    body = {"name": "Work", "timeZone": "UTC", "isDefault": value}
    response = await client.post("/v2/schedules", json=body, headers=bob.auth | SCHED)
    assert properties(response) == {"isDefault"}
    response = await new_event_type(client, bob, hidden=value)
    if value is None:  # null resets an optional event-type setting
        assert response.status_code == 201, response.text
    else:
        assert properties(response) == {"hidden"}


@pytest.mark.parametrize("value", [True, "30", "30 ", 30.5])
async def test_only_numbers_are_integers(client, make_user, value):
    bob = await make_user("bob")
    assert properties(await new_event_type(client, bob, lengthInMinutes=value)) == {
        "lengthInMinutes"
    }


async def test_whole_floats_stay_accepted_as_integers(client, make_user, make_event_type):
    """Contract §0 item 11: the one leniency generated SDKs need, in bodies and queries."""
    bob = await make_user("bob")
    event_type_id = await make_event_type(bob)
    response = await book(client, float(event_type_id), lengthInMinutes=30.0)
    assert response.status_code == 201, response.text
    listed = await client.get("/v2/bookings", params={"take": "10.0"}, headers=bob.auth)
    assert listed.status_code == 200, listed.text
    for bad in ("1e1", " 10", "١٠", "1_0", "nan", "inf"):
        response = await client.get("/v2/bookings", params={"take": bad}, headers=bob.auth)
        assert properties(response) == {"take"}, bad


@pytest.mark.parametrize("start", [1894006800, 1894006800.0, "1894006800", True, "2030-01-08"])
async def test_a_unix_number_is_not_a_datetime(client, make_user, make_event_type, start):
    bob = await make_user("bob")
    event_type_id = await make_event_type(bob)
    response = await book(client, event_type_id, start=start)
    assert properties(response) == {"start"}


@pytest.mark.parametrize("zone", ["localtime", "Factory", "posixrules", "posix/Europe/Rome"])
async def test_time_zones_that_name_no_place_are_refused(client, make_user, make_event_type, zone):
    bob = await make_user("bob")
    event_type_id = await make_event_type(bob)
    body = {"name": "Work", "timeZone": zone, "isDefault": False}
    response = await client.post("/v2/schedules", json=body, headers=bob.auth | SCHED)
    assert properties(response) == {"timeZone"}
    response = await book(client, event_type_id, attendee=attendee() | {"timeZone": zone})
    assert properties(response) == {"attendee.timeZone"}
    response = await client.get(
        "/v2/slots",
        params={"eventTypeId": event_type_id, "start": "2030-01-08", "end": "2030-01-08",
                "timeZone": zone},
    )  # fmt: skip
    assert properties(response) == {"timeZone"}


@pytest.mark.parametrize("name", ["Jane\x07Doe", "Jane\nDoe", "Jane\x1bDoe", "Jane\u2028Doe"])
async def test_control_characters_are_refused_in_names(client, make_user, make_event_type, name):
    bob = await make_user("bob")
    event_type_id = await make_event_type(bob)
    response = await book(client, event_type_id, attendee=attendee(name=name))
    assert properties(response) == {"attendee.name"}


async def test_control_characters_are_refused_anywhere_in_free_form_json(
    client, make_user, make_event_type
):
    bob = await make_user("bob")
    event_type_id = await make_event_type(bob)
    response = await book(
        client, event_type_id, bookingFieldsResponses={"notes": ["ok", "a\x1b[2J"]}
    )
    assert properties(response) == {"bookingFieldsResponses.notes.1"}
    fine = {"notes": "first line\nsecond line\ttab"}
    assert (await book(client, event_type_id, bookingFieldsResponses=fine)).status_code == 201


async def test_control_characters_are_refused_in_titles_and_schedule_names(client, make_user):
    bob = await make_user("bob")
    assert properties(await new_event_type(client, bob, title="Intro\r\nX-Injected: 1")) == {
        "title"
    }
    body = {"name": "Work\x00", "timeZone": "UTC", "isDefault": False}
    assert (
        await client.post("/v2/schedules", json=body, headers=bob.auth | SCHED)
    ).status_code == 400
    # Line breaks stay allowed in multi-line text.
    created = await new_event_type(client, bob, description="Line one\nLine two\ttabbed")
    assert created.status_code == 201, created.text


@pytest.mark.parametrize(
    "email", ["Jane <jane@example.com>", " jane@example.com", "jane@example.com\n"]
)
async def test_an_email_is_a_plain_address(client, make_user, make_event_type, email):
    bob = await make_user("bob")
    event_type_id = await make_event_type(bob)
    response = await book(client, event_type_id, attendee=attendee(email=email))
    assert properties(response) == {"attendee.email"}
    response = await book(client, event_type_id, guests=[email])
    assert properties(response) == {"guests.0"}
