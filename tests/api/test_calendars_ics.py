"""ICS feeds served by a local HTTP server (tests/calendar_servers.FeedServer): saving and
checking feeds, events blocking slots as a calendar user expects (one-off, recurring with
EXDATE, transparent, cancelled, all-day), and a provider that goes down or stalls: slots keep
answering from the last known data, in bounded time, and the calendar shows an error."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from cryptography.fernet import Fernet

from rendezvous.api.app import create_app
from rendezvous.config import Settings
from tests.api.helpers import TUE_10, assert_error, book, slot_starts
from tests.calendar_servers import vcalendar

KEY = Fernet.generate_key().decode()

FEED = vcalendar(
    "UID:one-off\nDTSTART:20300108T100000Z\nDTEND:20300108T110000Z\nSUMMARY:Dentist",
    "UID:daily\nDTSTART:20300107T130000Z\nDTEND:20300107T140000Z\nRRULE:FREQ=DAILY;COUNT=5\n"
    "EXDATE:20300108T130000Z",
    "UID:free\nDTSTART:20300108T150000Z\nDTEND:20300108T160000Z\nTRANSP:TRANSPARENT",
    "UID:off\nDTSTART:20300108T160000Z\nDTEND:20300108T170000Z\nSTATUS:CANCELLED",
    "UID:holiday\nDTSTART;VALUE=DATE:20300110\nDTEND;VALUE=DATE:20300111",
)


def _settings(db_url: str, **extra: Any) -> Settings:
    return Settings(
        database_url=db_url,
        public_url="https://cal.example.com",
        rate_limit=100_000,
        credentials_key=KEY,
        allow_private_networks=True,
        calendar_cache_ttl=0.2,
        calendar_wait=0.5,
        calendar_timeout=1,
        _env_file=None,  # type: ignore[call-arg]
    ).model_copy(update=extra)


@pytest.fixture
def settings(db_url: str) -> Settings:
    return _settings(db_url)


async def _save(client: Any, owner: Any, url: str) -> httpx.Response:
    return await client.post(
        "/v2/calendars/ics-feed/save", json={"urls": [url]}, headers=owner.auth
    )


async def test_a_saved_feed_is_listed_selected_and_read_only(client, make_user, feed_server):
    feed_server.feeds["/cal.ics"] = FEED
    bob = await make_user("bob")
    url = f"{feed_server.url}/cal.ics"
    response = await _save(client, bob, url)
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    assert {k: data[k] for k in ("type", "userId", "teamId", "appId", "invalid")} == {
        "type": "ics-feed_calendar",
        "userId": bob.id,
        "teamId": None,
        "appId": "ics-feed",
        "invalid": False,
    }
    listing = (await client.get("/v2/calendars", headers=bob.auth)).json()["data"]
    [connected] = listing["connectedCalendars"]
    assert connected["integration"]["slug"] == "ics-feed"
    [calendar] = connected["calendars"]
    assert calendar["externalId"] == url and calendar["readOnly"] is True
    assert calendar["isSelected"] is True and calendar["credentialId"] == data["id"]
    assert listing["destinationCalendar"] is None
    check = await client.get("/v2/calendars/ics-feed/check", headers=bob.auth)
    assert check.json() == {"status": "success", "data": {"checked": True, "valid": True}}
    # A feed is read-only: it cannot be the destination.
    refused = await client.put(
        "/v2/destination-calendars",
        json={"integration": "ics-feed_calendar", "externalId": url},
        headers=bob.auth,
    )
    assert_error(refused, 400, "BadRequestException")


async def test_feed_events_block_slots_as_a_calendar_user_expects(
    client, make_user, make_event_type, feed_server
):
    feed_server.feeds["/cal.ics"] = FEED
    bob = await make_user("bob")
    event_type = await make_event_type(bob, minimum_notice=0)
    assert (await _save(client, bob, f"{feed_server.url}/cal.ics")).status_code == 201
    tuesday = await slot_starts(client, event_type, "2030-01-08")
    assert "2030-01-08T10:00:00.000Z" not in tuesday  # one-off
    assert "2030-01-08T10:30:00.000Z" not in tuesday
    assert "2030-01-08T11:00:00.000Z" in tuesday
    assert "2030-01-08T13:00:00.000Z" in tuesday  # EXDATE
    assert "2030-01-08T15:00:00.000Z" in tuesday  # TRANSP:TRANSPARENT
    assert "2030-01-08T16:00:00.000Z" in tuesday  # STATUS:CANCELLED
    wednesday = await slot_starts(client, event_type, "2030-01-09")
    assert "2030-01-09T13:00:00.000Z" not in wednesday  # an occurrence of the RRULE
    assert "2030-01-09T13:30:00.000Z" not in wednesday
    assert "2030-01-09T12:30:00.000Z" in wednesday
    assert await slot_starts(client, event_type, "2030-01-10") == []  # all day
    friday = await slot_starts(client, event_type, "2030-01-11")
    assert len(friday) == 14 and "2030-01-11T13:00:00.000Z" not in friday  # last occurrence
    assert len(await slot_starts(client, event_type, "2030-01-14")) == 16  # COUNT=5 ended


async def test_all_day_events_are_days_where_the_host_lives(
    client, make_user, make_event_type, feed_server
):
    """As Cal.com: an all-day event blocks that date in the host's zone, not in UTC."""
    feed_server.feeds["/cal.ics"] = vcalendar(
        "UID:holiday\nDTSTART;VALUE=DATE:20300110\nDTEND;VALUE=DATE:20300111"
    )
    ann = await make_user("ann", time_zone="America/New_York")
    event_type = await make_event_type(ann, minimum_notice=0)
    assert (await _save(client, ann, f"{feed_server.url}/cal.ics")).status_code == 201
    response = await client.get(
        "/v2/slots",
        params={
            "eventTypeId": event_type,
            "start": "2030-01-09T00:00:00Z",
            "end": "2030-01-12T00:00:00Z",
            "timeZone": "America/New_York",
        },
    )
    days = response.json()["data"]
    assert "2030-01-10" not in days
    assert days["2030-01-09"] and days["2030-01-11"]


async def test_a_feed_that_fails_is_a_400_naming_urls(client, make_user, feed_server):
    bob = await make_user("bob")
    missing = await _save(client, bob, f"{feed_server.url}/nothing.ics")
    body = assert_error(missing, 400, "BadRequestException")
    assert "404" in body["error"]["message"]
    feed_server.feeds["/junk.ics"] = "<html>not a calendar</html>"
    junk = await _save(client, bob, f"{feed_server.url}/junk.ics")
    assert "iCalendar" in assert_error(junk, 400, "BadRequestException")["error"]["message"]
    bad_scheme = await _save(client, bob, "ftp://example.com/cal.ics")
    assert_error(bad_scheme, 400, "BadRequestException")
    listing = (await client.get("/v2/calendars", headers=bob.auth)).json()["data"]
    assert listing["connectedCalendars"] == []


async def test_refusals_happen_before_anything_connects(db_url, db, clock, make_user, feed_server):
    """Private targets without RENDEZVOUS_ALLOW_PRIVATE_NETWORKS, and every target with
    RENDEZVOUS_CALENDARS_ENABLED=false, are refused without a request to the server."""
    feed_server.feeds["/cal.ics"] = FEED
    bob = await make_user("bob")
    for extra in ({"allow_private_networks": False}, {"calendars_enabled": False}):
        app = create_app(_settings(db_url, **extra), clock=clock, engine=db)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            response = await _save(client, bob, f"{feed_server.url}/cal.ics")
            assert_error(response, 400, "BadRequestException")
            dav = await client.post(
                "/v2/calendars/caldav/credentials",
                json={"username": "x", "password": "y", "url": f"{feed_server.url}/dav/"},
                headers=bob.auth,
            )
            assert_error(dav, 400, "BadRequestException")
    assert feed_server.hits == 0


async def _until(predicate: Any, seconds: float = 10) -> None:
    for _ in range(int(seconds / 0.05)):
        if await predicate():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not reached")


async def test_a_provider_that_goes_down_degrades_to_the_last_known_data(
    client, make_user, make_event_type, feed_server
):
    feed_server.feeds["/cal.ics"] = FEED
    bob = await make_user("bob")
    event_type = await make_event_type(bob, minimum_notice=0)
    assert (await _save(client, bob, f"{feed_server.url}/cal.ics")).status_code == 201
    warm = await slot_starts(client, event_type)
    assert "2030-01-08T10:00:00.000Z" not in warm

    feed_server.mode = "down"
    await asyncio.sleep(0.3)  # past the TTL: the next request starts a refresh, which fails

    async def errored() -> bool:
        assert await slot_starts(client, event_type) == warm  # answers from the last data
        listing = (await client.get("/v2/calendars", headers=bob.auth)).json()["data"]
        calendar = listing["connectedCalendars"][0]["calendars"][0]
        return "error" in calendar

    await _until(errored)
    listing = (await client.get("/v2/calendars", headers=bob.auth)).json()["data"]
    connected = listing["connectedCalendars"][0]
    assert "503" in connected["calendars"][0]["error"]["message"]
    assert connected["error"] == connected["calendars"][0]["error"]
    check = await client.get("/v2/calendars/ics-feed/check", headers=bob.auth)
    assert check.json()["data"] == {"checked": True, "valid": False}

    feed_server.mode = "ok"  # back up: the error clears at the next refresh

    async def recovered() -> bool:
        await slot_starts(client, event_type)
        listing = (await client.get("/v2/calendars", headers=bob.auth)).json()["data"]
        return "error" not in listing["connectedCalendars"][0]["calendars"][0]

    await _until(recovered)


async def test_a_stalled_provider_never_fetched_does_not_hang_slots(
    client, make_user, make_event_type, feed_server
):
    feed_server.feeds["/cal.ics"] = FEED
    bob = await make_user("bob")
    event_type = await make_event_type(bob, minimum_notice=0)
    assert (await _save(client, bob, f"{feed_server.url}/cal.ics")).status_code == 201
    feed_server.mode = "stall"
    # Bounded by RENDEZVOUS_CALENDAR_WAIT (0.5 s here); 20 s only guards against a hang.
    starts = await asyncio.wait_for(slot_starts(client, event_type), 20)
    assert "2030-01-08T10:00:00.000Z" in starts  # answered without the unreachable calendar

    async def errored() -> bool:
        listing = (await client.get("/v2/calendars", headers=bob.auth)).json()["data"]
        return "error" in listing["connectedCalendars"][0]["calendars"][0]

    await _until(errored)


@pytest.mark.parametrize("write", ["booking", "reservation"])
async def test_a_cold_calendar_is_loaded_before_the_write_lock_is_taken(
    db_url, db, clock, make_user, make_event_type, feed_server, write
):
    """While a host's calendar is fetched for the first time, a booking holds no write
    transaction (on SQLite: the database's only writer lock), so other writes go on; and once
    the feed answers, its busy time still refuses the booking."""
    feed_server.feeds["/cal.ics"] = FEED
    bob = await make_user("bob")
    event_type = await make_event_type(bob, minimum_notice=0)
    # A long bounded wait: were the lock held while waiting, the PATCH below would queue
    # behind the booking until the wait ran out and the booking went through without the feed.
    app = create_app(_settings(db_url, calendar_wait=15), clock=clock, engine=db)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        assert (await _save(client, bob, f"{feed_server.url}/cal.ics")).status_code == 201
        hits = feed_server.hits
        feed_server.mode = "hold"
        if write == "booking":  # the Dentist hour
            booking = asyncio.create_task(book(client, event_type, TUE_10))
        else:
            booking = asyncio.create_task(
                client.post(
                    "/v2/slots/reservations",
                    json={"eventTypeId": event_type, "slotStart": TUE_10},
                )
            )

        async def fetching() -> bool:
            return feed_server.hits > hits

        await _until(fetching)
        other = await client.patch("/v2/me", json={"bio": "written meanwhile"}, headers=bob.auth)
        assert other.status_code == 200, other.text
        assert not booking.done()  # still waiting for the feed, without the lock
        feed_server.release.set()
        response = await asyncio.wait_for(booking, 20)
        assert response.status_code in (400, 409), response.text  # the slot is taken
        starts = await slot_starts(client, event_type)
        assert "2030-01-08T10:00:00.000Z" not in starts


async def test_hostile_calendar_requests_are_400_or_404_never_500(client, make_user, feed_server):
    """Other users' credentials and calendars are 404 (and stay untouched); malformed ids,
    dates, URLs and parameters are 400s naming the field."""
    feed_server.feeds["/cal.ics"] = FEED
    bob, eve = await make_user("bob"), await make_user("eve")
    url = f"{feed_server.url}/cal.ics"
    saved = await _save(client, bob, url)
    credential = saved.json()["data"]["id"]

    not_hers = [
        client.post("/v2/calendars/ics-feed/disconnect", json={"id": credential}, headers=eve.auth),
        client.post("/v2/calendars/apple/disconnect", json={"id": credential}, headers=bob.auth),
        client.post(
            "/v2/selected-calendars",
            json={
                "integration": "ics-feed_calendar",
                "externalId": url,
                "credentialId": credential,
            },
            headers=eve.auth,
        ),
        client.delete(
            "/v2/selected-calendars",
            params={
                "integration": "ics-feed_calendar",
                "externalId": url,
                "credentialId": credential,
            },
            headers=eve.auth,
        ),
        client.delete(
            "/v2/selected-calendars",
            params={
                "integration": "caldav_calendar",
                "externalId": url,
                "credentialId": credential,
            },
            headers=bob.auth,
        ),
        client.get(
            "/v2/calendars/busy-times",
            params={
                "dateFrom": "2030-01-08",
                "dateTo": "2030-01-08",
                "calendarsToLoad[0][credentialId]": str(credential),
                "calendarsToLoad[0][externalId]": url,
            },
            headers=eve.auth,
        ),
    ]
    for request in not_hers:
        response = await request
        assert_error(response, 404, "NotFoundException")
    listing = (await client.get("/v2/calendars", headers=bob.auth)).json()["data"]
    assert listing["connectedCalendars"][0]["calendars"][0]["isSelected"] is True
    assert (await client.get("/v2/calendars", headers=eve.auth)).json()["data"][
        "connectedCalendars"
    ] == []

    bad = [
        client.post(  # only apple and caldav take credentials
            "/v2/calendars/outlook/credentials",
            json={"username": "a", "password": "b"},
            headers=bob.auth,
        ),
        client.post("/v2/calendars/ics-feed/save", json={"urls": []}, headers=bob.auth),
        client.post(
            "/v2/calendars/ics-feed/save", json={"urls": ["http://a\u0000b/x"]}, headers=bob.auth
        ),
        client.post(
            "/v2/calendars/ics-feed/save",
            json={"urls": ["https://" + "a" * 5000 + ".com/"]},
            headers=bob.auth,
        ),
        client.post(
            "/v2/calendars/ics-feed/save", json={"urls": ["http://x:99999/"]}, headers=bob.auth
        ),
        client.post(
            "/v2/calendars/ics-feed/disconnect",
            content=b'{"id": 1e309}',
            headers=bob.auth | {"Content-Type": "application/json"},
        ),
        client.post("/v2/calendars/ics-feed/disconnect", json={"id": "x"}, headers=bob.auth),
        client.delete(
            "/v2/selected-calendars",
            params={"integration": "x", "externalId": "y", "credentialId": "99999999999999999999"},
            headers=bob.auth,
        ),
        client.get(
            "/v2/calendars/busy-times",
            params={
                "dateFrom": "2030-13-45",
                "dateTo": "2030-01-08",
                "calendarsToLoad[0][credentialId]": str(credential),
                "calendarsToLoad[0][externalId]": url,
            },
            headers=bob.auth,
        ),
        client.get(
            "/v2/calendars/busy-times",
            params={
                "dateFrom": "2030-01-08",
                "dateTo": "2030-01-08",
                "timeZone": "Mars/Olympus",
                "calendarsToLoad[0][credentialId]": str(credential),
                "calendarsToLoad[0][externalId]": url,
            },
            headers=bob.auth,
        ),
        client.get(
            "/v2/calendars/busy-times",
            params={
                "dateFrom": "2030-01-08",
                "dateTo": "2030-01-08",
                "calendarsToLoad[99999999999999999999999999][credentialId]": "-1",
                "calendarsToLoad[99999999999999999999999999][externalId]": url,
            },
            headers=bob.auth,
        ),
    ]
    for request in bad:
        response = await request
        assert response.status_code == 400, response.text


async def test_redirects_gzip_bombs_and_html_feeds_are_refused(client, make_user, feed_server):
    """A feed that redirects (perhaps to a private address) is not followed; a compressed
    feed larger than RENDEZVOUS_CALENDAR_MAX_BYTES once inflated is cut off; HTML is not a
    calendar. Each is a 400 naming ``urls``."""
    import gzip

    bob = await make_user("bob")
    feed_server.redirects["/moved.ics"] = "http://169.254.169.254/latest/meta-data/"
    feed_server.gzipped["/bomb.ics"] = gzip.compress(b"BEGIN:VCALENDAR\r\n" + b"X" * 20_000_000)
    feed_server.feeds["/page.ics"] = "<!doctype html><html><body>Sign in</body></html>"
    for path, words in (("/moved.ics", "302"), ("/bomb.ics", "larger"), ("/page.ics", "iCal")):
        response = await _save(client, bob, f"{feed_server.url}{path}")
        body = assert_error(response, 400, "BadRequestException")
        assert words in body["error"]["message"], body


async def test_a_user_connects_at_most_max_calendars(client, make_user, feed_server):
    """Every connected calendar is fetched and cached: their number is bounded (a 400 naming
    ``urls``, before any fetch)."""
    from rendezvous.services.calendars import MAX_CALENDARS, MAX_FEEDS

    feed_server.feeds["/cal.ics"] = FEED
    bob = await make_user("bob")
    for batch in range(MAX_CALENDARS // MAX_FEEDS):
        urls = [f"{feed_server.url}/cal.ics?{batch}-{i}" for i in range(MAX_FEEDS)]
        response = await client.post(
            "/v2/calendars/ics-feed/save", json={"urls": urls}, headers=bob.auth
        )
        assert response.status_code == 201, response.text
    hits = feed_server.hits
    refused = await _save(client, bob, f"{feed_server.url}/cal.ics?one-more")
    body = assert_error(refused, 400, "BadRequestException")
    assert str(MAX_CALENDARS) in body["error"]["message"]
    assert feed_server.hits == hits
