"""/v2/event-types as contract §4 (and §0 item 1 for the legacy list) describes it, on both engines.

The clock is Monday 2030-01-07 08:00 UTC; every new user has a default schedule Mon–Fri 09:00–17:00.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from rendezvous.api.schemas.event_type_output import ALWAYS_SENT
from rendezvous.db.engine import session_factory
from rendezvous.db.uow import UnitOfWork
from rendezvous.domain.errors import Conflict
from rendezvous.domain.models import EventRules

V = {"cal-api-version": "2024-06-14"}
BASE: dict[str, Any] = {"lengthInMinutes": 30, "title": "Intro", "slug": "intro"}

EXAMPLE_REQUEST = json.loads(
    '{"lengthInMinutes":30,"lengthInMinutesOptions":[15,30,60],"title":"Intro","slug":"intro",'
    '"description":"Short intro call",'
    '"locations":[{"type":"integration","integration":"cal-video"}],'
    '"minimumBookingNotice":60,"beforeEventBuffer":5,"afterEventBuffer":10,"slotInterval":15,'
    '"bookingWindow":{"type":"calendarDays","value":30,"rolling":true},"bookingLimitsCount":{"day":4},'
    '"confirmationPolicy":{"type":"time","noticeThreshold":{"unit":"hours","count":24},'
    '"blockUnconfirmedBookingsInBooker":true},'
    '"bookingFields":[{"type":"text","slug":"company","label":"Company","required":false}]}'
)
EXAMPLE_RESPONSE = json.loads(
    '{"id":10,"ownerId":1,"lengthInMinutes":30,"lengthInMinutesOptions":[15,30,60],"title":"Intro",'
    '"slug":"intro","description":"Short intro call",'
    '"locations":[{"type":"integration","integration":"cal-video"}],"bookingFields":['
    '{"isDefault":true,"type":"name","slug":"name","required":true},'
    '{"isDefault":true,"type":"email","slug":"email","required":true,"hidden":false},'
    '{"isDefault":false,"type":"text","slug":"company","label":"Company","required":false,'
    '"hidden":false}],"disableGuests":false,"slotInterval":15,"minimumBookingNotice":60,'
    '"beforeEventBuffer":5,"afterEventBuffer":10,"recurrence":null,"metadata":{},"price":0,'
    '"currency":"usd","lockTimeZoneToggleOnBookingPage":false,"seatsPerTimeSlot":null,'
    '"forwardParamsSuccessRedirect":true,"successRedirectUrl":null,"isInstantEvent":false,'
    '"seatsShowAvailabilityCount":true,"scheduleId":null,"bookingLimitsCount":{"day":4},'
    '"bookingWindow":{"type":"calendarDays","value":30,"rolling":true},'
    '"confirmationPolicy":{"type":"time","noticeThreshold":{"unit":"hours","count":24},'
    '"blockUnconfirmedBookingsInBooker":true},"hidden":false,"bookingRequiresAuthentication":false,'
    '"users":[{"id":1,"name":"Bob Host","username":"bob","avatarUrl":null,"weekStart":"Monday",'
    '"brandColor":null,"darkBrandColor":null,"metadata":{}}],'
    '"bookingUrl":"https://cal.example.com/bob/intro"}'
)

# Every §4.1 field except recurrence and seats, which can't be combined with some of these.
EVERYTHING: dict[str, Any] = {
    "lengthInMinutes": 30,
    "lengthInMinutesOptions": [15, 30],
    "title": "Intro",
    "slug": "intro",
    "description": "Short intro call",
    "locations": [{"type": "address", "address": "1 Main St", "public": True}],
    "bookingFields": [{"type": "text", "slug": "company", "label": "Company", "required": False}],
    "disableGuests": True,
    "slotInterval": 15,
    "minimumBookingNotice": 60,
    "beforeEventBuffer": 5,
    "afterEventBuffer": 10,
    "bookingLimitsCount": {"day": 2, "week": 5},
    "bookerActiveBookingsLimit": {"maximumActiveBookings": 2, "offerReschedule": True},
    "onlyShowFirstAvailableSlot": True,
    "bookingLimitsDuration": {"day": 120},
    "bookingWindow": {"type": "businessDays", "value": 10, "rolling": False},
    "offsetStart": 5,
    "bookerLayouts": {"defaultLayout": "week", "enabledLayouts": ["month", "week"]},
    "confirmationPolicy": {"type": "always", "blockUnconfirmedBookingsInBooker": False},
    "requiresBookerEmailVerification": True,
    "hideCalendarNotes": True,
    "lockTimeZoneToggleOnBookingPage": True,
    "color": {"lightThemeHex": "#292929", "darkThemeHex": "#fafafa"},
    "customName": "{Event type title} between {Organiser} and {Scheduler}",
    "destinationCalendar": {"integration": "apple_calendar", "externalId": "https://dav/bob/w/"},
    "useDestinationCalendarEmail": True,
    "hideCalendarEventDetails": True,
    "successRedirectUrl": "https://example.com/thanks",
    "hideOrganizerEmail": True,
    "calVideoSettings": {"disableRecordingForGuests": True},
    "hidden": True,
    "bookingRequiresAuthentication": True,
    "disableCancelling": {"disabled": True},
    "disableRescheduling": {"disabled": False, "minutesBefore": 60},
    "metadata": {"source": "api"},
}

# A different value for every field of EVERYTHING.
CHANGED: dict[str, Any] = {
    "lengthInMinutes": 45,
    "lengthInMinutesOptions": [45, 90],
    "title": "Deep dive",
    "slug": "deep-dive",
    "description": "Longer",
    "locations": [{"type": "link", "link": "https://meet.example.com/bob", "public": False}],
    "bookingFields": [{"type": "number", "slug": "age", "label": "Age", "required": True}],
    "disableGuests": False,
    "slotInterval": 30,
    "minimumBookingNotice": 0,
    "beforeEventBuffer": 0,
    "afterEventBuffer": 15,
    "bookingLimitsCount": {"month": 10},
    "bookerActiveBookingsLimit": {"maximumActiveBookings": 5},
    "onlyShowFirstAvailableSlot": False,
    "bookingLimitsDuration": {"week": 300},
    "bookingWindow": {"type": "range", "value": ["2030-01-10", "2030-03-01"]},
    "offsetStart": 0,
    "bookerLayouts": {"defaultLayout": "month", "enabledLayouts": ["month"]},
    "confirmationPolicy": {
        "type": "time",
        "noticeThreshold": {"unit": "minutes", "count": 90},
        "blockUnconfirmedBookingsInBooker": True,
    },
    "requiresBookerEmailVerification": False,
    "hideCalendarNotes": False,
    "lockTimeZoneToggleOnBookingPage": False,
    "color": {"lightThemeHex": "#ffffff", "darkThemeHex": "#000000"},
    "customName": "{Scheduler first name} x {Organiser}",
    "destinationCalendar": {"integration": "caldav", "externalId": "https://dav/bob/home/"},
    "useDestinationCalendarEmail": False,
    "hideCalendarEventDetails": False,
    "successRedirectUrl": "https://example.com/next",
    "hideOrganizerEmail": False,
    "calVideoSettings": {"redirectUrlOnExit": "https://example.com/bye"},
    "hidden": False,
    "bookingRequiresAuthentication": False,
    "disableCancelling": {"disabled": False},
    "disableRescheduling": {"disabled": True},
    "metadata": {"source": "patch"},
}

SEATS = {"seatsPerTimeSlot": 4, "showAttendeeInfo": True, "showAvailabilityCount": False}
RECURRENCE = {"interval": 1, "occurrences": 4, "frequency": "weekly"}


async def create(client, user, **fields: Any) -> dict[str, Any]:
    response = await client.post("/v2/event-types", json=BASE | fields, headers=user.auth | V)
    assert response.status_code == 201, response.text
    return response.json()["data"]


async def fetch(client, user, event_type_id: int) -> dict[str, Any]:
    response = await client.get(f"/v2/event-types/{event_type_id}", headers=user.auth | V)
    assert response.status_code == 200, response.text
    return response.json()["data"]


async def patch(client, user, event_type_id: int, change: dict[str, Any]):
    return await client.patch(
        f"/v2/event-types/{event_type_id}", json=change, headers=user.auth | V
    )


def assert_echoed(sent: dict[str, Any], out: dict[str, Any]) -> None:
    """Every field sent comes back as sent (booking fields among the built-in ones)."""
    for key, value in sent.items():
        if key == "bookingFields":
            custom = [f for f in out[key] if not f["isDefault"]]
            assert custom == [f | {"isDefault": False, "hidden": False} for f in value]
        else:
            assert out[key] == value, key


def bad_fields(response) -> set[str]:
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "BadRequestException"
    return {e["property"] for e in error["details"]["errors"]}


async def first_slots(client, event_type_id: int, day: str = "2030-01-07") -> list[str]:
    response = await client.get(
        "/v2/slots",
        params={"eventTypeId": event_type_id, "start": day, "end": day, "timeZone": "UTC"},
    )
    assert response.status_code == 200, response.text
    return [s["start"][11:16] for s in response.json()["data"].get(day, [])]


# --- the contract example -----------------------------------------------------------------------


async def test_the_contract_example_returns_the_documented_shape(client, make_user):
    bob = await make_user("bob", name="Bob Host")
    response = await client.post("/v2/event-types", json=EXAMPLE_REQUEST, headers=bob.auth | V)
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    expected = EXAMPLE_RESPONSE | {"id": data["id"], "ownerId": bob.id}
    expected["users"] = [expected["users"][0] | {"id": bob.id}]
    # Cal.com's output service also sends the plain settings its example leaves out.
    always = {k: v for k, v in ALWAYS_SENT.items() if k not in expected}
    assert {k: v for k, v in data.items() if k != "bookingFields"} == {
        k: v for k, v in (expected | always).items() if k != "bookingFields"
    }
    assert [k for k in data if k in expected] == list(expected)  # the example's order
    # The documented booking fields come out exactly, in order; Cal.com lists its other built-in
    # fields (title, notes, guests, rescheduleReason) after them.
    documented = expected["bookingFields"]
    assert [f for f in data["bookingFields"] if f in documented] == documented
    assert await fetch(client, bob, data["id"]) == data


async def test_a_minimal_event_type_has_every_required_output_field(client, make_user):
    bob = await make_user("bob")
    data = await create(client, bob)
    required = {
        "id", "lengthInMinutes", "title", "slug", "description", "locations", "bookingFields",
        "disableGuests", "recurrence", "metadata", "price", "currency",
        "lockTimeZoneToggleOnBookingPage", "forwardParamsSuccessRedirect", "successRedirectUrl",
        "isInstantEvent", "scheduleId", "hidden", "bookingRequiresAuthentication", "ownerId",
        "users", "bookingUrl",
    }  # fmt: skip
    assert required <= set(data)
    assert data["locations"] == [{"type": "integration", "integration": "cal-video"}]
    assert data["minimumBookingNotice"] == 120
    assert data["scheduleId"] is None
    assert data["bookingUrl"] == "https://cal.example.com/bob/intro"
    assert data["users"] == [
        {
            "id": bob.id,
            "name": "Bob",
            "username": "bob",
            "avatarUrl": None,
            "weekStart": "Monday",
            "brandColor": None,
            "darkBrandColor": None,
            "metadata": {},
        }
    ]


# --- round trip ---------------------------------------------------------------------------------


async def test_every_field_set_by_post_is_read_back_by_get(client, make_user):
    bob = await make_user("bob")
    created = await create(client, bob, **EVERYTHING, scheduleId=bob.default_schedule_id)
    assert_echoed(EVERYTHING | {"scheduleId": bob.default_schedule_id}, created)
    assert await fetch(client, bob, created["id"]) == created


@pytest.mark.parametrize("extra", [{"seats": SEATS}, {"recurrence": RECURRENCE}])
async def test_seats_and_recurrence_are_read_back_too(client, make_user, extra):
    bob = await make_user("bob")
    created = await create(client, bob, **extra)
    assert_echoed(extra, created)
    assert await fetch(client, bob, created["id"]) == created


async def test_seats_are_also_flattened_into_the_output(client, make_user):
    bob = await make_user("bob")
    created = await create(client, bob, seats=SEATS)
    assert created["seatsPerTimeSlot"] == 4
    assert created["seatsShowAvailabilityCount"] is False


async def test_every_field_is_changed_by_patch(client, make_user):
    bob = await make_user("bob")
    evenings = await client.post(
        "/v2/schedules",
        json={"name": "Evenings", "timeZone": "UTC", "isDefault": False},
        headers=bob.auth,
    )
    created = await create(client, bob, **EVERYTHING, scheduleId=bob.default_schedule_id)
    change = CHANGED | {"scheduleId": evenings.json()["data"]["id"]}
    response = await patch(client, bob, created["id"], change)
    assert response.status_code == 200, response.text
    patched = response.json()["data"]
    assert_echoed(change, patched)
    assert patched["bookingUrl"] == "https://cal.example.com/bob/deep-dive"
    assert await fetch(client, bob, created["id"]) == patched


async def test_a_patch_changes_only_what_it_names(client, make_user):
    bob = await make_user("bob")
    created = await create(client, bob, **EVERYTHING)
    response = await patch(client, bob, created["id"], {"title": "Renamed", "hidden": False})
    assert response.status_code == 200, response.text
    assert response.json()["data"] == created | {"title": "Renamed", "hidden": False}


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("bookingLimitsCount", {"day": 2}),
        ("bookingLimitsDuration", {"day": 60}),
        ("bookerActiveBookingsLimit", {"maximumActiveBookings": 1}),
        ("bookingWindow", {"type": "calendarDays", "value": 7}),
        ("confirmationPolicy", {"type": "always", "blockUnconfirmedBookingsInBooker": True}),
        ("recurrence", RECURRENCE),
        ("seats", SEATS),
    ],
)
async def test_disabled_true_resets_a_nested_setting(client, make_user, key, value):
    bob = await make_user("bob")
    created = await create(client, bob, **{key: value})
    response = await patch(client, bob, created["id"], {key: {"disabled": True}})
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    if key == "recurrence":
        assert data["recurrence"] is None
    elif key in ("bookerActiveBookingsLimit", "bookingWindow", "confirmationPolicy", "seats"):
        assert data[key] == {"disabled": True}  # always sent, as Cal.com does
    else:
        assert key not in data
    if key == "seats":
        assert data["seatsPerTimeSlot"] is None
    assert await fetch(client, bob, created["id"]) == data


async def test_null_resets_an_optional_setting_to_its_default(client, make_user):
    bob = await make_user("bob")
    created = await create(client, bob, slotInterval=15, description="Hi", minimumBookingNotice=5)
    change = {"slotInterval": None, "description": None, "minimumBookingNotice": None}
    data = (await patch(client, bob, created["id"], change)).json()["data"]
    assert (data["slotInterval"], data["description"], data["minimumBookingNotice"]) == (
        None,
        "",
        120,
    )


async def test_integers_may_arrive_as_whole_floats(client, make_user):
    bob = await make_user("bob")
    created = await create(
        client,
        bob,
        lengthInMinutes=30.0,
        minimumBookingNotice=60.0,
        scheduleId=float(bob.default_schedule_id),
    )
    assert (created["lengthInMinutes"], created["minimumBookingNotice"]) == (30, 60)
    assert created["scheduleId"] == bob.default_schedule_id
    response = await client.post(
        "/v2/event-types", json=BASE | {"lengthInMinutes": 30.5}, headers=bob.auth
    )
    assert bad_fields(response) == {"lengthInMinutes"}


# --- the settings shape the bookable times ------------------------------------------------------


async def test_an_event_type_made_through_the_api_offers_slots_by_its_settings(client, make_user):
    bob = await make_user("bob")
    created = await create(client, bob, lengthInMinutes=60)
    # 08:00 now, Cal.com's default notice of 120 minutes: nothing before 10:00.
    assert (await first_slots(client, created["id"]))[:2] == ["10:00", "11:00"]
    await patch(client, bob, created["id"], {"minimumBookingNotice": 0, "slotInterval": 30})
    assert (await first_slots(client, created["id"]))[:3] == ["09:00", "09:30", "10:00"]


async def test_the_event_type_follows_the_schedule_it_names(client, make_user):
    bob = await make_user("bob")
    evenings = await client.post(
        "/v2/schedules",
        json={
            "name": "Evenings",
            "timeZone": "UTC",
            "isDefault": False,
            "availability": [{"days": [1], "startTime": "18:00", "endTime": "20:00"}],
        },
        headers=bob.auth,
    )
    schedule_id = evenings.json()["data"]["id"]
    created = await create(client, bob, lengthInMinutes=60, scheduleId=schedule_id)
    assert created["scheduleId"] == schedule_id
    assert await first_slots(client, created["id"]) == ["18:00", "19:00"]
    await patch(client, bob, created["id"], {"scheduleId": None})
    assert (await first_slots(client, created["id"]))[0] == "10:00"  # back on the default


# --- validation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"lengthInMinutes": None}, "lengthInMinutes"),
        ({"title": None}, "title"),
        ({"slug": None}, "slug"),
        ({"lengthInMinutes": 0}, "lengthInMinutes"),
        ({"title": ""}, "title"),
        ({"slug": "!!!"}, "slug"),
        ({"lengthInMinutesOptions": [15, 60]}, "lengthInMinutesOptions"),
        ({"lengthInMinutesOptions": []}, "lengthInMinutesOptions"),
        ({"minimumBookingNotice": -1}, "minimumBookingNotice"),
        ({"beforeEventBuffer": -5}, "beforeEventBuffer"),
        ({"afterEventBuffer": -5}, "afterEventBuffer"),
        ({"slotInterval": 0}, "slotInterval"),
        ({"offsetStart": -1}, "offsetStart"),
        ({"scheduleId": 0}, "scheduleId"),
        ({"bookingLimitsCount": {"day": 0}}, "bookingLimitsCount.day"),
        ({"bookingLimitsCount": {"day": 5, "week": 2}}, "bookingLimitsCount.day"),
        ({"bookingLimitsDuration": {"day": 20}}, "bookingLimitsDuration.day"),
        ({"bookingWindow": {"type": "weeks", "value": 3}}, "bookingWindow.type"),
        (
            {"bookingWindow": {"type": "range", "value": ["2030-02-01", "2030-01-01"]}},
            "bookingWindow.value.1",
        ),
        (
            {"confirmationPolicy": {"type": "time", "blockUnconfirmedBookingsInBooker": True}},
            "confirmationPolicy.noticeThreshold",
        ),
        ({"recurrence": RECURRENCE | {"frequency": "daily"}}, "recurrence.frequency"),
        ({"seats": SEATS | {"seatsPerTimeSlot": 1001}}, "seats.seatsPerTimeSlot"),
        ({"seats": SEATS, "recurrence": RECURRENCE}, "seats"),
        (
            {"bookerActiveBookingsLimit": {"maximumActiveBookings": 1}, "recurrence": RECURRENCE},
            "bookerActiveBookingsLimit",
        ),
        ({"locations": []}, "locations"),
        (
            {"locations": [{"type": "integration", "integration": "teams"}]},
            "locations.0.integration",
        ),
        (
            {"bookingFields": [{"type": "date", "slug": "d", "label": "D", "required": True}]},
            "bookingFields.0.type",
        ),
        (
            {"bookerLayouts": {"defaultLayout": "week", "enabledLayouts": ["month"]}},
            "bookerLayouts.defaultLayout",
        ),
        ({"color": {"lightThemeHex": "red", "darkThemeHex": "#000"}}, "color.lightThemeHex"),
        ({"successRedirectUrl": "not a url"}, "successRedirectUrl"),
        ({"hidden": "maybe"}, "hidden"),
    ],
)
async def test_bad_input_is_a_400_naming_the_field(client, make_user, fields, field):
    bob = await make_user("bob")
    sent = {k: v for k, v in (BASE | fields).items() if v is not None}
    response = await client.post("/v2/event-types", json=sent, headers=bob.auth | V)
    assert field in bad_fields(response)
    listed = await client.get("/v2/event-types", headers=bob.auth | V)
    assert listed.json()["data"] == []  # nothing was created


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"lengthInMinutes": 45}, "lengthInMinutesOptions"),  # options no longer include it
        ({"recurrence": RECURRENCE}, "seats"),  # recurrence can't join seats
        ({"title": None}, "title"),
        ({"bookingWindow": {"type": "calendarDays", "value": 0}}, "bookingWindow.value"),
    ],
)
async def test_a_bad_patch_is_a_400_naming_the_field_and_changes_nothing(
    client, make_user, change, field
):
    bob = await make_user("bob")
    created = await create(client, bob, lengthInMinutesOptions=[15, 30], seats=SEATS)
    assert field in bad_fields(await patch(client, bob, created["id"], change))
    assert await fetch(client, bob, created["id"]) == created


async def test_another_users_schedule_cannot_be_used(client, make_user):
    bob, eve = await make_user("bob"), await make_user("eve")
    response = await client.post(
        "/v2/event-types", json=BASE | {"scheduleId": eve.default_schedule_id}, headers=bob.auth
    )
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "NotFoundException"
    assert error["message"] == f"Schedule with id={eve.default_schedule_id} not found"
    created = await create(client, bob)
    response = await patch(client, bob, created["id"], {"scheduleId": eve.default_schedule_id})
    assert response.status_code == 404


# --- slugs --------------------------------------------------------------------------------------


async def test_a_duplicate_slug_is_a_conflict(client, make_user):
    bob = await make_user("bob")
    await create(client, bob)
    response = await client.post("/v2/event-types", json=BASE, headers=bob.auth | V)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "ConflictException"
    assert "intro" in response.json()["error"]["message"]


async def test_renaming_onto_a_taken_slug_is_a_conflict(client, make_user):
    bob = await make_user("bob")
    await create(client, bob)
    other = await create(client, bob, slug="other")
    response = await patch(client, bob, other["id"], {"slug": "Intro"})  # slugified to "intro"
    assert response.status_code == 409
    assert (await fetch(client, bob, other["id"]))["slug"] == "other"


async def test_two_users_may_use_the_same_slug(client, make_user):
    bob, eve = await make_user("bob"), await make_user("eve")
    await create(client, bob)
    assert (await create(client, eve))["bookingUrl"] == "https://cal.example.com/eve/intro"


async def test_a_slug_taken_by_a_concurrent_writer_is_a_conflict_not_a_crash(
    make_user, make_event_type, db: AsyncEngine, clock
):
    bob = await make_user("bob")
    await make_event_type(bob, "intro")
    # The service checks first; a writer that slipped in between meets the UNIQUE constraint.
    async with UnitOfWork(session_factory(db), write=True) as uow:
        with pytest.raises(Conflict):
            await uow.event_types.add(
                owner_id=bob.id,
                slug="intro",
                title="Intro",
                hidden=False,
                schedule_id=None,
                rules=EventRules(duration=30),
                settings=dict(BASE),
                now=clock(),
            )


# --- delete -------------------------------------------------------------------------------------


async def test_delete_answers_the_documented_shape_and_the_event_type_is_gone(client, make_user):
    bob = await make_user("bob")
    created = await create(client, bob, lengthInMinutes=60)
    url = f"/v2/event-types/{created['id']}"
    response = await client.delete(url, headers=bob.auth | V)
    assert response.status_code == 200
    assert response.json() == {
        "status": "success",
        "data": {"id": created["id"], "lengthInMinutes": 60, "title": "Intro", "slug": "intro"},
    }
    assert (await client.get(url, headers=bob.auth)).status_code == 404


# --- access -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "payload"), [("GET", None), ("PATCH", {"title": "Mine now"}), ("DELETE", None)]
)
async def test_another_users_event_type_is_not_found(client, make_user, method, payload):
    bob, eve = await make_user("bob"), await make_user("eve")
    created = await create(client, bob)
    url = f"/v2/event-types/{created['id']}"
    response = await client.request(method, url, json=payload, headers=eve.auth | V)
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "NotFoundException"
    assert error["message"] == f"Event type with id={created['id']} not found"
    assert await fetch(client, bob, created["id"]) == created


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/v2/event-types"),
        ("GET", "/v2/event-types/1"),
        ("PATCH", "/v2/event-types/1"),
        ("DELETE", "/v2/event-types/1"),
    ],
)
async def test_changing_or_reading_one_event_type_needs_an_api_key(client, method, path):
    response = await client.request(method, path, json={} if method != "GET" else None)
    assert response.status_code == 401


# --- listing ------------------------------------------------------------------------------------


async def test_without_a_version_header_the_list_has_cal_coms_legacy_shape(client, make_user):
    bob = await make_user("bob", name="Bob Host")
    created = await create(client, bob, description="Short intro call")
    response = await client.get("/v2/event-types", headers=bob.auth)
    assert response.status_code == 200
    profile = {"slug": "bob", "name": "Bob Host", "image": None}
    assert response.json() == {
        "status": "success",
        "data": {
            "eventTypeGroups": [
                {
                    "teamId": None,
                    "bookerUrl": "https://cal.example.com",
                    "membershipRole": None,
                    "profile": profile,
                    "metadata": {"membershipCount": 0, "readOnly": False},
                    "eventTypes": [
                        {
                            "id": created["id"],
                            "title": "Intro",
                            "slug": "intro",
                            "length": 30,
                            "description": "Short intro call",
                            "hidden": False,
                            "locations": [{"type": "integration", "integration": "cal-video"}],
                            "schedulingType": None,
                            "teamId": None,
                            "position": 0,
                            "price": 0,
                            "currency": "usd",
                        }
                    ],
                }
            ],
            "profiles": [
                profile
                | {"teamId": None, "membershipRole": None, "membershipCount": 0, "readOnly": False}
            ],
        },
    }


@pytest.mark.parametrize("version", [None, "garbage", "2024-04-15"])
async def test_a_missing_unknown_or_legacy_version_gets_the_legacy_list(client, make_user, version):
    bob = await make_user("bob")
    await create(client, bob)
    headers = bob.auth | ({"cal-api-version": version} if version else {})
    data = (await client.get("/v2/event-types", headers=headers)).json()["data"]
    assert [e["slug"] for e in data["eventTypeGroups"][0]["eventTypes"]] == ["intro"]


@pytest.mark.parametrize("version", ["2024-06-14", "2024-08-13"])
async def test_a_current_version_gets_an_array_of_event_types(client, make_user, version):
    bob = await make_user("bob")
    created = await create(client, bob)
    response = await client.get("/v2/event-types", headers=bob.auth | {"cal-api-version": version})
    assert response.json() == {"status": "success", "data": [created]}


async def test_anyone_may_list_a_users_public_event_types_by_username(client, make_user):
    bob, eve = await make_user("bob"), await make_user("eve")
    await create(client, bob, slug="public")
    await create(client, bob, slug="secret", hidden=True)
    await create(client, eve, slug="eves")
    for headers in ({}, eve.auth):
        response = await client.get(
            "/v2/event-types", params={"username": "bob"}, headers=V | headers
        )
        assert response.status_code == 200, response.text
        assert [e["slug"] for e in response.json()["data"]] == ["public"]
    legacy = await client.get("/v2/event-types", params={"username": "bob"})
    groups = legacy.json()["data"]["eventTypeGroups"]
    assert [e["slug"] for e in groups[0]["eventTypes"]] == ["public"]


async def test_the_owner_sees_hidden_event_types_too(client, make_user):
    bob = await make_user("bob")
    await create(client, bob, slug="public")
    await create(client, bob, slug="secret", hidden=True)
    for params in ({}, {"username": "bob"}):
        response = await client.get("/v2/event-types", params=params, headers=bob.auth | V)
        assert [e["slug"] for e in response.json()["data"]] == ["public", "secret"]


async def test_event_slug_narrows_the_list_to_one(client, make_user):
    bob = await make_user("bob")
    await create(client, bob, slug="a")
    await create(client, bob, slug="b")
    response = await client.get(
        "/v2/event-types", params={"username": "bob", "eventSlug": "b"}, headers=V
    )
    assert [e["slug"] for e in response.json()["data"]] == ["b"]


async def test_an_unknown_username_has_no_event_types(client):
    response = await client.get("/v2/event-types", params={"username": "nobody"}, headers=V)
    assert response.json() == {"status": "success", "data": []}


async def test_listing_anonymously_needs_a_username(client):
    response = await client.get("/v2/event-types", headers=V)
    assert bad_fields(response) == {"username"}
    assert "username" in response.json()["error"]["message"]


async def test_event_slug_without_username_is_refused(client, make_user):
    bob = await make_user("bob")
    response = await client.get("/v2/event-types", params={"eventSlug": "a"}, headers=bob.auth)
    assert bad_fields(response) == {"username"}


async def test_sort_created_at_orders_by_creation(client, make_user):
    bob = await make_user("bob")
    for slug in ("first", "second", "third"):
        await create(client, bob, slug=slug)
    newest = await client.get(
        "/v2/event-types", params={"sortCreatedAt": "desc"}, headers=bob.auth | V
    )
    assert [e["slug"] for e in newest.json()["data"]] == ["third", "second", "first"]
    bad = await client.get("/v2/event-types", params={"sortCreatedAt": "up"}, headers=bob.auth)
    assert bad_fields(bad) == {"sortCreatedAt"}


async def test_plain_settings_are_always_sent_and_complex_ones_only_when_set(client, make_user):
    """As Cal.com's output service: columns with defaults come back even when never sent."""
    bob = await make_user("bob")
    created = await create(client, bob)
    assert {
        key: created[key]
        for key in (
            "onlyShowFirstAvailableSlot",
            "requiresBookerEmailVerification",
            "hideCalendarNotes",
            "hideCalendarEventDetails",
            "useDestinationCalendarEmail",
            "offsetStart",
            "lockTimeZoneToggleOnBookingPage",
            "hideOrganizerEmail",
            "bookerActiveBookingsLimit",
            "disableCancelling",
            "disableRescheduling",
        )
    } == {
        "onlyShowFirstAvailableSlot": False,
        "requiresBookerEmailVerification": False,
        "hideCalendarNotes": False,
        "hideCalendarEventDetails": False,
        "useDestinationCalendarEmail": False,
        "offsetStart": 0,
        "lockTimeZoneToggleOnBookingPage": False,
        "hideOrganizerEmail": False,
        "bookerActiveBookingsLimit": {"disabled": True},
        "disableCancelling": {"disabled": False},
        "disableRescheduling": {"disabled": False},
    }
    for absent in (
        "bookingLimitsCount",
        "bookingLimitsDuration",
        "bookerLayouts",
        "color",
        "customName",
        "destinationCalendar",
        "calVideoSettings",
    ):
        assert absent not in created, absent
    assert await fetch(client, bob, created["id"]) == created


async def test_an_unset_window_confirmation_policy_and_seats_are_sent_disabled(client, make_user):
    """Cal.com's transformers answer {"disabled": true} for these when unset (periodType
    UNLIMITED, requiresConfirmation false, seatsPerTimeSlot null), on every read."""
    bob = await make_user("bob")
    created = await create(client, bob)
    listed = (await client.get("/v2/event-types", headers=bob.auth | V)).json()["data"][0]
    for data in (created, await fetch(client, bob, created["id"]), listed):
        assert data["bookingWindow"] == {"disabled": True}
        assert data["confirmationPolicy"] == {"disabled": True}
        assert data["seats"] == {"disabled": True}
        assert data["seatsPerTimeSlot"] is None
    window = {"type": "calendarDays", "value": 7, "rolling": True}
    changed = (await patch(client, bob, created["id"], {"bookingWindow": window})).json()["data"]
    assert changed["bookingWindow"] == window
    assert changed["seats"] == {"disabled": True}
