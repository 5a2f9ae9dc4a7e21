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


async def test_requests_without_credentials_spend_no_failure_budget(
    settings, db_engine, clock, make_user
):
    bob = await make_user("bob")
    app = create_app(
        limited_settings(settings, rate_limit=1000, auth_failure_limit=2),
        clock=clock,
        engine=db_engine,
    )
    async with http_from(app, "203.0.113.9") as client:
        for _ in range(5):  # each a 401 "Missing Authorization header", and no key looked up
            assert (await client.get("/v2/me")).status_code == 401
        assert (await client.get("/v2/me", headers=bob.auth)).status_code == 200


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


def http_from(app: object, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://test")


def made_up_key(n: int) -> dict[str, str]:
    return {"Authorization": f"Bearer cal_{n:064x}"}


async def test_failed_authentications_count_against_the_client_address(
    settings, db_engine, clock, make_user
):
    bob = await make_user("bob")
    app = create_app(
        limited_settings(settings, rate_limit=1000, auth_failure_limit=3),
        clock=clock,
        engine=db_engine,
    )
    async with http_from(app, "203.0.113.7") as attacker, http_from(app, "198.51.100.9") as other:
        statuses = [
            (await attacker.get("/v2/me", headers=made_up_key(n))).status_code for n in range(3)
        ]
        assert statuses == [401, 401, 401]
        refused = await attacker.get("/v2/me", headers=made_up_key(99))
        assert refused.status_code == 429
        body = refused.json()
        assert body["error"]["code"] == "ThrottlerException"
        assert "failed authentications" in body["error"]["message"]
        assert 0 < int(refused.headers["retry-after"]) <= 60
        assert refused.headers["x-request-id"]
        # Every request with credentials from that address waits out the window, a valid key too:
        # the address cannot be told apart from the one guessing keys before the key is looked up.
        assert (await attacker.get("/v2/me", headers=bob.auth)).status_code == 429
        # Without credentials the address keeps its ordinary anonymous budget.
        assert (await attacker.get("/v2/me")).status_code == 401
        # Other addresses are not affected.
        assert (await other.get("/v2/me", headers=bob.auth)).status_code == 200
        assert (await other.get("/v2/me", headers=made_up_key(5))).status_code == 401


async def test_successful_authentications_spend_no_failure_budget(
    settings, db_engine, clock, make_user
):
    bob = await make_user("bob")
    app = create_app(
        limited_settings(settings, rate_limit=1000, auth_failure_limit=2),
        clock=clock,
        engine=db_engine,
    )
    async with http_from(app, "203.0.113.8") as client:
        for _ in range(10):
            assert (await client.get("/v2/me", headers=bob.auth)).status_code == 200
        assert (await client.get("/v2/me", headers=made_up_key(1))).status_code == 401
        assert (await client.get("/v2/me", headers=bob.auth)).status_code == 200


@pytest.mark.redis
async def test_failed_authentications_are_counted_across_processes_through_redis(
    settings, db_engine, clock
):
    db = uuid.uuid4().int % 15 + 1
    shared = limited_settings(
        settings, rate_limit=1000, auth_failure_limit=2, redis_url=f"redis://127.0.0.1:6379/{db}"
    )
    store = aioredis.from_url(f"redis://127.0.0.1:6379/{db}")
    await store.flushdb()
    first = create_app(shared, clock=clock, engine=db_engine)
    second = create_app(shared, clock=clock, engine=db_engine)
    try:
        async with http_from(first, "203.0.113.9") as one, http_from(second, "203.0.113.9") as two:
            assert (await one.get("/v2/me", headers=made_up_key(1))).status_code == 401
            assert (await two.get("/v2/me", headers=made_up_key(2))).status_code == 401
            assert (await one.get("/v2/me", headers=made_up_key(3))).status_code == 429
            assert (await two.get("/v2/me", headers=made_up_key(4))).status_code == 429
    finally:
        await store.flushdb()
        await store.aclose()
