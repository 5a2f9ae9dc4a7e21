"""Bearer API keys: what gets in, what gets a 401, and what is stored."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from rendezvous.db.engine import session_factory
from rendezvous.db.uow import UnitOfWork
from rendezvous.services import accounts


async def test_a_valid_key_reaches_the_callers_profile(client, make_user):
    bob = await make_user("bob")
    response = await client.get("/v2/me", headers=bob.auth)
    assert response.status_code == 200
    assert response.json()["data"]["username"] == "bob"


@pytest.mark.parametrize(
    ("header", "message_part"),
    [
        (None, "Missing Authorization header"),
        ("Basic Ym9iOnNlY3JldA==", "Invalid Authorization header"),
        ("Bearer", "Invalid Authorization header"),
        ("Bearer cal_" + "0" * 64, "Invalid API key"),
        ("Bearer not-a-cal-key", "Invalid API key"),
        ("Bearer cal_short", "Invalid API key"),
    ],
)
async def test_missing_or_wrong_credentials_are_a_401_envelope(
    client, make_user, header, message_part
):
    await make_user("bob")
    headers = {"Authorization": header} if header else {}
    response = await client.get("/v2/me", headers=headers)
    assert response.status_code == 401
    body = response.json()
    assert body["status"] == "error"
    assert body["error"]["code"] == "UnauthorizedException"
    assert message_part in body["error"]["message"]
    assert body["message"] == body["error"]["message"]


async def test_an_expired_key_is_refused(client, make_user, db_engine, clock):
    bob = await make_user("bob")
    async with UnitOfWork(session_factory(db_engine), write=True) as uow:
        issued = await accounts.issue_key(uow, user_id=bob.id, now=clock(), expires_in_days=1)
        await uow.commit()
    headers = {"Authorization": f"Bearer {issued.key}"}
    assert (await client.get("/v2/me", headers=headers)).status_code == 200
    clock.advance(days=1)
    response = await client.get("/v2/me", headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "API key has expired"


async def test_a_revoked_key_is_refused(client, make_user, db_engine, clock):
    bob = await make_user("bob")
    async with UnitOfWork(session_factory(db_engine), write=True) as uow:
        (record,) = await uow.keys.for_user(bob.id)
        await accounts.revoke_key(uow, record.id, clock())
        await uow.commit()
    response = await client.get("/v2/me", headers=bob.auth)
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "API key has been revoked"


async def test_only_a_hash_of_the_key_is_stored(client, make_user, db_engine):
    bob = await make_user("bob")
    async with db_engine.connect() as conn:
        rows = (await conn.execute(text("SELECT * FROM api_keys"))).mappings().all()
    assert len(rows) == 1
    stored = " ".join(str(v) for v in rows[0].values())
    assert bob.key not in stored
    assert bob.key[4:] not in stored
    assert rows[0]["key_hash"] == accounts.hash_key(bob.key)
    assert len(bob.key) == len("cal_") + 64


async def test_using_a_key_records_when_it_was_last_used(client, make_user, db_engine, clock):
    bob = await make_user("bob")
    await client.get("/v2/me", headers=bob.auth)
    async with UnitOfWork(session_factory(db_engine)) as uow:
        (record,) = await uow.keys.for_user(bob.id)
    assert record.last_used_at == clock()
