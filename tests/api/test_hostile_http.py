"""Hostile input at the HTTP edge: ids no row can have, text that is not Unicode, methods a path
does not serve. Each is a 4xx in the error envelope on both engines, never a 500."""

from __future__ import annotations

import httpx
import pytest

from tests.api.helpers import assert_error

BEYOND_INT32 = 2**31  # PostgreSQL's INTEGER ids end at 2^31 - 1
BEYOND_INT64 = 2**63  # SQLite's at 2^63 - 1


@pytest.mark.parametrize("resource", ["event-types", "schedules"])
@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
@pytest.mark.parametrize("number", [BEYOND_INT32, BEYOND_INT64, 10**30, 0, -1])
async def test_an_id_no_row_can_have_is_a_400_naming_it(
    client, make_user, resource, method, number
):
    bob = await make_user("bob")
    response = await client.request(
        method, f"/v2/{resource}/{number}", headers=bob.auth, json={} if method == "PATCH" else None
    )
    body = assert_error(response, 400, "BadRequestException")
    name = "eventTypeId" if resource == "event-types" else "scheduleId"
    assert [e["property"] for e in body["error"]["details"]["errors"]] == [name]


@pytest.mark.parametrize("number", [BEYOND_INT32, BEYOND_INT64])
async def test_a_default_schedule_id_beyond_the_id_range_is_a_400(client, make_user, number):
    bob = await make_user("bob")
    response = await client.patch("/v2/me", headers=bob.auth, json={"defaultScheduleId": number})
    body = assert_error(response, 400, "BadRequestException")
    assert body["error"]["details"]["errors"][0]["property"] == "defaultScheduleId"
    me = (await client.get("/v2/me", headers=bob.auth)).json()["data"]
    assert me["defaultScheduleId"] == bob.default_schedule_id


@pytest.mark.parametrize("number", [BEYOND_INT32, BEYOND_INT64])
async def test_an_event_type_schedule_id_beyond_the_id_range_is_a_400(
    client, make_user, make_event_type, number
):
    bob = await make_user("bob")
    event_type_id = await make_event_type(bob)
    response = await client.patch(
        f"/v2/event-types/{event_type_id}", headers=bob.auth, json={"scheduleId": number}
    )
    body = assert_error(response, 400, "BadRequestException")
    assert body["error"]["details"]["errors"][0]["property"] == "scheduleId"


@pytest.mark.parametrize(
    "path",
    [
        "/v2/slots?eventTypeId=9223372036854775808&start=2030-01-08&end=2030-01-09",
        "/v2/bookings?eventTypeId=9223372036854775808",
        "/v2/bookings?eventTypeIds=1,2147483648",
        "/v2/bookings?skip=9223372036854775808",
    ],
)
async def test_a_query_id_beyond_the_id_range_is_a_400(client, make_user, path):
    bob = await make_user("bob")
    assert_error(await client.get(path, headers=bob.auth), 400, "BadRequestException")


LONE_SURROGATES = [
    ("PATCH", "/v2/me", '{"name": "Bob \\ud800"}', "name"),
    ("PATCH", "/v2/me", '{"metadata": {"\\udfff": "x"}}', "metadata"),
    ("POST", "/v2/schedules", '{"name": "\\ud800", "timeZone": "UTC"}', "name"),
    ("POST", "/v2/event-types", '{"title": "A", "slug": "a", "lengthInMinutes": 30, '
     '"description": "\\udc00 tail"}', "description"),
    ("PATCH", "/v2/me", '"\\ud800"', None),  # the whole body, echoed in the refusal
    ("PATCH", "/v2/me", '{"timeZone": "\\ud800"}', "timeZone"),  # echoed as the bad value
]  # fmt: skip


@pytest.mark.parametrize(("method", "path", "raw", "field"), LONE_SURROGATES)
async def test_a_lone_surrogate_in_a_json_body_is_a_400(
    client, make_user, method, path, raw, field
):
    bob = await make_user("bob")
    response = await client.request(
        method, path, content=raw.encode(), headers={**bob.auth, "content-type": "application/json"}
    )
    body = assert_error(response, 400, "BadRequestException")
    if field is not None:
        assert field in body["message"]
    me = (await client.get("/v2/me", headers=bob.auth)).json()["data"]
    assert me["name"] == "Bob"


async def test_a_lone_surrogate_in_a_public_booking_is_a_400_and_books_nothing(
    client, make_user, make_event_type
):
    bob = await make_user("bob")
    event_type_id = await make_event_type(bob)
    raw = (
        '{"start": "2030-01-08T10:00:00Z", "eventTypeId": EVENT, "attendee": {"name": "\\ud800",'
        ' "email": "j@example.com", "timeZone": "UTC"}}'
    ).replace("EVENT", str(event_type_id))
    response = await client.post(
        "/v2/bookings", content=raw.encode(), headers={"content-type": "application/json"}
    )
    assert_error(response, 400, "BadRequestException")
    listed = await client.get("/v2/bookings", headers=bob.auth)
    assert listed.json()["data"] == []


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("OPTIONS", "/v2/bookings", "GET, POST"),
        ("PUT", "/v2/bookings", "GET, POST"),
        ("DELETE", "/v2/me", "GET, PATCH"),
        ("PUT", "/v2/schedules/12", "GET, PATCH, DELETE"),
        ("PATCH", "/v2/schedules/default", "GET"),
        ("DELETE", "/v2/schedules/default", "GET"),
        ("POST", "/v2/event-types/3", "GET, PATCH, DELETE"),
    ],
)
async def test_a_405_allows_every_method_the_path_serves(client, make_user, method, path, allow):
    bob = await make_user("bob")
    response = await client.request(method, path, headers=bob.auth)
    assert_error(response, 405, "MethodNotAllowedException")
    assert response.headers["allow"] == allow
    assert response.headers["x-request-id"]


async def test_a_schedule_id_that_is_not_a_number_is_still_a_400(client, make_user):
    bob = await make_user("bob")
    response = await client.get("/v2/schedules/defaults", headers=bob.auth)
    assert_error(response, 400, "BadRequestException")


async def test_the_default_schedule_is_still_served(client: httpx.AsyncClient, make_user):
    bob = await make_user("bob")
    response = await client.get("/v2/schedules/default", headers=bob.auth)
    assert response.status_code == 200
    assert response.json()["data"]["id"] == bob.default_schedule_id


async def test_a_url_longer_than_16_kib_is_a_414_envelope(client):
    response = await client.get("/v2/event-types?username=" + "a" * 16_400)
    body = assert_error(response, 414, "UriTooLongException")
    assert body["path"] == "/v2/event-types"
    assert response.headers["x-request-id"]
    assert response.headers.get_list("x-request-id") == [response.headers["x-request-id"]]


@pytest.mark.parametrize(
    "path",
    [
        "/v2/event-types?username=%ED%A0%80",  # UTF-8 bytes of U+D800: not text, decoded as U+FFFD
        "/v2/schedules/%ED%A0%80",
        "/v2/bookings/%ED%A0%80",
        "/v2/slots/reservations/%ED%A0%80",
    ],
)
async def test_surrogate_bytes_in_the_url_are_never_a_server_error(client, make_user, path):
    bob = await make_user("bob")
    response = await client.get(path, headers=bob.auth)
    assert response.status_code in (200, 400, 404), response.text
    assert response.json()["status"] in ("success", "error")
