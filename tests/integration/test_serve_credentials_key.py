"""`rendezvous serve` refuses to start when calendar credentials are stored and the key that
opens them is missing or wrong (it stops before listening, exit status 2, saying what to set);
with nothing stored it starts without any key configured."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from rendezvous import cli
from rendezvous.db.engine import create_engine, session_factory
from rendezvous.db.migrate import upgrade
from rendezvous.db.uow import UnitOfWork
from rendezvous.integrations.calendars.secrets import Sealer
from rendezvous.services import accounts


async def _store_credential(url: str, key: str) -> None:
    await upgrade(url)
    engine = create_engine(url)
    now = datetime.now(UTC)
    try:
        async with UnitOfWork(session_factory(engine), write=True) as uow:
            user = await accounts.create_user(
                uow, email="a@ex.com", username="a", name="A", time_zone="UTC", now=now
            )
            await uow.calendars.add_credential(
                user_id=user.id,
                type="caldav_calendar",
                app_id="caldav",
                server_url="https://dav.example.com/",
                secret=Sealer(key, "unused").seal({"username": "a", "password": "b"}),
                now=now,
            )
            await uow.commit()
    finally:
        await engine.dispose()


def test_serve_refuses_to_start_without_the_key_of_stored_credentials(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'r.db'}"
    key = Fernet.generate_key().decode()
    asyncio.run(_store_credential(url, key))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RENDEZVOUS_DATABASE_URL", url)
    monkeypatch.setenv("RENDEZVOUS_CREDENTIALS_KEY_FILE", str(tmp_path / "missing.key"))
    monkeypatch.delenv("RENDEZVOUS_CREDENTIALS_KEY", raising=False)
    assert cli.main(["serve"]) == 2
    assert "RENDEZVOUS_CREDENTIALS_KEY" in capsys.readouterr().err
    monkeypatch.setenv("RENDEZVOUS_CREDENTIALS_KEY", Fernet.generate_key().decode())
    assert cli.main(["serve"]) == 2
    assert "cannot be opened" in capsys.readouterr().err
    # The right key passes the check (checked alone: serving would block the test).
    monkeypatch.setenv("RENDEZVOUS_CREDENTIALS_KEY", key)
    cli.check_credentials_key(cli.load_settings())
