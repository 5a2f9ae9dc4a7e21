"""Helpers for HTTP benchmarks: a real `rendezvous serve` process on a free port, backed by a
throwaway SQLite database (or, with ``PgServer``, a throwaway PostgreSQL one), seeded through the
CLI and the repositories, then stopped."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

BIN = Path(sys.executable).parent
RENDEZVOUS = str(BIN / "rendezvous")
PG_ADMIN_DSN = os.environ.get("RENDEZVOUS_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """``with Server() as server:`` migrates a temp database, then ``start()`` serves it.

    Seeding happens between the two (``create_user``, ``create_key``, ``seed``), so the server
    process never shares the database with a writer while it is being measured."""

    def __init__(self, *, rate_limit: int = 100_000_000, extra_env: dict[str, str] | None = None):
        self.dir = Path(tempfile.mkdtemp(prefix="rendezvous-bench-"))
        self.database_url = f"sqlite+aiosqlite:///{self.dir / 'bench.db'}"
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.env = {
            key: value for key, value in os.environ.items() if not key.startswith("RENDEZVOUS_")
        } | {
            "RENDEZVOUS_DATABASE_URL": self.database_url,
            "RENDEZVOUS_HOST": "127.0.0.1",
            "RENDEZVOUS_PORT": str(self.port),
            "RENDEZVOUS_WORKERS": "1",
            "RENDEZVOUS_RATE_LIMIT": str(rate_limit),
            "RENDEZVOUS_LOG_LEVEL": "warning",
        }
        self.env.update(extra_env or {})
        self.log = self.dir / "server.log"
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Self:
        self.cli("migrate")
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def cli(self, *args: str) -> str:
        """Run ``rendezvous ARGS`` against this database (cwd is the temp dir: no stray .env)."""
        done = subprocess.run(
            [RENDEZVOUS, *args],
            env=self.env,
            cwd=self.dir,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"rendezvous {' '.join(args)} failed: {done.stderr.strip()}")
        return done.stdout.strip()

    def create_user(self, email: str, username: str, time_zone: str = "UTC") -> None:
        self.cli(
            "users", "create", "--email", email, "--username", username, "--time-zone", time_zone
        )

    def create_key(self, email: str) -> str:
        return self.cli("keys", "create", "--user", email)

    def seed(self, work: Any) -> Any:
        """Run ``await work(uow)`` in one write transaction on this database, and commit."""
        from rendezvous.db.engine import create_engine, session_factory
        from rendezvous.db.uow import UnitOfWork

        async def go() -> Any:
            engine = create_engine(self.database_url)
            try:
                async with UnitOfWork(session_factory(engine), write=True) as uow:
                    result = await work(uow)
                    await uow.commit()
                    return result
            finally:
                await engine.dispose()

        return asyncio.run(go())

    def start(self, command: Sequence[str] | None = None, timeout: float = 30.0) -> None:
        """Start ``rendezvous serve --no-migrate`` (or ``command``) and wait for /health."""
        argv = list(command) if command else [RENDEZVOUS, "serve", "--no-migrate"]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                argv, env=self.env, cwd=self.dir, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                err = self.log.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"server exited with {self.process.returncode}: {err}")
            try:
                if httpx.get(self.base_url + "/health", timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"server did not become healthy within {timeout}s")

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server process so far (every thread)."""
        assert self.process is not None
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# --- PostgreSQL ----------------------------------------------------------------------------------


def _pg_url(database: str) -> str:
    base = PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    return f"{base}/{database}"


async def _pg_admin(*statements: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_DSN, timeout=5)
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


@contextlib.contextmanager
def pg_database() -> Iterator[str]:
    """A throwaway PostgreSQL database (its SQLAlchemy URL), dropped on exit."""
    name = f"rendezvous_bench_{uuid.uuid4().hex[:12]}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    try:
        yield _pg_url(name)
    finally:
        asyncio.run(
            _pg_admin(
                f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'",
                f'DROP DATABASE IF EXISTS "{name}"',
            )
        )


def pg_problem() -> str | None:
    try:
        asyncio.run(_pg_admin("SELECT 1"))
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


class PgServer(Server):
    """bench/_server.Server over a PostgreSQL database, with several worker processes."""

    def __init__(self, database_url: str, *, workers: int) -> None:
        super().__init__(
            extra_env={"RENDEZVOUS_DATABASE_URL": database_url, "RENDEZVOUS_WORKERS": str(workers)}
        )
        self.database_url = database_url
