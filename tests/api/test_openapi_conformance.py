"""What the server really answers matches what /openapi.json says, operation by operation.

Every response of a scripted run (success and failure statuses of every operation, both
``cal-api-version`` shapes where they differ, seated, recurring and pending bookings, both slot
formats) must have a status the document lists for that operation, and a body that validates
against the schema it gives for that status. Every example in the document validates against its
own schema too. The fuzz test checks the same on random input; this one reaches the statuses and
shapes that random input rarely does (409, 422, 403, seats, series, rate limits)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import jsonschema
import pytest

from rendezvous.api.app import create_app
from rendezvous.config import Settings

METHODS = ("get", "post", "put", "patch", "delete")
# Cal.com's classic versions (contract §1.1), and none.
EVENT_TYPES_NEW = {"cal-api-version": "2024-06-14"}
TUE_10 = "2030-01-08T10:00:00Z"


def _operations(doc: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in doc["paths"].items():
        for method in METHODS:
            if method in item:
                yield method, path, item[method]


def _closed(schema: Any) -> Any:
    """``schema`` with ``additionalProperties: false`` wherever properties are listed and
    nothing is said about others."""
    if isinstance(schema, list):
        return [_closed(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    closed = {key: _closed(value) for key, value in schema.items()}
    if isinstance(schema.get("properties"), dict) and "additionalProperties" not in schema:
        closed["additionalProperties"] = False
    return closed


class Conformance:
    """Checks responses against the document; collects every mismatch."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc
        self.routes: list[tuple[re.Pattern[str], str, str, dict[str, Any]]] = []
        for method, path, op in _operations(doc):
            pattern = re.escape(path)
            pattern = re.sub(r"\\\{[^}]*\\\}", "[^/]+", pattern)
            self.routes.append((re.compile(pattern + "$"), method, path, op))
        # Literal paths first, so /v2/schedules/default is not taken for /{scheduleId}.
        self.routes.sort(key=lambda r: r[2].count("{"))
        self.problems: list[str] = []
        self.seen: set[tuple[str, str, str]] = set()

    def validate(self, schema: dict[str, Any], instance: Any) -> list[str]:
        """Problems of ``instance`` against ``schema``, where objects may hold only the
        properties the document names (a field sent but not documented, or an example's
        misspelt field, is a problem too)."""
        rooted = _closed({**schema, "components": self.doc["components"]})
        validator = jsonschema.Draft202012Validator(rooted)
        return [
            f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message[:300]}"
            for e in validator.iter_errors(instance)
        ]

    def operation(self, method: str, path: str) -> tuple[str, dict[str, Any]] | None:
        for pattern, op_method, template, op in self.routes:
            if op_method == method and pattern.match(path):
                return template, op
        return None

    async def __call__(self, response: httpx.Response) -> None:
        await response.aread()
        method = response.request.method.lower()
        found = self.operation(method, response.request.url.path)
        if found is None:
            return  # not an operation (405s, 404s of unknown paths): nothing to conform to
        template, op = found
        status = str(response.status_code)
        self.seen.add((method, template, status))
        where = f"{method.upper()} {response.request.url.path} → {status}"
        documented = op["responses"].get(status)
        if documented is None:
            self.problems.append(f"{where}: status not documented ({sorted(op['responses'])})")
            return
        media = documented.get("content", {}).get("application/json")
        if media is None:
            return
        body = response.json()
        for problem in self.validate(media["schema"], body):
            self.problems.append(f"{where}: {problem}")


@pytest.fixture
async def conformance(client: httpx.AsyncClient) -> Conformance:
    doc = (await client.get("/openapi.json")).json()
    checker = Conformance(doc)
    client.event_hooks["response"].append(checker)
    return checker


def test_every_example_in_the_document_validates_against_its_schema() -> None:
    app = create_app(Settings(database_url="sqlite+aiosqlite:///:memory:", _env_file=None))  # type: ignore[call-arg]
    doc = app.openapi()
    checker = Conformance(doc)
    problems = []
    for method, path, op in _operations(doc):
        for status, response in op["responses"].items():
            media = response.get("content", {}).get("application/json", {})
            bodies = [("example", media["example"])] if "example" in media else []
            bodies += [(name, e["value"]) for name, e in media.get("examples", {}).items()]
            for name, body in bodies:
                for problem in checker.validate(media["schema"], body):
                    problems.append(f"{method.upper()} {path} {status} {name}: {problem}")
    assert not problems, "\n".join(problems)
    listing = doc["paths"]["/v2/event-types"]["get"]["responses"]["200"]["content"]
    assert len(listing["application/json"]["examples"]) == 2  # one per cal-api-version shape


async def test_responses_of_every_operation_match_the_document(
    client: httpx.AsyncClient, conformance: Conformance, make_user: Any
) -> None:
    bob = await make_user("bob", name="Bob Host")
    ann = await make_user("ann")
    auth = bob.auth

    # --- operations of the service itself, and URL-level refusals on any operation
    await client.get("/health")
    await client.get("/v2/me", headers=auth)
    await client.get("/v2/me")
    await client.get("/v2/me", headers={"Authorization": "Bearer cal_nope"})
    await client.get("/v2/me?x=%00", headers=auth)  # NUL in the URL: 400 on every operation
    await client.get("/v2/me?x=" + "a" * 17_000, headers=auth)  # 414 on every operation
    await client.get("/health?x=" + "a" * 17_000)
    await client.patch("/v2/me", json={"timeZone": "Mars/Base"}, headers=auth)
    await client.patch("/v2/me", json={"defaultScheduleId": 999_999}, headers=auth)
    await client.patch("/v2/me", json={"email": ann.email}, headers=auth)  # taken: 409
    await client.patch("/v2/me", json={"name": "Bob Host"}, headers=auth)
    await client.patch("/v2/me", content=b"x" * 1_100_000, headers=auth)  # 413

    # --- schedules
    created = await client.post(
        "/v2/schedules",
        json={"name": "Evenings", "timeZone": "Europe/Rome", "isDefault": False},
        headers=auth,
    )
    schedule_id = created.json()["data"]["id"]
    await client.post("/v2/schedules", json={"name": "x"}, headers=auth)
    await client.get("/v2/schedules", headers=auth)
    await client.get("/v2/schedules/default", headers=auth)
    await client.get(f"/v2/schedules/{schedule_id}", headers=auth)
    await client.get("/v2/schedules/abc", headers=auth)
    await client.get(f"/v2/schedules/{schedule_id}", headers=ann.auth)
    await client.patch(f"/v2/schedules/{schedule_id}", json={"name": "Late"}, headers=auth)
    await client.patch(f"/v2/schedules/{schedule_id}", json={"timeZone": "x"}, headers=auth)

    # --- event types, both list shapes
    body = {"title": "Intro", "slug": "intro", "lengthInMinutes": 30}
    made = await client.post("/v2/event-types", json=body, headers=auth | EVENT_TYPES_NEW)
    assert made.status_code == 201, made.text
    event_type_id = made.json()["data"]["id"]
    await client.post("/v2/event-types", json=body, headers=auth)  # duplicate slug: 409
    await client.post("/v2/event-types", json={"title": "x"}, headers=auth)  # 400
    await client.post(
        "/v2/event-types", json=body | {"slug": "other", "scheduleId": 999_999}, headers=auth
    )
    await client.post(
        "/v2/event-types",
        json=body | {"slug": "in-use", "scheduleId": schedule_id},
        headers=auth,
    )
    await client.delete(f"/v2/schedules/{schedule_id}", headers=auth)  # in use: 409
    seats = {"seatsPerTimeSlot": 2, "showAttendeeInfo": False, "showAvailabilityCount": True}
    seated = await client.post(
        "/v2/event-types",
        json=body | {"slug": "seated", "seats": seats, "minimumBookingNotice": 0},
        headers=auth,
    )
    assert seated.status_code == 201, seated.text
    seated_id = seated.json()["data"]["id"]
    pending = await client.post(
        "/v2/event-types",
        json=body
        | {
            "slug": "pending",
            "confirmationPolicy": {"type": "always", "blockUnconfirmedBookingsInBooker": True},
        },
        headers=auth,
    )
    assert pending.status_code == 201, pending.text
    pending_id = pending.json()["data"]["id"]
    weekly = {"interval": 1, "occurrences": 2, "frequency": "weekly"}
    series = await client.post(
        "/v2/event-types",
        json=body | {"slug": "weekly", "recurrence": weekly},
        headers=auth,
    )
    assert series.status_code == 201, series.text
    series_id = series.json()["data"]["id"]
    locked = await client.post(
        "/v2/event-types",
        json=body | {"slug": "locked", "bookingRequiresAuthentication": True},
        headers=auth,
    )
    assert locked.status_code == 201, locked.text
    locked_id = locked.json()["data"]["id"]
    for headers in ({}, EVENT_TYPES_NEW, {"cal-api-version": "2024-04-15"}):
        await client.get("/v2/event-types", headers=auth | headers)
        await client.get("/v2/event-types", params={"username": "bob"}, headers=headers)
        await client.get("/v2/event-types", params={"username": "nobody"}, headers=headers)
        await client.get("/v2/event-types", headers=headers)
    await client.get("/v2/event-types", params={"usernames": "a,b"})
    await client.get(f"/v2/event-types/{event_type_id}", headers=auth)
    await client.get(f"/v2/event-types/{event_type_id}", headers=ann.auth)
    await client.get("/v2/event-types/0", headers=auth)
    await client.patch(
        f"/v2/event-types/{event_type_id}", json={"title": "Intro call"}, headers=auth
    )
    await client.patch(f"/v2/event-types/{event_type_id}", json={"slug": "seated"}, headers=auth)
    await client.patch(
        f"/v2/event-types/{event_type_id}", json={"lengthInMinutes": -1}, headers=auth
    )

    # --- slots, both formats, seated, and the legacy route
    day = {"start": "2030-01-08", "end": "2030-01-08"}
    for fmt in ("time", "range"):
        await client.get("/v2/slots", params=day | {"eventTypeId": event_type_id, "format": fmt})
        await client.get("/v2/slots", params=day | {"eventTypeId": seated_id, "format": fmt})
        await client.get(
            "/v2/slots/available",
            params={
                "startTime": "2030-01-08T00:00:00Z",
                "endTime": "2030-01-09T00:00:00Z",
                "eventTypeId": event_type_id,
                "slotFormat": fmt,
            },
        )
    await client.get("/v2/slots", params={"eventTypeId": event_type_id})
    await client.get("/v2/slots", params=day | {"eventTypeId": 999_999})
    await client.get("/v2/slots/available", params={"eventTypeId": event_type_id})

    # --- reservations
    hold = {"eventTypeId": event_type_id, "slotStart": "2030-01-08T11:00:00Z"}
    reserved = await client.post("/v2/slots/reservations", json=hold)
    assert reserved.status_code == 201, reserved.text
    uid = reserved.json()["data"]["reservationUid"]
    await client.post("/v2/slots/reservations", json=hold | {"eventTypeId": 999_999})
    await client.post("/v2/slots/reservations", json=hold | {"reservationDuration": 10})
    await client.post(
        "/v2/slots/reservations", json=hold | {"slotStart": "2030-01-08T03:00:00Z"}
    )  # outside availability
    await client.post("/v2/slots/reservations", json=hold, headers=ann.auth)  # taken
    await client.get(f"/v2/slots/reservations/{uid}")
    await client.get("/v2/slots/reservations/nope")
    await client.patch(
        f"/v2/slots/reservations/{uid}", json=hold | {"slotStart": "2030-01-08T12:00:00Z"}
    )
    await client.patch("/v2/slots/reservations/nope", json=hold)
    await client.delete(f"/v2/slots/reservations/{uid}")
    await client.delete(f"/v2/slots/reservations/{uid}")
    legacy = await client.post(
        "/v2/slots/reserve",
        json={
            "eventTypeId": event_type_id,
            "slotUtcStartDate": "2030-01-08T13:00:00Z",
            "slotUtcEndDate": "2030-01-08T13:30:00Z",
        },
    )
    assert legacy.status_code == 201, legacy.text
    await client.post("/v2/slots/reserve", json={})
    await client.delete("/v2/slots/selected-slot", params={"uid": legacy.json()["data"]})
    await client.delete("/v2/slots/selected-slot")

    # --- webhooks (a public address literal: saved without any lookup, never sent to here)
    hook_body = {
        "subscriberUrl": "http://1.1.1.1/hook",
        "triggers": ["BOOKING_CREATED", "BOOKING_CANCELLED", "MEETING_STARTED"],
        "active": True,
        "secret": "s3cr3t",
    }
    hook = await client.post("/v2/webhooks", json=hook_body, headers=auth)
    assert hook.status_code == 201, hook.text
    hook_id = hook.json()["data"]["id"]
    et_hooks = f"/v2/event-types/{event_type_id}/webhooks"
    et_hook = await client.post(et_hooks, json=hook_body | {"triggers": "BOOKING_CREATED"},
                                headers=auth)  # fmt: skip
    assert et_hook.status_code == 201, et_hook.text
    et_hook_id = et_hook.json()["data"]["id"]
    await client.post("/v2/webhooks", json=hook_body | {"triggers": ["NOPE"]}, headers=auth)
    await client.post(
        "/v2/webhooks", json=hook_body | {"subscriberUrl": "http://127.0.0.1/"}, headers=auth
    )  # private target: 400
    await client.post("/v2/webhooks", json=hook_body)  # 401
    await client.post(et_hooks, json=hook_body, headers=ann.auth)  # 404
    await client.get("/v2/webhooks", params={"take": "1", "skip": "0"}, headers=auth)
    await client.get("/v2/webhooks", params={"take": "0"}, headers=auth)
    await client.get(f"/v2/webhooks/{hook_id}", headers=auth)
    await client.get(f"/v2/webhooks/{hook_id}", headers=ann.auth)
    await client.patch(f"/v2/webhooks/{hook_id}", json={"payloadTemplate": "{{uid}}"},
                       headers=auth)  # fmt: skip
    await client.patch(f"/v2/webhooks/{hook_id}", json={"active": None}, headers=auth)
    await client.get(et_hooks, headers=auth)
    await client.get(f"{et_hooks}/{et_hook_id}", headers=auth)
    await client.get(f"{et_hooks}/{hook_id}", headers=auth)  # a user webhook: 404
    await client.patch(f"{et_hooks}/{et_hook_id}", json={"active": False}, headers=auth)
    await client.patch(f"{et_hooks}/{et_hook_id}", json={"version": "x"}, headers=auth)

    # --- bookings: one, seated, pending, recurring; every transition and refusal
    person = {"name": "Jane Doe", "email": "jane@example.com", "timeZone": "America/New_York"}
    booked = await client.post(
        "/v2/bookings",
        json={"start": TUE_10, "eventTypeId": event_type_id, "attendee": person},
    )
    assert booked.status_code == 201, booked.text
    booking_uid = booked.json()["data"]["uid"]
    await client.post(
        "/v2/bookings", json={"start": TUE_10, "eventTypeId": event_type_id, "attendee": person}
    )  # taken: 409
    await client.post(
        "/v2/bookings",
        json={"start": "2030-01-08T03:00:00Z", "eventTypeId": event_type_id, "attendee": person},
    )  # outside availability: 422
    await client.post(
        "/v2/bookings", json={"start": TUE_10, "eventTypeId": 999_999, "attendee": person}
    )
    await client.post("/v2/bookings", json={"start": TUE_10})
    await client.post(
        "/v2/bookings", json={"start": TUE_10, "eventTypeId": locked_id, "attendee": person}
    )  # 401: needs authentication
    await client.post(
        "/v2/bookings",
        json={"start": TUE_10, "eventTypeId": locked_id, "attendee": person},
        headers=ann.auth,
    )  # 403: not the owner
    for seat_holder in ("sam@example.com", "kim@example.com", "lee@example.com"):
        await client.post(
            "/v2/bookings",
            json={
                "start": "2030-01-08T15:00:00Z",
                "eventTypeId": seated_id,
                "attendee": person | {"email": seat_holder},
            },
        )
    seated_uid = (
        await client.get("/v2/bookings", params={"eventTypeId": seated_id}, headers=auth)
    ).json()["data"][0]["uid"]
    await client.get(f"/v2/bookings/{seated_uid}")
    await client.get(f"/v2/bookings/{seated_uid}", headers=auth)
    pending_booking = await client.post(
        "/v2/bookings",
        json={"start": "2030-01-09T10:00:00Z", "eventTypeId": pending_id, "attendee": person},
    )
    pending_uid = pending_booking.json()["data"]["uid"]
    await client.post(f"/v2/bookings/{pending_uid}/confirm", headers=ann.auth)
    await client.post(f"/v2/bookings/{pending_uid}/confirm", headers=auth)
    await client.post(f"/v2/bookings/{pending_uid}/confirm", headers=auth)  # 422
    await client.post(f"/v2/bookings/{pending_uid}/decline", headers=auth)  # 422
    other_pending = await client.post(
        "/v2/bookings",
        json={"start": "2030-01-09T12:00:00Z", "eventTypeId": pending_id, "attendee": person},
    )
    await client.post(
        f"/v2/bookings/{other_pending.json()['data']['uid']}/decline",
        json={"reason": "Busy"},
        headers=auth,
    )
    await client.post("/v2/bookings/nope/confirm", headers=auth)
    await client.post(f"/v2/bookings/{pending_uid}/confirm")  # 401
    recurring = await client.post(
        "/v2/bookings",
        json={
            "start": "2030-01-10T10:00:00Z",
            "eventTypeId": series_id,
            "attendee": person,
            "recurrenceCount": 2,
        },
    )
    assert recurring.status_code == 201, recurring.text
    series_uid = recurring.json()["data"][0]["recurringBookingUid"]
    await client.get(f"/v2/bookings/{series_uid}")
    await client.get(f"/v2/bookings/{booking_uid}")
    await client.get("/v2/bookings/nope")
    for params in (
        {},
        {"status": "upcoming", "take": "1"},
        {"status": "nope"},
        {"take": "1000"},
        {"sortStart": "desc", "skip": "1"},
    ):
        await client.get("/v2/bookings", params=params, headers=auth)
    await client.get("/v2/bookings")
    await client.post(
        f"/v2/bookings/{booking_uid}/reschedule",
        json={"start": "2030-01-08T14:00:00Z", "reschedulingReason": "Clash"},
    )
    moved = (await client.get(f"/v2/bookings/{booking_uid}")).json()["data"]
    new_uid = moved.get("rescheduledToUid") or booking_uid
    await client.post(f"/v2/bookings/{booking_uid}/reschedule", json={"start": TUE_10})  # 422
    await client.post(f"/v2/bookings/{new_uid}/reschedule", json={"start": "2030-01-08T03:00:00Z"})
    await client.post(f"/v2/bookings/{new_uid}/reschedule", json={})
    await client.post("/v2/bookings/nope/reschedule", json={"start": TUE_10})
    await client.post(f"/v2/bookings/{new_uid}/cancel", json={"cancellationReason": "Ill"})
    await client.post(f"/v2/bookings/{new_uid}/cancel", json={})  # 422
    await client.post(f"/v2/bookings/{series_uid}/cancel", json={})
    await client.post("/v2/bookings/nope/cancel", json={})
    await client.get(f"/v2/bookings/{new_uid}", headers=auth)

    # --- the webhook's deliveries (no worker runs here: they are all pending)
    deliveries = await client.get(f"/v2/webhooks/{hook_id}/deliveries", headers=auth)
    assert deliveries.json()["data"], deliveries.text
    delivery_id = deliveries.json()["data"][0]["id"]
    await client.get(f"/v2/webhooks/{hook_id}/deliveries", params={"take": "1"}, headers=auth)
    await client.get(f"/v2/webhooks/{hook_id}/deliveries", headers=ann.auth)
    await client.post(f"/v2/webhooks/{hook_id}/deliveries/{delivery_id}/redeliver", headers=auth)
    await client.post(f"/v2/webhooks/{hook_id}/deliveries/999999/redeliver", headers=auth)
    await client.delete(f"{et_hooks}/{et_hook_id}", headers=auth)
    await client.delete(f"/v2/webhooks/{hook_id}", headers=auth)
    await client.delete(f"/v2/webhooks/{hook_id}", headers=auth)  # 404

    # --- deletions last
    await client.delete(f"/v2/event-types/{event_type_id}", headers=auth)
    await client.delete(f"/v2/event-types/{event_type_id}", headers=auth)
    await client.get(f"/v2/bookings/{new_uid}")  # its event type is gone
    await client.delete(f"/v2/schedules/{schedule_id}", headers=ann.auth)
    spare = await client.post(
        "/v2/schedules",
        json={"name": "Spare", "timeZone": "UTC", "isDefault": False},
        headers=auth,
    )
    await client.delete(f"/v2/schedules/{spare.json()['data']['id']}", headers=auth)

    assert not conformance.problems, "\n".join(conformance.problems)
    # The run reached what it set out to reach (so a change that breaks a step shows here).
    reached = {(m, p, s) for m, p, s in conformance.seen}
    for expected in (
        ("post", "/v2/bookings", "201"),
        ("post", "/v2/bookings", "409"),
        ("post", "/v2/bookings", "422"),
        ("post", "/v2/bookings", "403"),
        ("post", "/v2/bookings/{uid}/confirm", "200"),
        ("post", "/v2/bookings/{uid}/decline", "200"),
        ("post", "/v2/bookings/{uid}/reschedule", "201"),
        ("post", "/v2/bookings/{uid}/cancel", "200"),
        ("get", "/v2/bookings/{uid}", "200"),
        ("post", "/v2/event-types", "409"),
        ("delete", "/v2/schedules/{scheduleId}", "409"),
        ("patch", "/v2/me", "413"),
        ("patch", "/v2/me", "409"),
        ("get", "/v2/me", "414"),
        ("get", "/v2/me", "400"),
        ("post", "/v2/webhooks", "201"),
        ("post", "/v2/webhooks", "400"),
        ("get", "/v2/webhooks/{webhookId}/deliveries", "200"),
        ("post", "/v2/webhooks/{webhookId}/deliveries/{deliveryId}/redeliver", "200"),
        ("delete", "/v2/event-types/{eventTypeId}/webhooks/{webhookId}", "200"),
    ):
        assert expected in reached, expected


async def test_rate_limited_answers_match_the_document(db_url: str, db: Any) -> None:
    settings = Settings(
        database_url=db_url,
        rate_limit=1,
        auth_failure_limit=1,
        _env_file=None,  # type: ignore[call-arg]
    )
    app = create_app(settings, engine=db)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        checker = Conformance((await client.get("/openapi.json")).json())
        client.event_hooks["response"].append(checker)
        statuses = []
        for _ in range(3):
            statuses.append((await client.get("/v2/slots/available")).status_code)
            statuses.append((await client.get("/v2/me")).status_code)
    assert 429 in statuses
    assert not checker.problems, "\n".join(checker.problems)
