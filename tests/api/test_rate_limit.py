"""Rate limits per API key (or client IP) with Cal.com's headers, in memory and via Redis."""

from __future__ import annotations

import uuid

import httpx
import pytest
import redis.asyncio as aioredis

from rendezvous.api.app import create_app
from rendezvous.config import Settings

REDIS_URL = "redis://127.0.0.1:6379/0"


def limited_settings(settings: Settings, **extra: object) -> Settings:
    return settings.model_copy(update={"rate_limit": 3, "rate_limit_window": 60, **extra})


def http(app: object) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


async def test_every_response_carries_the_limit_headers(client, make_user):
    bob = await make_user("bob")
    response = await client.get("/v2/me", headers=bob.auth)
    assert response.headers["x-ratelimit-limit-default"] == "100000"
    assert response.headers["x-ratelimit-remaining-default"] == "99999"
    assert 0 < int(response.headers["x-ratelimit-reset-default"]) <= 60


async def test_the_request_past_the_limit_is_a_429_envelope(settings, db_engine, clock, make_user):
    bob = await make_user("bob")
    app = create_app(limited_settings(settings), clock=clock, engine=db_engine)
    async with http(app) as client:
        remaining = [
            (await client.get("/v2/me", headers=bob.auth)).headers["x-ratelimit-remaining-default"]
            for _ in range(3)
        ]
        assert remaining == ["2", "1", "0"]
        response = await client.get("/v2/me", headers=bob.auth)
    assert response.status_code == 429
    body = response.json()
    assert body["error"]["code"] == "ThrottlerException"
    assert "Too many requests" in body["error"]["message"]
    assert 0 < int(response.headers["retry-after"]) <= 60
    assert response.headers["x-ratelimit-remaining-default"] == "0"


async def test_each_key_and_anonymous_ip_has_its_own_budget(settings, db_engine, clock, make_user):
    bob = await make_user("bob")
    ann = await make_user("ann")
    app = create_app(limited_settings(settings), clock=clock, engine=db_engine)
    async with http(app) as client:
        for _ in range(3):
            await client.get("/v2/me", headers=bob.auth)
        assert (await client.get("/v2/me", headers=bob.auth)).status_code == 429
        assert (await client.get("/v2/me", headers=ann.auth)).status_code == 200
        assert (await client.get("/v2/me")).status_code == 401  # anonymous: the IP's budget


@pytest.mark.redis
async def test_two_processes_share_one_budget_through_redis(settings, db_engine, clock, make_user):
    bob = await make_user("bob")
    db = uuid.uuid4().int % 15 + 1  # keep test counters away from db 0
    shared = limited_settings(settings, redis_url=f"redis://127.0.0.1:6379/{db}")
    store = aioredis.from_url(f"redis://127.0.0.1:6379/{db}")
    await store.flushdb()
    first = create_app(shared, clock=clock, engine=db_engine)
    second = create_app(shared, clock=clock, engine=db_engine)
    try:
        async with http(first) as one, http(second) as two:
            assert (await one.get("/v2/me", headers=bob.auth)).status_code == 200
            assert (await two.get("/v2/me", headers=bob.auth)).status_code == 200
            last = await one.get("/v2/me", headers=bob.auth)
            assert last.headers["x-ratelimit-remaining-default"] == "0"
            refused = await two.get("/v2/me", headers=bob.auth)
        assert refused.status_code == 429
        assert refused.json()["error"]["code"] == "ThrottlerException"
    finally:
        await store.flushdb()
        await store.aclose()
