"""A booking's ``location`` (issue 9 item 10): a bad one is a 400 naming the field path the
caller sent, never a validator's internals; the string form is checked against the event
type's locations exactly like the object form."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

TUE_10 = "2030-01-08T10:00:00Z"
TUE_11 = "2030-01-08T11:00:00Z"
JANE = {"name": "Jane Doe", "email": "jane@example.com", "timeZone": "Europe/Rome"}
VIDEO = "https://meet.jit.si/rendezvous-{uid}"

# What a validator's own label looks like in an error path: "function-after[…]", "list[int]",
# a union member's type name ("str", "int", "dict"), or a model's class name.
_LABEL = re.compile(r"[\[\](),]|^(str|int|float|bool|dict|list|none|literal|tagged-union)$|^[A-Z]")


def leaked_labels(envelope: dict[str, Any]) -> list[str]:
    """Every error path step (and message) in an envelope that is a validator's, not a field's."""
    found = []
    for item in envelope["error"]["details"]["errors"]:
        for step in str(item["property"]).split("."):
            if _LABEL.search(step):
                found.append(item["property"])
    text = json.dumps(envelope)
    for internal in ("function-after", "function-before", "function-wrap", "Choice",
                     "BookingLocationInput", "lax-or-strict", "json-or-python"):  # fmt: skip
        if internal in text:
            found.append(internal)
    return found


async def book(client, event_type_id: int, location: Any, start: str = TUE_10):
    body = {"start": start, "eventTypeId": event_type_id, "attendee": JANE, "location": location}
    return await client.post("/v2/bookings", json=body)


@pytest.mark.parametrize(
    ("location", "properties"),
    [
        ({"type": "physical"}, ["location.type"]),
        (42, ["location"]),
        (True, ["location"]),
        ([1], ["location"]),
        ({}, ["location.type"]),
        ({"type": 7}, ["location.type"]),
        ({"type": "attendeeAddress"}, ["location.address"]),
        ({"type": "attendeePhone", "phone": ""}, ["location.phone"]),
        ({"type": "integration", "integration": 5}, ["location.integration"]),
        ({"type": "integration", "integration": "carrier-pigeon"}, ["location.integration"]),
    ],
)
async def test_a_bad_location_names_the_field_path_sent(
    client, make_user, make_event_type, location, properties
):
    bob = await make_user("bob")
    event_type_id = await make_event_type(bob)
    response = await book(client, event_type_id, location)
    assert response.status_code == 400, response.text
    envelope = response.json()
    assert envelope["error"]["code"] == "BadRequestException"
    assert [e["property"] for e in envelope["error"]["details"]["errors"]] == properties
    assert envelope["message"].startswith(properties[0] + ": ")
    assert leaked_labels(envelope) == []


async def test_no_request_model_names_a_validator_in_an_error(client, make_user):
    """Every JSON body field of every operation, sent a handful of wrongly shaped values: each
    400 names only paths the caller sent (union members and validators stay internal)."""
    bob = await make_user("bob")
    spec = (await client.get("/openapi.json")).json()
    components = spec["components"]["schemas"]
    wrong: list[Any] = [42, "x", True, [42], [{"type": 42, "days": "x"}], {"type": 42, "a": [1]}]
    sent = checked = 0
    for path, operations in spec["paths"].items():
        url = re.sub(r"\{[^}]+\}", "1", path)
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            ref = content.get("application/json", {}).get("schema", {}).get("$ref")
            if not ref:
                continue
            schema = components[ref.rsplit("/", 1)[1]]
            for name in schema.get("properties", {}):
                for value in wrong:
                    response = await client.request(
                        method.upper(), url, json={name: value}, headers=bob.auth
                    )
                    sent += 1
                    assert response.status_code < 500, (method, path, name, value)
                    if response.status_code == 400 and "errors" in (
                        response.json()["error"].get("details") or {}
                    ):
                        checked += 1
                        assert leaked_labels(response.json()) == [], (method, path, name, value)
    assert checked > 100  # the sweep really met validation errors


async def test_a_location_string_is_checked_like_the_object_form(
    client, make_user, make_event_type
):
    bob = await make_user("bob")
    cal_video = await make_event_type(
        bob, "video", settings={"locations": [{"type": "integration", "integration": "cal-video"}]}
    )
    by_name = await book(client, cal_video, "cal-video")
    assert by_name.status_code == 201, by_name.text
    data = by_name.json()["data"]
    assert data["location"] == data["meetingUrl"] == VIDEO.format(uid=data["uid"])

    for offered_elsewhere in ("zoom", "integrations:zoom", "https://evil.example.com/x", "Rome"):
        refused = await book(client, cal_video, offered_elsewhere, start=TUE_11)
        assert refused.status_code == 400, offered_elsewhere
        assert refused.json()["error"]["details"]["errors"][0]["property"] == "location"
        assert "offered: cal-video" in refused.json()["message"]


async def test_a_location_string_names_an_integration_or_the_event_types_own_place(
    client, make_user, make_event_type
):
    bob = await make_user("bob")
    locations = [
        {"type": "integration", "integration": "zoom"},
        {"type": "address", "address": "Via Roma 1, Milano", "public": True},
    ]
    event_type_id = await make_event_type(bob, settings={"locations": locations})
    as_string = (await book(client, event_type_id, "zoom")).json()["data"]
    as_object = (
        await book(client, event_type_id, {"type": "integration", "integration": "zoom"}, TUE_11)
    ).json()["data"]
    assert as_string["location"] == as_object["location"] == "integrations:zoom"
    address = await book(client, event_type_id, "Via Roma 1, Milano", "2030-01-08T12:00:00Z")
    assert address.status_code == 201
    assert address.json()["data"]["location"] == "Via Roma 1, Milano"
    elsewhere = await book(client, event_type_id, "Via Garibaldi 2", "2030-01-08T13:00:00Z")
    assert elsewhere.status_code == 400


async def test_a_location_string_is_the_bookers_own_where_the_event_type_asks_for_one(
    client, make_user, make_event_type
):
    bob = await make_user("bob")
    locations = [{"type": "attendeePhone"}, {"type": "attendeeDefined"}]
    event_type_id = await make_event_type(bob, settings={"locations": locations})
    phone = await book(client, event_type_id, "+39 347 123 4567")
    assert phone.status_code == 201
    assert phone.json()["data"]["location"] == "+39 347 123 4567"
    text = await book(client, event_type_id, "Under the big clock", TUE_11)
    assert text.status_code == 201
    assert text.json()["data"]["location"] == "Under the big clock"
    # An empty string chooses nothing: the event type's first location.
    empty = await book(client, event_type_id, "", "2030-01-08T12:00:00Z")
    assert empty.status_code == 201
