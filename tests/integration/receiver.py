"""A real HTTP webhook receiver on loopback: records each request's exact body and headers and
answers as told (fail the first N requests, hang, answer slowly)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field


@dataclass
class Received:
    path: str
    headers: dict[str, str]  # lower-case names
    body: bytes
    at: float  # time.time() when the body was read
    status: int  # what the receiver answered


@dataclass
class Receiver:
    """``fail_first`` requests get ``fail_status``; until ``released`` is set (it is at start
    unless ``hold()`` was called), requests get no answer; ``delay`` seconds pass before each
    answer."""

    def hold(self) -> None:
        self.released.clear()

    def release(self) -> None:
        self.released.set()

    fail_first: int = 0
    fail_status: int = 503
    delay: float = 0.0
    released: asyncio.Event = field(default_factory=asyncio.Event)
    requests: list[Received] = field(default_factory=list)
    failed: int = 0
    seen: int = 0  # requests whose body was read, answered or not
    port: int = 0
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def successes(self) -> list[Received]:
        return [r for r in self.requests if 200 <= r.status < 300]

    async def wait_for(self, count: int, within: float = 30.0) -> list[Received]:
        """Until at least ``count`` requests arrived (else TimeoutError)."""
        deadline = time.monotonic() + within
        while len(self.requests) < count:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"{len(self.requests)} of {count} requests within {within}s")
            self.arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.arrived.wait(), min(left, 0.5))
        return self.requests

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                lines = head.decode("latin-1").split("\r\n")
                path = lines[0].split(" ")[1]
                headers: dict[str, str] = {}
                for line in lines[1:]:
                    if ":" in line:
                        name, _, value = line.partition(":")
                        headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                self.seen += 1
                read_at = time.time()
                await self.released.wait()
                if self.delay:
                    await asyncio.sleep(self.delay)
                status = 200
                if self.failed < self.fail_first:
                    self.failed += 1
                    status = self.fail_status
                self.requests.append(Received(path, headers, body, read_at, status))
                self.arrived.set()
                writer.write(f"HTTP/1.1 {status} X\r\nContent-Length: 2\r\n\r\nok".encode())
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            return
        finally:
            writer.close()


@contextlib.asynccontextmanager
async def receiver(**options: object) -> AsyncIterator[Receiver]:
    """A ``Receiver`` listening on 127.0.0.1 (a free port) for the block's duration."""
    state = Receiver(**options)  # type: ignore[arg-type]
    state.released.set()
    server = await asyncio.start_server(state._handle, "127.0.0.1", 0)
    state.port = server.sockets[0].getsockname()[1]
    try:
        yield state
    finally:
        server.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(server.wait_closed(), 2)
