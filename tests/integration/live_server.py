"""Real `rendezvous` processes for integration tests: CLI commands, a throwaway PostgreSQL
database, and `rendezvous serve --no-migrate` on a free port, stopped by process group.

Everything is asyncio (the tests run on pytest-asyncio's loop) and every wait is bounded.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
import time
import uuid
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx

BIN = Path(sys.executable).parent
RENDEZVOUS = str(BIN / "rendezvous")
PG_ADMIN_DSN = os.environ.get("RENDEZVOUS_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def free_port() -> int:
    """A port free right now (the kernel picks it); the caller retries if it is taken later."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def base_env(database_url: str, **settings: str) -> dict[str, str]:
    """The environment without any inherited RENDEZVOUS_* setting, plus ``settings``
    (``rate_limit="1000"`` → ``RENDEZVOUS_RATE_LIMIT=1000``)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RENDEZVOUS_")}
    env["RENDEZVOUS_DATABASE_URL"] = database_url
    env.update({f"RENDEZVOUS_{k.upper()}": v for k, v in settings.items()})
    return env


async def cli(env: Mapping[str, str], *args: str, cwd: Path, within: float = 60.0) -> str:
    """Run ``rendezvous ARGS``; return its stdout, or raise with its stderr."""
    process = await asyncio.create_subprocess_exec(
        RENDEZVOUS,
        *args,
        env=dict(env),
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        start_new_session=True,
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), within)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        await process.wait()
        raise RuntimeError(f"rendezvous {' '.join(args)} timed out after {within}s") from None
    if process.returncode != 0:
        raise RuntimeError(
            f"rendezvous {' '.join(args)} exited with {process.returncode}: "
            f"{err.decode(errors='replace').strip()}"
        )
    return out.decode().strip()


# --- PostgreSQL --------------------------------------------------------------------------------


async def pg_problem(dsn: str = PG_ADMIN_DSN) -> str | None:
    """None when PostgreSQL answers at ``dsn``, else why not."""
    try:
        conn = await asyncpg.connect(dsn, timeout=5)
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    await conn.close()
    return None


def sqlalchemy_url(dsn: str, database: str) -> str:
    base = dsn.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    return f"{base}/{database}"


@contextlib.asynccontextmanager
async def throwaway_pg_database(prefix: str = "rendezvous_live") -> AsyncIterator[str]:
    """An empty PostgreSQL database (its SQLAlchemy URL), dropped on exit with its sessions."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(PG_ADMIN_DSN, timeout=10)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield sqlalchemy_url(PG_ADMIN_DSN, name)
        finally:
            await admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name
            )
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    finally:
        await admin.close()


# --- the server --------------------------------------------------------------------------------


@dataclass
class LiveServer:
    """A running `rendezvous serve` (its supervisor leads its own process group)."""

    base_url: str
    env: dict[str, str]
    workdir: Path
    log: Path
    workers: int
    process: asyncio.subprocess.Process | None = field(default=None, repr=False)

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    async def cli(self, *args: str, within: float = 60.0) -> str:
        return await cli(self.env, *args, cwd=self.workdir, within=within)

    async def _wait_ready(self, within: float) -> None:
        """Until /health answers 200 and, with several workers, every worker said it started."""
        assert self.process is not None
        deadline = time.monotonic() + within
        async with httpx.AsyncClient(base_url=self.base_url, timeout=2.0) as http:
            while time.monotonic() < deadline:
                if self.process.returncode is not None:
                    raise RuntimeError(
                        f"server exited with {self.process.returncode}:\n{self.log_tail()}"
                    )
                healthy = False
                with contextlib.suppress(httpx.HTTPError):
                    healthy = (await http.get("/health")).status_code == 200
                started = self.log_tail(10**7).count("Application startup complete")
                if healthy and started >= self.workers:
                    return
                await asyncio.sleep(0.05)
        raise RuntimeError(f"server not ready within {within}s:\n{self.log_tail()}")

    async def stop(self, grace: float = 15.0) -> None:
        """SIGTERM the process group (graceful), then SIGKILL it if it lingers."""
        process, self.process = self.process, None
        if process is None:
            return
        for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 10.0)):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, sig)
            try:
                await asyncio.wait_for(process.wait(), wait)
                break
            except TimeoutError:
                continue
        # Workers may outlive the supervisor for a moment: make sure the group is gone.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)


@contextlib.asynccontextmanager
async def live_server(
    database_url: str,
    workdir: Path,
    *,
    workers: int = 1,
    rate_limit: int = 1_000_000,
    startup_timeout: float = 30.0,
    attempts: int = 3,
    **settings: str,
) -> AsyncIterator[LiveServer]:
    """Serve a migrated database with ``rendezvous serve --no-migrate`` on a free port.

    ``workdir``, an existing directory, is the process's cwd (so no stray ``.env`` is read) and
    holds its log. A start that fails (say the free port was taken meanwhile) is retried
    ``attempts`` times."""
    server: LiveServer | None = None
    for attempt in range(attempts):
        port = free_port()
        env = base_env(
            database_url,
            host="127.0.0.1",
            port=str(port),
            workers=str(workers),
            rate_limit=str(rate_limit),
            log_level="info",
            log_json="false",
            **settings,
        )
        log = workdir / f"server-{port}.log"
        candidate = LiveServer(f"http://127.0.0.1:{port}", env, workdir, log, workers)
        with log.open("wb") as out:
            candidate.process = await asyncio.create_subprocess_exec(
                RENDEZVOUS,
                "serve",
                "--no-migrate",
                env=env,
                cwd=workdir,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=out,
                stderr=asyncio.subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            await candidate._wait_ready(startup_timeout)
        except Exception:
            await candidate.stop()
            if attempt + 1 == attempts:
                raise
            continue
        except BaseException:  # cancelled: leave nothing running
            await candidate.stop()
            raise
        server = candidate
        break
    assert server is not None
    try:
        yield server
    finally:
        await server.stop()
