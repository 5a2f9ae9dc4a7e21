"""Hostile input to the public pages, on both engines: what the API refuses with a clear 400
the pages refuse with a clear page (never a 500), and what they show is what was booked."""

from __future__ import annotations

from tests.api.helpers import attendee

ORIGIN = {"Origin": "http://test"}


async def _booking(client, make_user, make_event_type, **extra):
    bob = await make_user("bob", name="Bob Host")
    et = await make_event_type(bob, "intro", duration=30)
    body = {"start": "2030-01-08T09:00:00Z", "eventTypeId": et, "attendee": attendee()} | extra
    made = await client.post("/v2/bookings", json=body)
    assert made.status_code == 201, made.text
    return bob, et, made.json()["data"]["uid"]


async def test_far_away_starts_are_a_clear_refusal_not_a_server_error(
    client, make_user, make_event_type
):
    _, _, uid = await _booking(client, make_user, make_event_type)
    for start in ("0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00", "9999-12-31T23:59:59Z"):
        form = {"start": start, "tz": "Pacific/Kiritimati", "name": "J", "email": "j@example.com"}
        booked = await client.post("/bob/intro", data=form, headers=ORIGIN)
        assert booked.status_code == 400, (start, booked.status_code)
        assert "start" in booked.text
        moved = await client.post(
            f"/booking/{uid}/reschedule",
            data={"start": start, "tz": "Pacific/Kiritimati"},
            headers=ORIGIN,
        )
        assert moved.status_code == 400, (start, moved.status_code)
        assert "between the years" in moved.text


async def test_reasons_from_the_manage_page_are_checked_as_the_api_checks_them(
    client, make_user, make_event_type
):
    _, _, uid = await _booking(client, make_user, make_event_type)
    for path, data in (
        (f"/booking/{uid}/cancel", {"reason": "ill\x00"}),
        (f"/booking/{uid}/reschedule", {"start": "2030-01-08T10:00:00Z", "reason": "a\x00b"}),
        (f"/booking/{uid}/cancel", {"reason": "x" * 5001}),
    ):
        refused = await client.post(path, data=data, headers=ORIGIN)
        assert refused.status_code == 400, (path, refused.status_code)
    data = (await client.get(f"/v2/bookings/{uid}")).json()["data"]
    assert data["status"] == "accepted" and data["start"] == "2030-01-08T09:00:00.000Z"
    done = await client.post(
        f"/booking/{uid}/cancel", data={"reason": "ill\r\nreally"}, headers=ORIGIN
    )
    assert done.status_code == 303
    data = (await client.get(f"/v2/bookings/{uid}")).json()["data"]
    assert data["cancellationReason"] == "ill\r\nreally"


async def test_guests_are_shown_once_on_the_page_in_the_ics_and_in_mails(
    client, make_user, make_event_type, db
):
    from sqlalchemy import text

    _, _, uid = await _booking(client, make_user, make_event_type, guests=["guest@example.com"])
    page = await client.get(f"/booking/{uid}")
    assert page.text.count("guest@example.com") == 1
    ics = (await client.get(f"/booking/{uid}/ics")).text.replace("\r\n ", "")
    assert ics.count("mailto:guest@example.com") == 1
    async with db.connect() as conn:
        rows = (await conn.execute(text("SELECT payload FROM outbox WHERE kind = 'email'"))).all()
    import json

    for (payload,) in rows:
        event = (payload if isinstance(payload, dict) else json.loads(payload))["event"]
        assert [a["email"] for a in event["attendees"]].count("guest@example.com") == 1


async def test_a_cancelled_or_moved_booking_offers_no_new_time(client, make_user, make_event_type):
    _, _, uid = await _booking(client, make_user, make_event_type)
    moved = await client.post(
        f"/booking/{uid}/reschedule", data={"start": "2030-01-08T10:00:00Z"}, headers=ORIGIN
    )
    new_uid = moved.headers["location"].split("/booking/")[1].split("?")[0]
    old = await client.get(f"/booking/{uid}/reschedule")
    assert old.status_code == 409 and "Reschedule:" not in old.text
    assert f'href="/booking/{new_uid}' in old.text  # where the booking went
    assert (await client.post(f"/booking/{new_uid}/cancel", headers=ORIGIN)).status_code == 303
    gone = await client.get(f"/booking/{new_uid}/reschedule", params={"date": "2030-01-08"})
    assert gone.status_code == 409 and "cancelled" in gone.text
    again = await client.post(f"/booking/{new_uid}/cancel", headers=ORIGIN)
    assert (again.status_code == 422 and "already" in again.text.lower()) or "cannot" in again.text


def _sequence(ics: str) -> int:
    return int(ics.split("SEQUENCE:")[1].split()[0])


async def test_a_confirmation_is_a_stored_revision_so_later_changes_outrank_it(
    client, make_user, make_event_type, db
):
    """RFC 5546 §2.1.4: each revision the organizer sends has a higher SEQUENCE. The mailed
    confirmation is one, so the .ics, the move and the cancellation after it count past it."""
    import json

    from sqlalchemy import text

    bob = await make_user("bob")
    policy = {"type": "always", "blockUnconfirmedBookingsInBooker": True}
    et = await make_event_type(bob, "intro", settings={"confirmationPolicy": policy})
    body = {"start": "2030-01-08T09:00:00Z", "eventTypeId": et, "attendee": attendee()}
    uid = (await client.post("/v2/bookings", json=body)).json()["data"]["uid"]
    assert _sequence((await client.get(f"/booking/{uid}/ics")).text) == 0
    assert (await client.post(f"/v2/bookings/{uid}/confirm", headers=bob.auth)).status_code == 200
    assert _sequence((await client.get(f"/booking/{uid}/ics")).text) == 1
    moved = await client.post(
        f"/booking/{uid}/reschedule", data={"start": "2030-01-08T10:00:00Z"}, headers=ORIGIN
    )
    new_uid = moved.headers["location"].split("/booking/")[1].split("?")[0]
    assert _sequence((await client.get(f"/booking/{new_uid}/ics")).text) == 2
    assert (await client.post(f"/booking/{new_uid}/cancel", headers=ORIGIN)).status_code == 303
    async with db.connect() as conn:
        rows = await conn.execute(
            text("SELECT topic, payload FROM outbox WHERE kind = 'email' ORDER BY id")
        )
        seen = [
            (topic, (p if isinstance(p, dict) else json.loads(p))["event"]["sequence"])
            for topic, p in rows
        ]
    by_topic = {topic: seq for topic, seq in seen}
    assert by_topic == {"requested": 0, "confirmed": 1, "rescheduled": 2, "cancelled": 3}


async def test_a_phone_only_event_type_is_booked_from_the_page_without_an_email(
    client, make_user, make_event_type
):
    bob = await make_user("bob")
    fields = [
        {"type": "email", "slug": "email", "required": False, "hidden": True},
        {"type": "phone", "slug": "attendeePhoneNumber", "label": "Phone", "required": True},
    ]
    await make_event_type(bob, "call", settings={"bookingFields": fields})
    page = await client.get(
        "/bob/call", params={"tz": "UTC", "date": "2030-01-08", "slot": "2030-01-08T09:00:00Z"}
    )
    assert 'id="phone"' in page.text and 'id="email"' not in page.text
    form = {"start": "2030-01-08T09:00:00Z", "tz": "UTC", "name": "Jo", "phone": "+15555550100"}
    booked = await client.post("/bob/call", data=form, headers=ORIGIN)
    assert booked.status_code == 303, booked.text
    # Without the phone the page names the missing field, as the API does.
    form["start"], form["phone"] = "2030-01-08T10:00:00Z", ""
    refused = await client.post("/bob/call", data=form, headers=ORIGIN)
    assert refused.status_code == 400 and "phoneNumber" in refused.text


async def test_odd_form_bodies_are_a_clear_page_not_a_server_error(
    client, make_user, make_event_type
):
    _, _, uid = await _booking(client, make_user, make_event_type)
    base = {"start": "2030-01-08T11:00:00Z", "tz": "UTC", "name": "J", "email": "j@example.com"}
    # A location choice written in other digits is no choice (the default location).
    odd = await client.post("/bob/intro", data=base | {"location": "²"}, headers=ORIGIN)
    assert odd.status_code == 303, odd.text
    crowd = "&".join(f"f{i}=1" for i in range(300))
    headers = ORIGIN | {"content-type": "application/x-www-form-urlencoded"}
    for path in ("/bob/intro", f"/booking/{uid}/cancel", f"/booking/{uid}/reschedule",
                 "/verify-email"):  # fmt: skip
        refused = await client.post(path, content=crowd, headers=headers)
        assert refused.status_code == 400, (path, refused.status_code)
        assert "too many fields" in refused.text
    assert (await client.get(f"/v2/bookings/{uid}")).json()["data"]["status"] == "accepted"


async def test_the_calendar_file_of_a_moved_booking_is_its_new_time(
    client, make_user, make_event_type
):
    """The old booking's .ics must not withdraw the event its successor carries (same UID,
    same SEQUENCE): it sends the visitor to the successor's."""
    _, _, uid = await _booking(client, make_user, make_event_type)
    moved = await client.post(
        f"/booking/{uid}/reschedule", data={"start": "2030-01-08T10:00:00Z"}, headers=ORIGIN
    )
    new_uid = moved.headers["location"].split("/booking/")[1].split("?")[0]
    old = await client.get(f"/booking/{uid}/ics")
    assert old.status_code == 303 and old.headers["location"] == f"/booking/{new_uid}/ics"
    new = await client.get(old.headers["location"])
    assert "STATUS:CONFIRMED" in new.text and "SEQUENCE:1" in new.text
