"""The public pages over ASGI on both engines: they show what GET /v2/slots offers, book
through the same service as POST /v2/bookings, and answer the same refusals."""

from __future__ import annotations

import re

from tests.api.helpers import attendee, slot_starts

ORIGIN = {"Origin": "http://test"}
TUE = "2030-01-08"


async def _setup(make_user, make_event_type):
    bob = await make_user("bob", time_zone="Europe/Rome", name="Bob Host")
    et = await make_event_type(bob, "intro", duration=30)
    return bob, et


async def test_root_says_what_the_server_is_and_links_the_docs(client):
    page = await client.get("/")
    assert page.status_code == 200
    assert 'href="/docs"' in page.text and "Cal.com" in page.text
    assert "nonce-" in page.headers["content-security-policy"]


async def test_profile_lists_public_event_types_and_unknown_users_are_404(
    client, make_user, make_event_type
):
    bob, _ = await _setup(make_user, make_event_type)
    page = await client.get("/bob")
    assert page.status_code == 200 and 'href="/bob/intro"' in page.text
    assert (await client.get("/nobody")).status_code == 404
    # Reserved paths stay the API's: the page routes never shadow them.
    missing = await client.get("/v2/nothing-here")
    assert missing.headers["content-type"].startswith("application/json")
    assert (await client.post("/v2/me", headers=bob.auth)).status_code == 405


async def test_booking_page_shows_the_same_times_as_the_slots_api(
    client, make_user, make_event_type
):
    _, et = await _setup(make_user, make_event_type)
    api = await client.get(
        "/v2/slots",
        params={"eventTypeId": et, "start": TUE, "end": TUE, "timeZone": "America/New_York"},
    )
    api_times = [s["start"][11:16] for s in api.json()["data"][TUE]]
    page = await client.get(
        "/bob/intro", params={"tz": "America/New_York", "month": "2030-01", "date": TUE}
    )
    assert page.status_code == 200
    times = re.findall(r'#form"[^>]*>(\d\d:\d\d)</a>', page.text)
    assert times == api_times and times


async def _book_by_page(client, start: str, *, tz: str = "America/New_York", name="Jane Doe"):
    return await client.post(
        "/bob/intro",
        data={"start": start, "tz": tz, "name": name, "email": "jane@example.com", "notes": "hi"},
        headers=ORIGIN,
    )


async def test_page_then_api_then_page_agree_on_one_slot(client, make_user, make_event_type):
    _, et = await _setup(make_user, make_event_type)
    first = "2030-01-08T09:00:00Z"
    booked = await _book_by_page(client, first)
    assert booked.status_code == 303, booked.text
    uid = booked.headers["location"].split("/booking/")[1].split("?")[0]
    got = await client.get(f"/v2/bookings/{uid}")
    assert got.json()["data"]["start"] == "2030-01-08T09:00:00.000Z"
    assert "2030-01-08T09:00:00.000Z" not in await slot_starts(client, et)
    # The API refuses the slot the page booked, and the page refuses the slot the API booked,
    # with the same status.
    api = await client.post(
        "/v2/bookings", json={"start": first, "eventTypeId": et, "attendee": attendee()}
    )
    page = await _book_by_page(client, first)
    assert api.status_code == page.status_code == 409
    assert "just taken" in page.text
    second = "2030-01-08T11:00:00Z"
    assert (
        await client.post(
            "/v2/bookings", json={"start": second, "eventTypeId": et, "attendee": attendee()}
        )
    ).status_code == 201
    assert (await _book_by_page(client, second)).status_code == 409
    # A rule refusal is the same status on both paths too (outside availability: 422).
    night = "2030-01-08T03:00:00Z"
    api = await client.post(
        "/v2/bookings", json={"start": night, "eventTypeId": et, "attendee": attendee()}
    )
    page = await _book_by_page(client, night)
    assert api.status_code == page.status_code == 422


async def test_a_form_from_another_site_is_refused(client, make_user, make_event_type):
    await _setup(make_user, make_event_type)
    forged = await client.post(
        "/bob/intro",
        data={"start": "2030-01-08T09:00:00Z", "name": "X", "email": "x@example.com"},
        headers={"Origin": "https://evil.example"},
    )
    assert forged.status_code == 403
    assert (
        await client.post("/bob/intro", data={"start": "2030-01-08T09:00:00Z"})
    ).status_code == 403


async def test_bad_form_input_is_named_on_the_page(client, make_user, make_event_type):
    await _setup(make_user, make_event_type)
    page = await client.post(
        "/bob/intro",
        data={"start": "2030-01-08T09:00:00Z", "tz": "UTC", "name": "J", "email": "not-mail"},
        headers=ORIGIN,
    )
    assert page.status_code == 400
    assert "attendee.email" in page.text


async def test_cancel_and_reschedule_through_the_manage_page(client, make_user, make_event_type):
    _, et = await _setup(make_user, make_event_type)
    booked = await _book_by_page(client, "2030-01-08T09:00:00Z")
    uid = booked.headers["location"].split("/booking/")[1].split("?")[0]
    page = await client.get(f"/booking/{uid}", params={"tz": "Asia/Tokyo"})
    assert "18:00" in page.text and "Asia/Tokyo" in page.text  # 09:00Z in Tokyo
    ics = await client.get(f"/booking/{uid}/ics")
    assert ics.headers["content-type"].startswith("text/calendar")
    assert "SEQUENCE:0" in ics.text
    picker = await client.get(f"/booking/{uid}/reschedule", params={"date": TUE})
    assert picker.status_code == 200 and "Reschedule" in picker.text
    moved = await client.post(
        f"/booking/{uid}/reschedule",
        data={"start": "2030-01-08T13:00:00Z", "tz": "UTC", "reason": "clash"},
        headers=ORIGIN,
    )
    assert moved.status_code == 303, moved.text
    new_uid = moved.headers["location"].split("/booking/")[1].split("?")[0]
    new = (await client.get(f"/v2/bookings/{new_uid}")).json()["data"]
    assert new["start"] == "2030-01-08T13:00:00.000Z"
    ics = await client.get(f"/booking/{new_uid}/ics")
    assert "SEQUENCE:1" in ics.text and f"UID:{uid}@rendezvous" in ics.text
    cancelled = await client.post(
        f"/booking/{new_uid}/cancel", data={"reason": "no longer needed"}, headers=ORIGIN
    )
    assert cancelled.status_code == 303
    after = (await client.get(f"/v2/bookings/{new_uid}")).json()["data"]
    assert after["status"] == "cancelled" and after["cancellationReason"] == "no longer needed"
    assert "2030-01-08T13:00:00.000Z" in await slot_starts(client, et)


async def test_custom_fields_phone_and_location_choice_reach_the_booking(
    client, make_user, make_event_type
):
    bob = await make_user("bob", time_zone="Europe/Rome")
    fields = [
        {"type": "select", "slug": "topic", "label": "Topic", "required": True,
         "options": ["Sales", "Support"]},
        {"type": "number", "slug": "seats", "label": "How many of you", "required": False},
        {"type": "boolean", "slug": "recorded", "label": "Record it"},
        {"type": "phone", "slug": "attendeePhoneNumber", "label": "Phone", "required": True},
    ]  # fmt: skip
    locations = [
        {"type": "integration", "integration": "cal-video"},
        {"type": "attendeeAddress"},
    ]
    await make_event_type(bob, "visit", settings={"bookingFields": fields, "locations": locations})
    page = await client.get(
        "/bob/visit",
        params={"tz": "UTC", "date": TUE, "slot": "2030-01-08T09:00:00Z"},
    )
    assert page.status_code == 200
    for label in ('for="field_topic"', 'for="field_seats"', 'for="phone"', 'for="loc1"'):
        assert label in page.text
    form = {
        "start": "2030-01-08T09:00:00Z", "tz": "UTC", "name": "Jane Doe",
        "email": "jane@example.com", "phone": "+15555550100", "field_topic": "Support",
        "field_seats": "3", "field_recorded": "on", "location": "1",
        "location_text": "Via Roma 1, Milano",
    }  # fmt: skip
    missing = await client.post(
        "/bob/visit", data={k: v for k, v in form.items() if k != "field_topic"}, headers=ORIGIN
    )
    assert missing.status_code == 400 and "bookingFieldsResponses.topic" in missing.text
    booked = await client.post("/bob/visit", data=form, headers=ORIGIN)
    assert booked.status_code == 303, booked.text
    uid = booked.headers["location"].split("/booking/")[1].split("?")[0]
    data = (await client.get(f"/v2/bookings/{uid}", headers=bob.auth)).json()["data"]
    assert data["location"] == "Via Roma 1, Milano"
    assert data["bookingFieldsResponses"]["topic"] == "Support"
    assert data["bookingFieldsResponses"]["seats"] == 3
    assert data["bookingFieldsResponses"]["recorded"] is True
    assert data["attendees"][0]["phoneNumber"] == "+15555550100"


async def test_hidden_event_types_and_unknown_teams_have_no_page(
    client, make_user, make_event_type, db
):
    from sqlalchemy import text

    bob = await make_user("bob")
    await make_event_type(bob, "secret")
    async with db.begin() as conn:
        await conn.execute(text("UPDATE event_types SET hidden = true"))
    assert (await client.get("/bob/secret")).status_code == 404
    assert "secret" not in (await client.get("/bob")).text
    assert (await client.get("/team/sales/intro")).status_code == 404


async def test_a_pending_booking_page_says_it_awaits_the_host(client, make_user, make_event_type):
    bob = await make_user("bob")
    policy = {"type": "always", "blockUnconfirmedBookingsInBooker": True}
    await make_event_type(bob, "intro", settings={"confirmationPolicy": policy})
    booked = await _book_by_page(client, "2030-01-08T09:00:00Z")
    page = await client.get(booked.headers["location"])
    assert "Waiting for the host" in page.text


async def test_odd_picker_parameters_show_the_current_month(client, make_user, make_event_type):
    await _setup(make_user, make_event_type)
    for params in (
        {"month": "9999-12"},
        {"month": "0001-01"},
        {"date": "9999-12-31"},
        {"month": "2030-13", "date": "nonsense", "slot": "x", "tz": "Not/AZone"},
    ):
        page = await client.get("/bob/intro", params=params)
        assert page.status_code == 200, params
        assert "January 2030" in page.text  # the fixed clock's month
