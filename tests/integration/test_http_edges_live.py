"""What a real `rendezvous serve` answers to requests at the HTTP edge, including those its HTTP
parser refuses before the app sees them: always the error envelope with an X-Request-Id."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import pytest

from rendezvous.api.middleware import MAX_URL_BYTES
from tests.integration.live_server import base_env, cli, live_server

pytestmark = pytest.mark.slow


async def raw_request(base_url: str, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send ``request`` as is on a fresh connection; the status, headers and body answered."""
    host, port = base_url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        writer.write(request)
        await writer.drain()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if line:
                name, _, value = line.partition(":")
                assert name.lower() not in headers, f"{name} sent twice"
                headers[name.lower()] = value.strip()
        body = await asyncio.wait_for(reader.readexactly(int(headers["content-length"])), 10)
        return status, headers, body
    finally:
        writer.close()


def get(target: bytes) -> bytes:
    return b"GET " + target + b" HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n"


@pytest.fixture(scope="module")
async def server(tmp_path_factory: pytest.TempPathFactory):
    workdir: Path = tmp_path_factory.mktemp("edges")
    url = f"sqlite+aiosqlite:///{workdir / 'edges.db'}"
    await cli(base_env(url), "migrate", cwd=workdir)
    async with live_server(url, workdir) as running:
        yield running


@pytest.mark.parametrize("length", [MAX_URL_BYTES + 1, 70_000, 300_000])
async def test_a_url_too_long_is_a_414_envelope_with_a_request_id(server, length):
    query = b"?username=" + b"a" * length
    status, headers, body = await raw_request(server.base_url, get(b"/v2/event-types" + query))
    assert status == 414
    assert headers["content-type"] == "application/json"
    assert headers["x-request-id"]
    answer = json.loads(body)
    assert answer["error"]["code"] == "UriTooLongException"
    assert answer["path"] == "/v2/event-types"


async def test_a_long_url_within_the_limit_is_served(server):
    query = b"?username=" + b"a" * (MAX_URL_BYTES - 200)
    status, headers, _ = await raw_request(server.base_url, get(b"/v2/event-types" + query))
    assert status == 200
    assert headers["x-request-id"]


async def test_a_request_the_parser_cannot_read_is_a_400_envelope(server):
    status, headers, body = await raw_request(server.base_url, b"NOT HTTP AT ALL\r\n\r\n")
    assert status == 400
    assert headers["x-request-id"]
    assert json.loads(body)["error"]["code"] == "BadRequestException"


async def test_options_lists_every_method_of_the_path(server):
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        response = await http.options("/v2/bookings")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    assert response.json()["error"]["code"] == "MethodNotAllowedException"
