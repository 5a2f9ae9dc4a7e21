"""`rendezvous users verify-email`: the operator vouches for an address until mail exists."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from rendezvous.cli import main
from rendezvous.db.engine import create_engine, session_factory
from rendezvous.db.uow import UnitOfWork
from rendezvous.services.profile import update_profile


async def _change_email(url: str, old: str, new: str) -> None:
    engine = create_engine(url)
    try:
        async with UnitOfWork(session_factory(engine), write=True) as uow:
            user = await uow.users.by_email(old)
            assert user is not None
            await update_profile(uow, user, {"email": new}, datetime.now(UTC))
    finally:
        await engine.dispose()


async def _verified(url: str, email: str) -> bool:
    engine = create_engine(url)
    try:
        async with UnitOfWork(session_factory(engine)) as uow:
            user = await uow.users.by_email(email)
            assert user is not None
            return user.email_verified
    finally:
        await engine.dispose()


def test_the_operator_vouches_for_a_changed_address(tmp_path, monkeypatch, capsys):
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RENDEZVOUS_DATABASE_URL", url)
    assert main(["migrate"]) == 0
    assert main(["users", "create", "--email", "Bob@Example.com", "--username", "bob"]) == 0
    assert asyncio.run(_verified(url, "bob@example.com"))  # created by the operator
    asyncio.run(_change_email(url, "bob@example.com", "robert@example.com"))  # PATCH /v2/me
    assert not asyncio.run(_verified(url, "robert@example.com"))
    assert main(["users", "verify-email", "Robert@example.com"]) == 0
    assert "robert@example.com" in capsys.readouterr().out
    assert asyncio.run(_verified(url, "robert@example.com"))
    assert main(["users", "verify-email", "nobody@example.com"]) == 1


@pytest.mark.parametrize("argv", [["users", "verify-email"]])
def test_verify_email_needs_an_address(argv):
    with pytest.raises(SystemExit):
        main(argv)
