"""A person books, reschedules and cancels in real Chromium against a real `rendezvous serve`:
two visitors in two time zones, a slot taken meanwhile, the manage page. Every page is
screenshotted into the test artifacts."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from tests.integration.live_server import base_env, cli, live_server

pytestmark = pytest.mark.slow


async def _first_free_time(page: Page, nth: int = 0) -> None:
    """Click the first day with free times (this month or the next two), then its ``nth``
    time."""
    for _ in range(3):
        days = page.locator("table.month a")
        if await days.count():
            await days.first.click()
            break
        await page.get_by_label("Next month").click()
    await page.locator("ul.times a").nth(nth).click()
    await expect(page.locator("#form")).to_be_visible()


async def _book(browser: Browser, base: str, zone: str, name: str, shoot, tag: str) -> Page:
    context = await browser.new_context(timezone_id=zone, viewport={"width": 390, "height": 844})
    page = await context.new_page()
    await page.goto(f"{base}/bob/intro")
    await page.wait_for_url(re.compile(r"tz="))  # the inline script picked the visitor's zone
    await expect(page.locator("#tz")).to_have_value(zone)
    await shoot(page, f"{tag}-1-event-page")
    await _first_free_time(page)
    await shoot(page, f"{tag}-2-form")
    await page.get_by_label("Your name", exact=True).fill(name)
    await page.get_by_label("Email address", exact=True).fill(
        f"{name.split()[0].lower()}@example.com"
    )
    await page.get_by_label("Notes for the host (optional)").fill("Looking forward to it")
    await page.get_by_role("button", name="Book this time").click()
    await page.wait_for_url(re.compile(r"/booking/"))
    await expect(page.locator("h1")).to_have_text("This meeting is booked")
    await shoot(page, f"{tag}-3-confirmation")
    return page


def _uid(page: Page) -> str:
    return page.url.split("/booking/")[1].split("?")[0].split("/")[0]


async def _shown_time(http: httpx.AsyncClient, uid: str, zone: str) -> str:
    data = (await http.get(f"/v2/bookings/{uid}")).json()["data"]
    start = datetime.fromisoformat(data["start"].replace("Z", "+00:00"))
    return start.astimezone(ZoneInfo(zone)).strftime("%H:%M")


async def test_book_in_two_zones_then_reschedule_and_cancel(tmp_path: Path, chromium, shoot):
    url = f"sqlite+aiosqlite:///{tmp_path / 'browser.db'}"
    env = base_env(url)
    await cli(env, "migrate", cwd=tmp_path)
    await cli(
        env, "users", "create", "--email", "bob@example.com", "--username", "bob",
        "--name", "Bob Host", "--time-zone", "Europe/Rome", cwd=tmp_path,
    )  # fmt: skip
    key = (await cli(env, "keys", "create", "--user", "bob@example.com", cwd=tmp_path)).strip()
    async with (
        live_server(url, tmp_path) as server,
        httpx.AsyncClient(
            base_url=server.base_url, headers={"Authorization": f"Bearer {key}"}, timeout=30
        ) as http,
    ):
        made = await http.post(
            "/v2/event-types",
            json={"title": "Intro call", "slug": "intro", "lengthInMinutes": 30,
                  "description": "A first talk"},
            headers={"cal-api-version": "2024-06-14"},
        )  # fmt: skip
        assert made.status_code == 201, made.text
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=chromium)
            try:
                home = await browser.new_page()
                await home.goto(server.base_url + "/")
                await shoot(home, "0-home")
                await home.goto(server.base_url + "/bob")
                await expect(home.get_by_role("link", name="Intro call")).to_be_visible()
                await shoot(home, "0-profile")

                # Two visitors in two zones; each page shows times on the visitor's clock.
                ny = await _book(
                    browser, server.base_url, "America/New_York", "Ann Lee", shoot, "a-ny"
                )
                tokyo = await _book(
                    browser, server.base_url, "Asia/Tokyo", "Ken Sato", shoot, "b-tokyo"
                )
                for page, zone in ((ny, "America/New_York"), (tokyo, "Asia/Tokyo")):
                    shown = await _shown_time(http, _uid(page), zone)
                    await expect(page.locator("#when")).to_contain_text(shown)
                    await expect(page.locator("#when")).to_contain_text(zone)
                assert _uid(ny) != _uid(tokyo)

                # A slot taken meanwhile is a clear message on the page, not an error page.
                late = await browser.new_context(timezone_id="Asia/Tokyo")
                page = await late.new_page()
                await page.goto(f"{server.base_url}/bob/intro")
                await page.wait_for_url(re.compile(r"tz="))
                await _first_free_time(page)
                start = await page.locator("input[name=start]").input_value()
                taken = await http.post(
                    "/v2/bookings",
                    json={"start": start, "eventTypeId": made.json()["data"]["id"],
                          "attendee": {"name": "Quick", "email": "quick@example.com",
                                       "timeZone": "UTC"}},
                )  # fmt: skip
                assert taken.status_code == 201, taken.text
                await page.get_by_label("Your name", exact=True).fill("Slow Booker")
                await page.get_by_label("Email address", exact=True).fill("slow@example.com")
                await page.get_by_role("button", name="Book this time").click()
                await expect(page.locator("#message")).to_contain_text("just taken")
                await shoot(page, "c-slot-taken")

                # Manage: reschedule with the same picker, then cancel with a reason.
                before = await ny.locator("#when").inner_text()
                await ny.locator("#reschedule").click()
                await expect(ny.locator("h1")).to_contain_text("Reschedule")
                await shoot(ny, "d-1-reschedule-picker")
                old_uid = _uid(ny)
                await _first_free_time(ny, nth=1)  # the first is its own time, still free to it
                await ny.get_by_label("Reason for rescheduling (optional)").fill("A clash")
                await shoot(ny, "d-2-reschedule-form")
                await ny.get_by_role("button", name="Move the booking to this time").click()
                await ny.wait_for_url(re.compile(r"notice=rescheduled"))
                await expect(ny.locator("[role=status]")).to_contain_text("moved")
                await shoot(ny, "d-3-rescheduled")
                new_uid = _uid(ny)
                assert new_uid != old_uid
                assert await ny.locator("#when").inner_text() != before
                old = (await http.get(f"/v2/bookings/{old_uid}")).json()["data"]
                assert old["status"] == "cancelled" and old["rescheduledToUid"] == new_uid

                await ny.get_by_label("Reason for cancelling (optional)").fill("Plans changed")
                await ny.get_by_role("button", name="Cancel this booking").click()
                await ny.wait_for_url(re.compile(r"notice=cancelled"))
                await expect(ny.locator("h1")).to_have_text("Cancelled")
                await shoot(ny, "d-4-cancelled")
                gone = (await http.get(f"/v2/bookings/{new_uid}")).json()["data"]
                assert gone["status"] == "cancelled"
                assert gone["cancellationReason"] == "Plans changed"

                ics = await http.get(f"/booking/{new_uid}/ics")
                assert "STATUS:CANCELLED" in ics.text and "SEQUENCE:2" in ics.text
            finally:
                await browser.close()


async def test_book_a_collective_team_event_type(tmp_path: Path, chromium, shoot):
    """The team event type's bookingUrl (/team/{teamSlug}/{slug}) books every host; the
    confirmation names them all."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'team.db'}"
    env = base_env(url)
    await cli(env, "migrate", cwd=tmp_path)
    ids = []
    for username, name in (("bob", "Bob Host"), ("ann", "Ann Host")):
        out = await cli(
            env, "users", "create", "--email", f"{username}@example.com", "--username", username,
            "--name", name, "--time-zone", "Europe/Rome", cwd=tmp_path,
        )  # fmt: skip
        ids.append(int(re.search(r"created user (\d+)", out).group(1)))  # type: ignore[union-attr]
    created = await cli(
        env, "orgs", "create", "--name", "Acme", "--slug", "acme",
        "--owner", "bob@example.com", cwd=tmp_path,
    )  # fmt: skip
    org_id = created.strip().splitlines()[-1]
    await cli(env, "orgs", "add-member", "--org", "acme", "--user", "ann@example.com", cwd=tmp_path)
    key = (await cli(env, "keys", "create", "--user", "bob@example.com", cwd=tmp_path)).strip()
    async with (
        live_server(url, tmp_path) as server,
        httpx.AsyncClient(
            base_url=server.base_url, headers={"Authorization": f"Bearer {key}"}, timeout=30
        ) as http,
    ):
        base = f"/v2/organizations/{org_id}/teams"
        team = await http.post(base, json={"name": "Sales", "slug": "sales"})
        assert team.status_code == 201, team.text
        base += f"/{team.json()['data']['id']}"
        for user_id in ids:
            r = await http.post(f"{base}/memberships", json={"userId": user_id, "accepted": True})
            assert r.status_code in (201, 409), r.text  # 409: the creator is a member already
        made = await http.post(
            f"{base}/event-types",
            json={"title": "Team demo", "slug": "demo", "lengthInMinutes": 30,
                  "schedulingType": "collective",
                  "hosts": [{"userId": i} for i in ids]},
        )  # fmt: skip
        assert made.status_code == 201, made.text
        booking_url = made.json()["data"]["bookingUrl"]
        assert booking_url.endswith("/team/sales/demo")
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=chromium)
            try:
                context = await browser.new_context(timezone_id="Europe/Paris")
                page = await context.new_page()
                await page.goto(server.base_url + "/team/sales/demo")
                await page.wait_for_url(re.compile(r"tz="))
                await expect(page.locator("#hosts")).to_contain_text("Ann Host")
                await shoot(page, "e-1-team-page")
                await _first_free_time(page)
                await page.get_by_label("Your name", exact=True).fill("Eve Martin")
                await page.get_by_label("Email address", exact=True).fill("eve@example.com")
                await page.get_by_role("button", name="Book this time").click()
                await page.wait_for_url(re.compile(r"/booking/"))
                await expect(page.locator("h1")).to_have_text("This meeting is booked")
                await expect(page.get_by_text("Bob Host (host)")).to_be_visible()
                await expect(page.get_by_text("Ann Host (host)")).to_be_visible()
                await shoot(page, "e-2-team-confirmation")
                data = (await http.get(f"/v2/bookings/{_uid(page)}")).json()["data"]
                assert sorted(h["name"] for h in data["hosts"]) == ["Ann Host", "Bob Host"]
            finally:
                await browser.close()
