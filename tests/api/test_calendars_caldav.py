"""Connected CalDAV calendars against a real Radicale server on loopback (tests/calendar_servers):
connect (discovery, a failing connection is a 400, private targets refused without the
setting), list, busy events and recurrences blocking slots, select/deselect, busy-times, the
write-back of a booking through the outbox worker, disconnect. Both database engines."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text

import rendezvous.worker.calendars  # noqa: F401 - registers the "calendar" outbox kind
from rendezvous.config import Settings
from rendezvous.db.engine import session_factory
from rendezvous.worker.runner import Worker
from tests.api.helpers import assert_error, attendee, slot_starts
from tests.api.test_team_scheduling import _book as team_book
from tests.api.test_team_scheduling import _event_type as team_event_type
from tests.api.test_team_scheduling import world
from tests.calendar_servers import free_port, vcalendar

KEY = Fernet.generate_key().decode()
__all__ = ["world"]  # the team fixture of test_team_scheduling


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings(
        database_url=db_url,
        public_url="https://cal.example.com",
        rate_limit=100_000,
        credentials_key=KEY,
        allow_private_networks=True,
        _env_file=None,  # type: ignore[call-arg]
    )


def _user() -> str:
    return f"u{uuid.uuid4().hex[:10]}"


async def _connect(client: Any, owner: Any, server: Any, dav_user: str) -> int:
    response = await client.post(
        "/v2/calendars/caldav/credentials",
        json={"username": dav_user, "password": "s3cret-pass", "url": server.url},
        headers=owner.auth,
    )
    assert response.status_code == 201, response.text
    return int(response.json()["data"]["id"])


async def test_connect_discovers_the_calendars_selected_and_a_destination(
    client, make_user, radicale, db
):
    bob = await make_user("bob")
    dav = _user()
    work = radicale.make_calendar(dav, "work", "Work")
    response = await client.post(
        "/v2/calendars/caldav/credentials",
        json={"username": dav, "password": "s3cret-pass", "url": radicale.url},
        headers=bob.auth,
    )
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    assert data["type"] == "caldav_calendar" and data["appId"] == "caldav"
    assert data["userId"] == bob.id and data["invalid"] is False

    listing = (await client.get("/v2/calendars", headers=bob.auth)).json()["data"]
    [connected] = listing["connectedCalendars"]
    assert connected["credentialId"] == data["id"]
    assert connected["integration"]["type"] == "caldav_calendar"
    [calendar] = connected["calendars"]
    assert calendar["externalId"] == work and calendar["name"] == "Work"
    assert calendar["isSelected"] is True and calendar["readOnly"] is False
    destination = listing["destinationCalendar"]
    assert destination["externalId"] == work and destination["credentialId"] == data["id"]

    # Encrypted at rest: the stored secret holds neither the username nor the password.
    async with db.connect() as conn:
        secret = (await conn.execute(text("SELECT secret FROM calendar_credentials"))).scalar()
    assert "s3cret-pass" not in secret and dav not in secret


async def test_a_connection_that_fails_is_a_clear_400(client, make_user):
    bob = await make_user("bob")
    closed = f"http://127.0.0.1:{free_port()}/"
    response = await client.post(
        "/v2/calendars/caldav/credentials",
        json={"username": "x", "password": "y", "url": closed},
        headers=bob.auth,
    )
    body = assert_error(response, 400, "BadRequestException")
    assert "CalDAV" in body["error"]["message"]
    missing_url = await client.post(
        "/v2/calendars/caldav/credentials",
        json={"username": "x", "password": "y"},
        headers=bob.auth,
    )
    assert "url" in assert_error(missing_url, 400, "BadRequestException")["error"]["message"]
    listing = (await client.get("/v2/calendars", headers=bob.auth)).json()["data"]
    assert listing == {"connectedCalendars": [], "destinationCalendar": None}


async def test_private_targets_are_refused_without_the_setting(db, clock, make_user, radicale):
    """RENDEZVOUS_ALLOW_PRIVATE_NETWORKS off: a loopback CalDAV server is refused by the guard
    before anything connects (Radicale would accept any user, so a 201 would mean it did)."""
    import httpx

    from rendezvous.api.app import create_app

    settings = Settings(
        database_url="sqlite+aiosqlite:///unused.db",
        credentials_key=KEY,
        _env_file=None,  # type: ignore[call-arg]
    )
    app = create_app(settings, clock=clock, engine=db)
    bob = await make_user("bob")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as client:
        response = await client.post(
            "/v2/calendars/caldav/credentials",
            json={"username": _user(), "password": "y", "url": radicale.url},
            headers=bob.auth,
        )
    body = assert_error(response, 400, "BadRequestException")
    assert "refused" in body["error"]["message"]


async def test_a_busy_event_removes_the_matching_slots(
    client, make_user, make_event_type, radicale
):
    bob = await make_user("bob")
    event_type = await make_event_type(bob, minimum_notice=0)
    dav = _user()
    work = radicale.make_calendar(dav, "work", "Work")
    radicale.put(
        dav,
        work,
        vcalendar("UID:busy-1\nDTSTART:20300108T100000Z\nDTEND:20300108T110000Z\nSUMMARY:Dentist"),
    )
    before = await slot_starts(client, event_type)
    assert "2030-01-08T10:00:00.000Z" in before
    await _connect(client, bob, radicale, dav)
    after = await slot_starts(client, event_type)
    assert set(before) - set(after) == {"2030-01-08T10:00:00.000Z", "2030-01-08T10:30:00.000Z"}

    # Booking the busy time is refused too.
    response = await client.post(
        "/v2/bookings",
        json={"start": "2030-01-08T10:30:00Z", "eventTypeId": event_type, "attendee": attendee()},
    )
    assert response.status_code in (409, 422), response.text


async def test_recurring_event_with_an_exception_and_an_override(
    client, make_user, make_event_type, radicale
):
    bob = await make_user("bob")
    event_type = await make_event_type(bob, minimum_notice=0)
    dav = _user()
    work = radicale.make_calendar(dav, "work", "Work")
    radicale.put(
        dav,
        work,
        vcalendar(
            "UID:standup\nDTSTART:20300107T130000Z\nDTEND:20300107T140000Z\n"
            "RRULE:FREQ=DAILY;COUNT=5\nEXDATE:20300108T130000Z\nSUMMARY:Standup",
            "UID:standup\nRECURRENCE-ID:20300109T130000Z\nDTSTART:20300109T150000Z\n"
            "DTEND:20300109T160000Z\nSUMMARY:Standup (moved)",
        ),
    )
    await _connect(client, bob, radicale, dav)
    tuesday = await slot_starts(client, event_type, "2030-01-08")
    wednesday = await slot_starts(client, event_type, "2030-01-09")
    thursday = await slot_starts(client, event_type, "2030-01-10")
    assert "2030-01-08T13:00:00.000Z" in tuesday  # EXDATE: no standup that day
    assert "2030-01-09T13:00:00.000Z" in wednesday  # moved away by the override…
    assert "2030-01-09T15:00:00.000Z" not in wednesday  # … to 15:00
    assert "2030-01-09T15:30:00.000Z" not in wednesday
    assert "2030-01-10T13:00:00.000Z" not in thursday  # an ordinary occurrence
    assert "2030-01-10T15:00:00.000Z" in thursday


async def test_deselected_calendars_stop_blocking_and_busy_times_names_them(
    client, make_user, make_event_type, radicale
):
    bob = await make_user("bob")
    event_type = await make_event_type(bob, minimum_notice=0)
    dav = _user()
    work = radicale.make_calendar(dav, "work", "Work")
    radicale.put(dav, work, vcalendar("UID:b\nDTSTART:20300108T100000Z\nDTEND:20300108T110000Z"))
    credential = await _connect(client, bob, radicale, dav)

    bracket = await client.get(
        "/v2/calendars/busy-times",
        params={
            "dateFrom": "2030-01-08",
            "dateTo": "2030-01-08",
            "loggedInUsersTz": "UTC",
            "calendarsToLoad[0][credentialId]": str(credential),
            "calendarsToLoad[0][externalId]": work,
        },
        headers=bob.auth,
    )
    assert bracket.status_code == 200, bracket.text
    assert bracket.json()["data"] == [
        {"start": "2030-01-08T10:00:00.000Z", "end": "2030-01-08T11:00:00.000Z", "source": None}
    ]
    flat = await client.get(
        "/v2/calendars/busy-times",
        params={
            "dateFrom": "2030-01-08",
            "dateTo": "2030-01-08",
            "timeZone": "UTC",
            "credentialId": f"{credential}.0",
            "externalId": work,
        },
        headers=bob.auth,
    )
    assert flat.json()["data"] == bracket.json()["data"]

    removed = await client.delete(
        "/v2/selected-calendars",
        params={"integration": "caldav_calendar", "externalId": work, "credentialId": credential},
        headers=bob.auth,
    )
    assert removed.status_code == 200, removed.text
    assert removed.json()["data"] == {
        "userId": bob.id,
        "integration": "caldav_calendar",
        "externalId": work,
        "credentialId": credential,
    }
    assert "2030-01-08T10:00:00.000Z" in await slot_starts(client, event_type)
    added = await client.post(
        "/v2/selected-calendars",
        json={"integration": "caldav_calendar", "externalId": work, "credentialId": credential},
        headers=bob.auth,
    )
    assert added.status_code == 201, added.text
    assert "2030-01-08T10:00:00.000Z" not in await slot_starts(client, event_type)

    # Another user's calendar is not found.
    eve = await make_user("eve")
    other = await client.get(
        "/v2/calendars/busy-times",
        params={
            "dateFrom": "2030-01-08",
            "dateTo": "2030-01-08",
            "credentialId": credential,
            "externalId": work,
        },
        headers=eve.auth,
    )
    assert_error(other, 404, "NotFoundException")


async def test_a_booking_is_written_to_the_destination_and_removed_when_cancelled(
    client, make_user, make_event_type, radicale, settings, db, clock
):
    bob = await make_user("bob")
    event_type = await make_event_type(bob, minimum_notice=0)
    dav = _user()
    radicale.make_calendar(dav, "home", "Home")
    work = radicale.make_calendar(dav, "work", "Work")
    await _connect(client, bob, radicale, dav)
    chosen = await client.put(
        "/v2/destination-calendars",
        json={"integration": "caldav_calendar", "externalId": work},
        headers=bob.auth,
    )
    assert chosen.status_code == 200, chosen.text
    listing = (await client.get("/v2/calendars", headers=bob.auth)).json()["data"]
    assert listing["destinationCalendar"]["externalId"] == work

    booked = await client.post(
        "/v2/bookings",
        json={
            "start": "2030-01-08T14:00:00Z",
            "eventTypeId": event_type,
            "attendee": attendee("Jane Doe", "jane@example.com"),
        },
    )
    assert booked.status_code == 201, booked.text
    uid = booked.json()["data"]["uid"]
    ics_uid = booked.json()["data"]["icsUid"]
    worker = Worker(settings, session_factory(db), clock=clock, rng=lambda: 0.5)
    try:
        assert await worker.run_once() >= 1
        assert radicale.uids(dav, work) == [ics_uid]
        event = radicale.event(dav, work, ics_uid)
        assert "DTSTART:20300108T140000Z" in event
        assert "jane@example.com" in event and "bob@example.com" in event

        moved = await client.post(
            f"/v2/bookings/{uid}/reschedule", json={"start": "2030-01-08T15:00:00Z"}
        )
        assert moved.status_code == 201, moved.text
        new_uid, new_ics_uid = moved.json()["data"]["uid"], moved.json()["data"]["icsUid"]
        assert await worker.run_once() >= 1
        assert radicale.uids(dav, work) == [new_ics_uid]
        assert "DTSTART:20300108T150000Z" in radicale.event(dav, work, new_ics_uid)

        cancelled = await client.post(f"/v2/bookings/{new_uid}/cancel", json={})
        assert cancelled.status_code == 200, cancelled.text
        assert await worker.run_once() >= 1
        assert radicale.uids(dav, work) == []
    finally:
        await worker.aclose()
    async with db.connect() as conn:
        rows = (
            await conn.execute(
                text("SELECT topic, status FROM outbox WHERE kind = 'calendar' ORDER BY id")
            )
        ).all()
    assert [tuple(r) for r in rows] == [("create", "done"), ("move", "done"), ("remove", "done")]


async def test_disconnect_removes_the_calendars(client, make_user, make_event_type, radicale):
    bob = await make_user("bob")
    event_type = await make_event_type(bob, minimum_notice=0)
    dav = _user()
    work = radicale.make_calendar(dav, "work", "Work")
    radicale.put(dav, work, vcalendar("UID:b\nDTSTART:20300108T100000Z\nDTEND:20300108T110000Z"))
    credential = await _connect(client, bob, radicale, dav)
    eve = await make_user("eve")
    not_hers = await client.post(
        "/v2/calendars/caldav/disconnect", json={"id": credential}, headers=eve.auth
    )
    assert_error(not_hers, 404, "NotFoundException")
    gone = await client.post(
        "/v2/calendars/caldav/disconnect", json={"id": credential}, headers=bob.auth
    )
    assert gone.status_code == 200, gone.text
    assert gone.json()["data"]["id"] == credential
    listing = (await client.get("/v2/calendars", headers=bob.auth)).json()["data"]
    assert listing["connectedCalendars"] == []
    assert "2030-01-08T10:00:00.000Z" in await slot_starts(client, event_type)


async def test_a_write_back_to_a_server_that_is_down_is_retried(
    client, make_user, make_event_type, radicale, settings, db, clock
):
    """The calendar row is not lost: the attempt fails, is recorded, and the row waits for its
    retry; once the server answers again the event is written."""
    bob = await make_user("bob")
    event_type = await make_event_type(bob, minimum_notice=0)
    dav = _user()
    work = radicale.make_calendar(dav, "work", "Work")
    await _connect(client, bob, radicale, dav)
    async with db.begin() as conn:  # the server "moves": nothing listens there
        await conn.execute(
            text("UPDATE calendar_credentials SET server_url = :url"),
            {"url": f"http://127.0.0.1:{free_port()}/"},
        )
    booked = await client.post(
        "/v2/bookings",
        json={"start": "2030-01-08T14:00:00Z", "eventTypeId": event_type, "attendee": attendee()},
    )
    assert booked.status_code == 201, booked.text
    worker = Worker(settings, session_factory(db), clock=clock, rng=lambda: 0.5, only={"calendar"})
    try:
        assert await worker.run_once() == 1
        async with db.connect() as conn:
            status, attempts = (
                await conn.execute(
                    text("SELECT status, attempts FROM outbox WHERE kind = 'calendar'")
                )
            ).one()
        assert (status, attempts) == ("pending", 1)
        assert radicale.uids(dav, work) == []

        async with db.begin() as conn:
            await conn.execute(
                text("UPDATE calendar_credentials SET server_url = :url"), {"url": radicale.url}
            )
        clock.advance(hours=1)  # past the first backoff
        assert await worker.run_once() == 1
        assert radicale.uids(dav, work) == [booked.json()["data"]["icsUid"]]
    finally:
        await worker.aclose()


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1"])
async def test_caldav_connects_are_checked_again_at_connect_time(feed_server, radicale, host):
    """DNS rebinding: a name checked when saved may resolve elsewhere when caldav connects.
    The caldav session checks every TCP connect itself (the earlier check skipped here): a
    loopback target without RENDEZVOUS_ALLOW_PRIVATE_NETWORKS never gets a request."""
    from rendezvous.integrations.calendars import providers

    port = feed_server.url.rsplit(":", 1)[1]
    account = providers.Account(f"http://{host}:{port}/dav/", "u", "p")
    refused = providers.Limits(timeout=2, max_bytes=1000, allow_private=False)
    client = providers._client(account, refused)
    with pytest.raises(Exception, match="refused"):
        client.principal()
    assert feed_server.hits == 0
    # Allowed, the same session type reaches the server (Radicale) as before.
    allowed = providers.Limits(timeout=5, max_bytes=1000, allow_private=True)
    user = _user()
    found = await providers.discover(radicale.account(user), allowed)
    assert isinstance(found, list)


async def test_a_collective_booking_is_written_to_every_hosts_destination(
    client, world, radicale, settings, db, clock
):
    """As Cal.com (teamDestinationCalendars): a COLLECTIVE team booking occupies every host,
    so the event goes to each host's destination calendar, and leaves each when cancelled."""
    w = world
    calendars = {}
    for who in (w.ann, w.tom):
        dav = _user()
        calendars[who.id] = (dav, radicale.make_calendar(dav, "work", "Work"))
        await _connect(client, who, radicale, dav)
    et = await team_event_type(
        client, w, "collective", [{"userId": w.ann.id}, {"userId": w.tom.id}]
    )
    booked = await team_book(client, "2030-01-08T10:00:00Z", eventTypeId=et)
    assert booked.status_code == 201, booked.text
    uid, ics_uid = booked.json()["data"]["uid"], booked.json()["data"]["icsUid"]
    worker = Worker(settings, session_factory(db), clock=clock, rng=lambda: 0.5)
    try:
        assert await worker.run_once() >= 2
        for dav, url in calendars.values():
            assert radicale.uids(dav, url) == [ics_uid]
        cancelled = await client.post(f"/v2/bookings/{uid}/cancel", json={})
        assert cancelled.status_code == 200, cancelled.text
        assert await worker.run_once() >= 2
        for dav, url in calendars.values():
            assert radicale.uids(dav, url) == []
    finally:
        await worker.aclose()


async def test_a_caldav_answer_is_read_up_to_the_size_limit(feed_server):
    """RENDEZVOUS_CALENDAR_MAX_BYTES bounds each CalDAV answer too (inflated size), so a
    hostile server cannot fill the memory."""
    import gzip

    from rendezvous.integrations.calendars import providers

    feed_server.gzipped["/big"] = gzip.compress(b"X" * 5_000_000)
    feed_server.feeds["/small"] = "small"
    account = providers.Account(f"{feed_server.url}/", "u", "p")
    limits = providers.Limits(timeout=5, max_bytes=100_000, allow_private=True)
    session = providers._client(account, limits).session
    with pytest.raises(providers.TooLarge):
        session.get(f"{feed_server.url}/big")
    assert session.get(f"{feed_server.url}/small").text == "small"
