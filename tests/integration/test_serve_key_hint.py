"""A restarted `rendezvous serve` (users already exist, so no demo key is shown) says how to get a
key."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.integration.live_server import RENDEZVOUS, base_env, cli, live_server

pytestmark = pytest.mark.slow


async def test_serve_with_existing_users_prints_how_to_create_a_key(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'hint.db'}"
    await cli(base_env(url), "migrate", cwd=tmp_path)
    await cli(
        base_env(url), "users", "create", "--email", "bob@example.com", "--username", "bob",
        cwd=tmp_path,
    )  # fmt: skip
    async with live_server(url, tmp_path) as server:
        # A second serve on the same port: it migrates, finds users, prints the hint, and then
        # stops because the port is taken (so the test needs no second free port).
        second = await asyncio.create_subprocess_exec(
            RENDEZVOUS,
            "serve",
            env=dict(server.env),
            cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(second.communicate(), 60)
    assert second.returncode != 0, err.decode()  # the port is taken
    text = out.decode()
    assert "Users already exist" in text
    # The command as it was run, so the hint can be pasted (make serve runs .venv/bin/rendezvous,
    # and a bare `rendezvous` is not on the PATH).
    assert f"{RENDEZVOUS} keys create --user EMAIL" in text
    assert "demo@example.com" in text
    assert "API key (shown once)" not in text
