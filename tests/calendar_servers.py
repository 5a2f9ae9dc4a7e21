"""Real calendar providers on loopback for the calendar tests: a Radicale CalDAV server (a
separate process, no authentication, its storage in a temporary folder) and a small ICS feed
server (a thread) whose answers a test can change, break or stall."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from rendezvous.integrations.calendars.providers import Account


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_listening(port: int, process: subprocess.Popen[bytes], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"radicale exited with {process.returncode}")
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError("radicale did not start listening")


@dataclass
class Radicale:
    url: str
    process: subprocess.Popen[bytes]

    def account(self, user: str) -> Account:
        return Account(self.url, user, "any-password")

    def make_calendar(self, user: str, cal_id: str, name: str) -> str:
        """Create a calendar collection for ``user``; its URL (the Cal.com externalId)."""
        client = _client(self, user)
        calendar = client.principal().make_calendar(name=name, cal_id=cal_id)
        return str(calendar.url)

    def put(self, user: str, calendar_url: str, ics: str) -> None:
        _client(self, user).calendar(url=calendar_url).save_event(ics)

    def uids(self, user: str, calendar_url: str) -> list[str]:
        found = []
        for obj in _client(self, user).calendar(url=calendar_url).events():
            for component in obj.icalendar_instance.walk("VEVENT"):
                found.append(str(component["UID"]))
        return sorted(set(found))

    def event(self, user: str, calendar_url: str, uid: str) -> str:
        """The event's iCalendar text, lines unfolded (RFC 5545 §3.1)."""
        data = str(_client(self, user).calendar(url=calendar_url).event_by_uid(uid).data)
        return data.replace("\r\n", "\n").replace("\n ", "")


def _client(server: Radicale, user: str):  # type: ignore[no-untyped-def]
    from caldav.davclient import DAVClient

    return DAVClient(
        url=server.url,
        username=user,
        password="any-password",
        timeout=10,
    )


@pytest.fixture(scope="session")
def radicale(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Radicale]:
    """A Radicale server on a free loopback port (auth type none: any user and password)."""
    storage: Path = tmp_path_factory.mktemp("radicale")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("RADICALE")}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "radicale",
            "--config",
            "",
            "--server-hosts",
            f"127.0.0.1:{port}",
            "--storage-filesystem-folder",
            str(storage / "collections"),
            "--auth-type",
            "none",
            "--logging-level",
            "warning",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    try:
        _wait_listening(port, process)
        yield Radicale(f"http://127.0.0.1:{port}/", process)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class FeedServer:
    """Serves ``feeds[path]`` as text/calendar; ``mode`` "ok", "down" (503), "stall" (answers
    nothing until the test ends) or "hold" (answers the feed once ``release`` is set).
    ``hits`` counts requests."""

    url: str
    feeds: dict[str, str] = field(default_factory=dict)
    mode: str = "ok"
    hits: int = 0
    release: threading.Event = field(default_factory=threading.Event)
    redirects: dict[str, str] = field(default_factory=dict)  # path → Location (a 302)
    gzipped: dict[str, bytes] = field(default_factory=dict)  # path → gzip body


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    state = FeedServer(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.hits += 1
            if state.mode == "stall":
                state.release.wait(30)
                return
            if state.mode == "hold":
                state.release.wait(30)
            if self.path in state.redirects:
                self.send_response(302)
                self.send_header("Location", state.redirects[self.path])
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if self.path in state.gzipped:
                data = state.gzipped[self.path]
                self.send_response(200)
                self.send_header("Content-Type", "text/calendar")
                self.send_header("Content-Encoding", "gzip")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return
            body = state.feeds.get(self.path.split("?", 1)[0])  # a query tells URLs apart
            if state.mode == "down" or body is None:
                self.send_response(503 if state.mode == "down" else 404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            data = body.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/calendar")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.release.set()
        server.shutdown()
        server.server_close()


def vcalendar(*events: str, extra: str = "") -> str:
    """A VCALENDAR around ``events`` (each the inside of a VEVENT)."""
    body = "".join(
        f"BEGIN:VEVENT\r\nDTSTAMP:20300101T000000Z\r\n{e.strip()}\r\nEND:VEVENT\r\n" for e in events
    )
    text = (
        f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//tests//EN\r\n{extra}{body}END:VCALENDAR\r\n"
    )
    return text.replace("\r\n", "\n").replace("\n", "\r\n")
