"""A database that cannot be reached is a 503 with Retry-After, not a 500; /health says so; and
service comes back by itself when the database does.

PostgreSQL is reached through a small TCP proxy that the test cuts (every open connection reset,
new ones refused) and restores, as a network failure or a database restart would."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.engine import make_url

from rendezvous.api.app import create_app
from rendezvous.config import Settings
from rendezvous.db.engine import database_unreachable
from rendezvous.db.migrate import upgrade
from tests.integration.live_server import free_port, pg_problem, throwaway_pg_database

PUBLIC = "/v2/event-types?username=nobody"  # anonymous, and it reads the database


class TcpProxy:
    """Forwards 127.0.0.1:``port`` to ``target``; ``cut()`` resets every connection and refuses
    new ones until ``restore()``."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self.server: asyncio.Server | None = None
        self.writers: set[asyncio.StreamWriter] = set()

    async def restore(self) -> None:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)

    async def cut(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()
            self.server = None
        for writer in list(self.writers):
            writer.transport.abort()  # RST, as a dropped network path or a killed server
        self.writers.clear()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, OSError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.transport.abort()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self.writers |= {writer, up_writer}
        try:
            await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))
        finally:
            self.writers -= {writer, up_writer}


@contextlib.asynccontextmanager
async def proxied_postgres() -> AsyncIterator[tuple[str, TcpProxy]]:
    problem = await pg_problem()
    if problem:
        pytest.skip(f"PostgreSQL unreachable ({problem})")
    async with throwaway_pg_database("rendezvous_outage") as direct:
        await upgrade(direct)
        url = make_url(direct)
        proxy = TcpProxy((url.host or "127.0.0.1", url.port or 5432))
        await proxy.restore()
        try:
            yield url.set(port=proxy.port).render_as_string(hide_password=False), proxy
        finally:
            await proxy.cut()


@contextlib.asynccontextmanager
async def app_client(url: str) -> AsyncIterator[httpx.AsyncClient]:
    """An in-process client of an app on ``url``; its engine is disposed afterwards."""
    app = create_app(Settings(database_url=url, _env_file=None))  # type: ignore[call-arg]
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client
    finally:
        await app.state.engine.dispose()


def assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    body = response.json()
    assert body["status"] == "error"
    assert body["error"]["code"] == "ServiceUnavailableException"
    assert 0 < int(response.headers["retry-after"]) <= 60
    assert response.headers["x-request-id"]


async def test_a_postgres_outage_is_a_503_with_retry_after_and_service_resumes():
    async with proxied_postgres() as (url, proxy), app_client(url) as client:
        assert (await client.get(PUBLIC)).status_code == 200
        assert (await client.get("/health")).status_code == 200

        await proxy.cut()
        # Pooled connections die mid-use and new ones are refused: both are 503s.
        for _ in range(3):
            assert_unavailable(await client.get(PUBLIC))
            assert_unavailable(
                await client.get("/v2/me", headers={"Authorization": "Bearer cal_" + "ab" * 32})
            )
        health = await client.get("/health")
        assert health.status_code == 503
        assert health.json()["database"] == "unreachable"
        assert int(health.headers["retry-after"]) > 0

        await proxy.restore()
        deadline = time.monotonic() + 15
        while (await client.get(PUBLIC)).status_code != 200:
            assert time.monotonic() < deadline, "service did not resume"
            await asyncio.sleep(0.1)
        assert (await client.get("/health")).status_code == 200


async def test_requests_in_flight_when_the_connection_drops_are_503s():
    async with proxied_postgres() as (url, proxy), app_client(url) as client:
        assert (await client.get(PUBLIC)).status_code == 200
        requests = [asyncio.create_task(client.get(PUBLIC)) for _ in range(20)]
        await asyncio.sleep(0)
        await proxy.cut()
        statuses = {r.status_code for r in await asyncio.gather(*requests)}
        assert statuses <= {200, 503}
        await proxy.restore()


@pytest.mark.parametrize(
    "message",
    ["database is locked", "unable to open database file", "disk I/O error"],
)
def test_a_sqlite_file_that_cannot_be_used_counts_as_unreachable(message):
    from sqlalchemy.exc import OperationalError

    wrapped = OperationalError("SELECT 1", {}, sqlite3.OperationalError(message))
    assert database_unreachable(wrapped)


def test_a_faulty_statement_is_not_an_outage():
    from sqlalchemy.exc import IntegrityError, OperationalError

    assert not database_unreachable(
        OperationalError("SELECT x", {}, sqlite3.OperationalError("no such column: x"))
    )
    assert not database_unreachable(IntegrityError("INSERT", {}, Exception("UNIQUE failed")))
    assert not database_unreachable(FileNotFoundError("/etc/nothing"))


@pytest.mark.slow
async def test_a_served_process_answers_503_through_an_outage_and_recovers(tmp_path):
    """The same through `rendezvous serve` (two workers): the proxy sits between the server
    processes and PostgreSQL."""
    from tests.integration.live_server import live_server

    async with (
        proxied_postgres() as (url, proxy),
        live_server(url, tmp_path, workers=2) as server,
        httpx.AsyncClient(base_url=server.base_url, timeout=20) as http,
    ):
        assert (await http.get(PUBLIC)).status_code == 200
        await proxy.cut()
        answers = await asyncio.gather(*(http.get(PUBLIC) for _ in range(8)))
        for response in answers:
            assert_unavailable(response)
        health = await http.get("/health")
        assert health.status_code == 503
        assert int(health.headers["retry-after"]) > 0
        await proxy.restore()
        deadline = time.monotonic() + 20
        while (await http.get(PUBLIC)).status_code != 200:
            assert time.monotonic() < deadline, "service did not resume"
            await asyncio.sleep(0.2)
        statuses = {(await http.get(PUBLIC)).status_code for _ in range(8)}
        assert statuses == {200}


async def test_a_sqlite_database_that_cannot_be_opened_is_a_503(tmp_path):
    """A database path that cannot be opened (here a directory, as when a volume is missing)."""
    async with app_client(f"sqlite+aiosqlite:///{tmp_path}") as client:
        assert_unavailable(await client.get(PUBLIC))
        health = await client.get("/health")
        assert health.status_code == 503
        assert int(health.headers["retry-after"]) > 0
