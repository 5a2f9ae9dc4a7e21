"""`serve` runs the outbox worker in its app's lifespan, unless RENDEZVOUS_WORKER_IN_SERVE=false."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from sqlalchemy import text

from rendezvous.api.app import create_app
from tests.api.helpers import book
from tests.integration.receiver import receiver


async def _status(db) -> list[str]:
    async with db.connect() as conn:
        return [r[0] for r in await conn.execute(text("SELECT status FROM outbox ORDER BY id"))]


@pytest.mark.parametrize("in_serve", [True, False])
async def test_the_lifespan_starts_and_stops_the_worker(
    settings, db, clock, make_user, make_event_type, in_serve: bool
) -> None:
    settings = settings.model_copy(
        update={"allow_private_networks": True, "worker_in_serve": in_serve}
    )
    app = create_app(settings, clock=clock, engine=db)
    bob = await make_user("bob")
    et = await make_event_type(bob)
    async with receiver() as hooks, app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            made = await client.post(
                "/v2/webhooks",
                json={"subscriberUrl": hooks.url, "triggers": "BOOKING_CREATED", "active": True},
                headers=bob.auth,
            )
            assert made.status_code == 201, made.text
            assert (await book(client, et)).status_code == 201
            if in_serve:
                await hooks.wait_for(1, within=30)
            else:
                await asyncio.sleep(1)  # four poll intervals: a worker would have sent it
    assert len(hooks.requests) == (1 if in_serve else 0)
    assert await _status(db) == (["done"] if in_serve else ["pending"])
