"""A Python client generated from the served /openapi.json (openapi-python-client) drives the seed
workflow against a live server, its typed models parsing every answer."""

from __future__ import annotations

import asyncio
import importlib
import json
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.integration.live_server import BIN, base_env, cli, live_server

pytestmark = pytest.mark.slow

GENERATOR = BIN / "openapi-python-client"


def _generate(spec: Path, out: Path) -> None:
    result = subprocess.run(
        [str(GENERATOR), "generate", "--path", str(spec), "--output-path", str(out), "--overwrite"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _parsed(response: Any, status: int) -> Any:
    """The typed body of a generated ``*_detailed`` call, after checking the status."""
    assert response.status_code == status, response.content
    assert response.parsed is not None, response.content
    assert type(response.parsed).__name__ != "dict", response.parsed  # a model, not raw JSON
    return response.parsed


def _next_weekday_utc(hour: int) -> datetime:
    day = datetime.now(UTC).replace(hour=hour, minute=0, second=0, microsecond=0) + timedelta(
        days=7
    )
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


async def test_a_generated_client_drives_the_seed_workflow(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'client.db'}"
    await cli(base_env(url), "migrate", cwd=tmp_path)
    async with live_server(url, tmp_path) as server:
        await server.cli(
            "users", "create", "--email", "host@example.com", "--username", "host",
            "--time-zone", "UTC",
        )  # fmt: skip
        key = await server.cli("keys", "create", "--user", "host@example.com")
        async with httpx.AsyncClient(base_url=server.base_url) as http:
            spec = (await http.get("/openapi.json")).json()
        (tmp_path / "openapi.json").write_text(json.dumps(spec))
        await asyncio.to_thread(_generate, tmp_path / "openapi.json", tmp_path / "generated")
        package = next(p for p in (tmp_path / "generated").iterdir() if (p / "client.py").exists())
        sys.path.insert(0, str(tmp_path / "generated"))
        try:
            await _drive(package.name, server.base_url, key)
        finally:
            sys.path.remove(str(tmp_path / "generated"))
            for name in [m for m in sys.modules if m.split(".")[0] == package.name]:
                del sys.modules[name]
            shutil.rmtree(tmp_path / "generated", ignore_errors=True)


async def _drive(package: str, base_url: str, key: str) -> None:
    def api(tag: str, name: str) -> Any:
        return importlib.import_module(f"{package}.api.{tag}.{name}")

    models = importlib.import_module(f"{package}.models")
    client = importlib.import_module(package).AuthenticatedClient(
        base_url=base_url, token=key, raise_on_unexpected_status=True
    )
    async with client:
        me = _parsed(await api("me", "get_me_v2_me_get").asyncio_detailed(client=client), 200)
        assert me.data.username == "host"

        schedule = _parsed(
            await api("schedules", "create_schedule_v2_schedules_post").asyncio_detailed(
                client=client,
                body=models.CreateScheduleInput.from_dict(
                    {
                        "name": "Weekdays",
                        "timeZone": "UTC",
                        "isDefault": False,
                        "availability": [
                            {
                                "days": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"],
                                "startTime": "09:00",
                                "endTime": "17:00",
                            }
                        ],
                    }
                ),
            ),
            201,
        )
        assert schedule.data.name == "Weekdays"

        event_type = _parsed(
            await api("event_types", "create_event_type_v2_event_types_post").asyncio_detailed(
                client=client,
                body=models.CreateEventTypeInput.from_dict(
                    {
                        "lengthInMinutes": 30,
                        "title": "Intro call",
                        "slug": "intro-call",
                        "scheduleId": schedule.data.id,
                    }
                ),
            ),
            201,
        )
        event_type_id = event_type.data.id
        assert event_type.data.booking_url.endswith("/host/intro-call")

        first = _next_weekday_utc(10)
        slots = _parsed(
            await api("slots", "get_slots_v2_slots_get").asyncio_detailed(
                client=client,
                start=first.date().isoformat(),
                end=(first + timedelta(days=1)).date().isoformat(),
                event_type_id=str(event_type_id),
            ),
            200,
        )
        days = slots.data.additional_properties
        start = next(iter(days.values()))[0].start
        assert start.startswith(first.date().isoformat())

        booking_body = models.CreateBookingInput.from_dict(
            {
                "start": start,
                "eventTypeId": event_type_id,
                "attendee": {"name": "Ada", "email": "ada@example.com", "timeZone": "UTC"},
            }
        )
        created = _parsed(
            await api("bookings", "create_booking_v2_bookings_post").asyncio_detailed(
                client=client, body=booking_body
            ),
            201,
        )
        booking = created.data
        assert booking.status == "accepted"

        listing = _parsed(
            await api("bookings", "list_bookings_v2_bookings_get").asyncio_detailed(client=client),
            200,
        )
        assert [b.uid for b in listing.data] == [booking.uid]
        assert listing.pagination.total_items == 1

        fetched = _parsed(
            await api("bookings", "get_booking_v2_bookings_uid_get").asyncio_detailed(
                uid=booking.uid, client=client
            ),
            200,
        )
        assert fetched.data.uid == booking.uid

        later = datetime.fromisoformat(start.replace("Z", "+00:00")) + timedelta(hours=1)
        moved = _parsed(
            await api(
                "bookings", "reschedule_booking_v2_bookings_uid_reschedule_post"
            ).asyncio_detailed(
                uid=booking.uid,
                client=client,
                body=models.RescheduleBookingInput.from_dict(
                    {"start": later.isoformat().replace("+00:00", "Z")}
                ),
            ),
            201,
        )
        assert moved.data.rescheduled_from_uid == booking.uid

        cancelled = _parsed(
            await api("bookings", "cancel_booking_v2_bookings_uid_cancel_post").asyncio_detailed(
                uid=moved.data.uid,
                client=client,
                body=models.CancelBookingInput.from_dict({"cancellationReason": "done"}),
            ),
            200,
        )
        assert cancelled.data.status == "cancelled"
