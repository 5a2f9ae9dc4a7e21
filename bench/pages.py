"""The booking page benchmark (issue 16): how long ``GET /{username}/{slug}`` takes to render a
month of slots (the month grid, a chosen day's times and the form), against ``GET /v2/slots``
for the same month from the same engine. In-process over ASGI with a migrated SQLite file, so
the figures are the app's own time (no network, no server process).

One JSON line per figure: ``{"bench": "pages", "what", "slots", "median_ms", "p95_ms", "runs"}``
and a last line with the page/API ratio.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import httpx  # noqa: E402

from rendezvous.api.app import create_app  # noqa: E402
from rendezvous.config import Settings  # noqa: E402
from rendezvous.db.engine import create_engine, session_factory  # noqa: E402
from rendezvous.db.migrate import upgrade  # noqa: E402
from rendezvous.db.uow import UnitOfWork  # noqa: E402
from rendezvous.domain.models import EventRules  # noqa: E402
from rendezvous.services import accounts  # noqa: E402

NOW = datetime(2030, 1, 1, 8, 0, tzinfo=UTC)
RUNS = 60


async def _seed(url: str, duration: int) -> None:
    engine = create_engine(url)
    async with UnitOfWork(session_factory(engine), write=True) as uow:
        user = await accounts.create_user(
            uow, email="bob@example.com", username="bob", name="Bob", time_zone="Europe/Rome",
            now=NOW,
        )  # fmt: skip
        await uow.event_types.add(
            owner_id=user.id, slug="intro", title="Intro", hidden=False, schedule_id=None,
            rules=EventRules(duration=duration),
            settings={"lengthInMinutes": duration, "title": "Intro", "slug": "intro"}, now=NOW,
        )  # fmt: skip
        await uow.commit()
    await engine.dispose()


async def _time(client: httpx.AsyncClient, path: str, params: dict[str, str]) -> list[float]:
    for _ in range(5):  # warm-up
        assert (await client.get(path, params=params)).status_code == 200
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        response = await client.get(path, params=params)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return samples


def _line(what: str, slots: int, samples: list[float]) -> float:
    median = statistics.median(samples)
    p95 = sorted(samples)[int(len(samples) * 0.95) - 1]
    print(
        json.dumps(
            {"bench": "pages", "what": what, "slots": slots, "median_ms": round(median, 2),
             "p95_ms": round(p95, 2), "runs": len(samples)}
        ),
        flush=True,
    )  # fmt: skip
    return median


async def main() -> None:
    with tempfile.TemporaryDirectory(prefix="rendezvous-bench-pages-") as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'pages.db'}"
        await upgrade(url)
        await _seed(url, duration=15)
        settings = Settings(database_url=url, rate_limit_enabled=False, _env_file=None)  # type: ignore[call-arg]
        app = create_app(settings, clock=lambda: NOW)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            zone = "America/New_York"
            api = await client.get(
                "/v2/slots",
                params={"username": "bob", "eventTypeSlug": "intro", "start": "2030-01-01",
                        "end": "2030-01-31", "timeZone": zone},
            )  # fmt: skip
            slots = sum(len(day) for day in api.json()["data"].values())
            page = _line(
                "booking page, a month of slots and a chosen day",
                slots,
                await _time(
                    client, "/bob/intro",
                    {"tz": zone, "month": "2030-01", "date": "2030-01-15",
                     "slot": "2030-01-15T14:00:00Z"},
                ),
            )  # fmt: skip
            json_api = _line(
                "GET /v2/slots, the same month",
                slots,
                await _time(
                    client, "/v2/slots",
                    {"username": "bob", "eventTypeSlug": "intro", "start": "2030-01-01",
                     "end": "2030-01-31", "timeZone": zone},
                ),
            )  # fmt: skip
            print(json.dumps({"bench": "pages", "page_over_api": round(page / json_api, 2)}))
        await app.state.engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
