"""Team booking pages over ASGI on both engines: ``/team/{teamSlug}/{slug}`` is the team event
type's ``bookingUrl``, shows what ``GET /v2/slots?teamSlug=…`` offers, books through the same
service as ``POST /v2/bookings`` (COLLECTIVE: every host; ROUND_ROBIN: the chosen one), and
the booking's mails go to every host of the booking."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from rendezvous.db.engine import session_factory
from rendezvous.db.uow import UnitOfWork
from rendezvous.services import teams as team_service
from tests.api.helpers import attendee
from tests.conftest import Account, FixedClock

ORIGIN = {"Origin": "http://test"}
DAY = "2030-01-08"  # a Tuesday; the clock is Monday 2030-01-07 08:00 UTC


class Team:
    def __init__(self, org_id: int, team_id: int, admin: Account, ann: Account, tom: Account):
        self.org_id, self.team_id, self.admin, self.ann, self.tom = org_id, team_id, admin, ann, tom

    @property
    def base(self) -> str:
        return f"/v2/organizations/{self.org_id}/teams/{self.team_id}"


@pytest.fixture
async def sales(db: AsyncEngine, clock: FixedClock, make_user: Any, client: Any) -> Team:
    admin = await make_user("adam")
    ann = await make_user("ann", name="Ann Host")  # Mon–Fri 09–17 UTC
    tom = await make_user("tom", name="Tom Host", time_zone="Europe/Berlin")  # 08–16 UTC
    async with UnitOfWork(session_factory(db)) as uow:
        org = await team_service.create_organization(
            uow, name="Acme", slug="acme", owner_email=admin.email, now=clock()
        )
    for who in (ann, tom):
        async with UnitOfWork(session_factory(db)) as uow:
            await team_service.add_organization_member(
                uow, org="acme", email=who.email, role="MEMBER", now=clock()
            )
    r = await client.post(
        f"/v2/organizations/{org.id}/teams",
        json={"name": "Sales <b>Team</b>", "slug": "sales"},
        headers=admin.auth,
    )
    assert r.status_code == 201, r.text
    team = Team(org.id, r.json()["data"]["id"], admin, ann, tom)
    for who in (ann, tom):
        r = await client.post(
            f"{team.base}/memberships",
            json={"userId": who.id, "accepted": True},
            headers=admin.auth,
        )
        assert r.status_code == 201, r.text
    return team


async def _team_event_type(client: Any, team: Team, scheduling: str, **extra: Any) -> dict:
    body = {
        "title": "Demo",
        "slug": "demo",
        "lengthInMinutes": 60,
        "minimumBookingNotice": 0,
        "schedulingType": scheduling,
        "hosts": [{"userId": team.ann.id}, {"userId": team.tom.id}],
    } | extra
    r = await client.post(f"{team.base}/event-types", json=body, headers=team.admin.auth)
    assert r.status_code == 201, r.text
    return dict(r.json()["data"])


def _uid(response: Any) -> str:
    assert response.status_code == 303, response.text
    return str(response.headers["location"].split("/booking/")[1].split("?")[0])


async def _book(client: Any, path: str, start: str, email: str = "jane@example.com") -> Any:
    form = {"start": start, "tz": "UTC", "name": "Jane Doe", "email": email}
    return await client.post(path, data=form, headers=ORIGIN)


async def _mail_recipients(db: AsyncEngine, uid: str) -> list[str]:
    async with db.connect() as conn:
        rows = await conn.execute(
            text("SELECT payload FROM outbox WHERE kind = 'email' AND booking_uid = :u"),
            {"u": uid},
        )
        payloads = [p if isinstance(p, dict) else __import__("json").loads(p) for (p,) in rows]
    return sorted(p["to"]["email"] for p in payloads)


async def test_collective_team_page_offers_the_api_slots_and_books_every_host(client, sales, db):
    et = await _team_event_type(client, sales, "collective")
    assert et["bookingUrl"] == "https://cal.example.com/team/sales/demo"
    api = await client.get(
        "/v2/slots",
        params={"teamSlug": "sales", "eventTypeSlug": "demo", "start": DAY, "end": DAY,
                "timeZone": "UTC"},
    )  # fmt: skip
    api_times = [s["start"][11:16] for s in api.json()["data"][DAY]]
    assert api_times == ["09:00", "10:00", "11:00", "12:00", "13:00", "14:00", "15:00"]
    page = await client.get("/team/sales/demo", params={"tz": "UTC", "date": DAY})
    assert page.status_code == 200, page.text
    assert re.findall(r'#form"[^>]*>(\d\d:\d\d)</a>', page.text) == api_times
    assert "Sales &lt;b&gt;Team&lt;/b&gt;" in page.text and "<b>Team" not in page.text
    assert "Ann Host" in page.text and "Tom Host" in page.text  # who the meeting is with

    uid = _uid(await _book(client, "/team/sales/demo", "2030-01-08T10:00:00Z"))
    data = (await client.get(f"/v2/bookings/{uid}")).json()["data"]
    assert sorted(h["id"] for h in data["hosts"]) == sorted([sales.ann.id, sales.tom.id])
    confirmation = await client.get(f"/booking/{uid}")
    assert "Ann Host (host)" in confirmation.text and "Tom Host (host)" in confirmation.text
    # Every host of the booking and the attendee get one mail each.
    assert await _mail_recipients(db, uid) == [
        "ann@example.com", "jane@example.com", "tom@example.com",
    ]  # fmt: skip
    ics = await client.get(f"/booking/{uid}/ics")
    assert "ann@example.com" in ics.text and "tom@example.com" in ics.text
    # The slot is gone for the API and the page alike; the page says so, as for a person.
    again = await _book(client, "/team/sales/demo", "2030-01-08T10:00:00Z", "joe@example.com")
    api_again = await client.post(
        "/v2/bookings",
        json={"start": "2030-01-08T10:00:00Z", "eventTypeId": et["id"], "attendee": attendee()},
    )
    assert again.status_code == api_again.status_code == 409
    assert "just taken" in again.text


async def test_round_robin_team_page_books_one_free_host_and_mails_only_that_host(
    client, sales, db
):
    await _team_event_type(client, sales, "roundRobin")
    start = "2030-01-08T10:00:00Z"
    first = _uid(await _book(client, "/team/sales/demo", start))
    second = _uid(await _book(client, "/team/sales/demo", start, "joe@example.com"))
    hosts = []
    for uid in (first, second):
        data = (await client.get(f"/v2/bookings/{uid}")).json()["data"]
        [host] = data["hosts"]
        hosts.append(host["email"])
        page = await client.get(f"/booking/{uid}")
        name = "Ann Host" if host["id"] == sales.ann.id else "Tom Host"
        other = "Tom Host" if name == "Ann Host" else "Ann Host"
        assert f"{name} (host)" in page.text and other not in page.text
        assert host["email"] in await _mail_recipients(db, uid)
        assert len(await _mail_recipients(db, uid)) == 2
    assert sorted(hosts) == ["ann@example.com", "tom@example.com"]
    # Both hosts are taken at 10:00 now: the page offers it no longer.
    page = await client.get("/team/sales/demo", params={"tz": "UTC", "date": DAY})
    assert ">10:00</a>" not in page.text and ">11:00</a>" in page.text


async def test_a_team_booking_is_rescheduled_and_cancelled_from_its_page(client, sales, db):
    await _team_event_type(client, sales, "collective")
    uid = _uid(await _book(client, "/team/sales/demo", "2030-01-08T10:00:00Z"))
    picker = await client.get(f"/booking/{uid}/reschedule", params={"tz": "UTC", "date": DAY})
    assert picker.status_code == 200 and "Sales &lt;b&gt;Team&lt;/b&gt;" in picker.text
    moved = await client.post(
        f"/booking/{uid}/reschedule", data={"start": "2030-01-08T12:00:00Z"}, headers=ORIGIN
    )
    new_uid = _uid(moved)
    assert (await _mail_recipients(db, new_uid)) == [
        "ann@example.com", "jane@example.com", "tom@example.com",
    ]  # fmt: skip
    cancelled = await client.post(f"/booking/{new_uid}/cancel", data={}, headers=ORIGIN)
    assert cancelled.status_code == 303
    data = (await client.get(f"/v2/bookings/{new_uid}")).json()["data"]
    assert data["status"] == "cancelled"


async def test_hidden_managed_and_unknown_team_event_types_have_no_page(client, sales):
    et = await _team_event_type(client, sales, "collective", hidden=True)
    assert (await client.get("/team/sales/demo")).status_code == 404
    assert (await client.post("/team/sales/demo", data={}, headers=ORIGIN)).status_code == 404
    r = await client.patch(
        f"{sales.base}/event-types/{et['id']}", json={"hidden": False}, headers=sales.admin.auth
    )
    assert r.status_code == 200, r.text
    assert (await client.get("/team/sales/demo")).status_code == 200
    assert (await client.get("/team/sales/nothing")).status_code == 404
    assert (await client.get("/team/nobody/demo")).status_code == 404
    assert (await client.get("/team/acme/demo")).status_code == 404  # the organization itself
