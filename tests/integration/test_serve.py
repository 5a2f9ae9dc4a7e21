"""`rendezvous serve` with several workers: every worker takes connections, and a taken port is
refused in one line instead of being shared."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import httpx
import pytest

from tests.integration.live_server import RENDEZVOUS, base_env, cli, live_server

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc"),
]


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children = (task / "children").read_text().split()
        found += [int(child) for child in children]
    return found


def _established_to(port: int, pid: int) -> int:
    """How many established TCP connections to ``port`` the process ``pid`` holds."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            if local_port == port and fields[3] == "01":  # 01: ESTABLISHED
                inodes.add(fields[9])
    held = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = fd.readlink().as_posix()
        except OSError:
            continue
        if target.startswith("socket:[") and target[8:-1] in inodes:
            held += 1
    return held


async def test_two_workers_each_take_connections_and_a_taken_port_is_refused(
    tmp_path: Path,
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'serve.db'}"
    await cli(base_env(url), "migrate", cwd=tmp_path)
    async with live_server(url, tmp_path, workers=2) as server:
        assert server.process is not None
        port = int(server.base_url.rsplit(":", 1)[1])
        clients = [httpx.AsyncClient(base_url=server.base_url, timeout=10) for _ in range(20)]
        try:
            # Twenty keep-alive connections, opened at once as a load generator would.
            responses = await asyncio.gather(*(c.get("/health") for c in clients))
            assert all(r.status_code == 200 for r in responses)
            # The supervisor's children: two workers (and multiprocessing's resource tracker).
            held = {pid: _established_to(port, pid) for pid in _children(server.process.pid)}
            assert sum(held.values()) == 20, held
            # With one shared socket a single worker could take all twenty; the kernel's
            # per-worker sockets spread them (all on one worker: chance 2 in 2**20).
            assert len([pid for pid, count in held.items() if count]) == 2, held
        finally:
            await asyncio.gather(*(c.aclose() for c in clients))

        env = dict(server.env)
        second = await asyncio.create_subprocess_exec(
            RENDEZVOUS,
            "serve",
            "--no-migrate",
            env=env,
            cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        _, err = await asyncio.wait_for(second.communicate(), 30)
        assert second.returncode == 2
        assert err.decode().strip().startswith(f"rendezvous: cannot listen on 127.0.0.1:{port}")
        assert len(err.decode().strip().splitlines()) == 1
        # The first server still answers.
        async with httpx.AsyncClient(base_url=server.base_url, timeout=10) as http:
            assert (await http.get("/health")).status_code == 200
