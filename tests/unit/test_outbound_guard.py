"""The outbound guard: which targets are refused, at save time and at connect time.

No test here sends traffic beyond loopback: refusals are decided before any connection."""

from __future__ import annotations

import ipaddress

import httpx
import pytest

from rendezvous.integrations.outbound import (
    OutboundRefused,
    check_url,
    guarded_client,
    local_answer,
    refusal,
    resolve,
)

ALWAYS = ["169.254.169.254", "fd00:ec2::254", "100.100.100.200", "0.0.0.0", "::", "224.0.0.1"]
PRIVATE = [
    "127.0.0.1",
    "127.8.9.10",
    "::1",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.1.1",
    "fe80::1",
    "fc00::1",
    "100.64.0.1",
    "100.127.255.254",
    "::ffff:10.0.0.1",
    "::ffff:127.0.0.1",
    "192.0.2.1",
]
PUBLIC = ["93.184.215.14", "1.1.1.1", "2606:4700:4700::1111", "100.128.0.1"]


@pytest.mark.parametrize("address", ALWAYS)
def test_metadata_unspecified_and_multicast_are_always_refused(address: str) -> None:
    ip = ipaddress.ip_address(address)
    assert refusal(ip, allow_private=True) is not None
    assert refusal(ip, allow_private=False) is not None


@pytest.mark.parametrize("address", PRIVATE)
def test_private_addresses_are_refused_unless_allowed(address: str) -> None:
    ip = ipaddress.ip_address(address)
    why = refusal(ip, allow_private=False)
    assert why is not None and "RENDEZVOUS_ALLOW_PRIVATE_NETWORKS" in why
    assert refusal(ip, allow_private=True) is None


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_pass(address: str) -> None:
    assert refusal(ipaddress.ip_address(address), allow_private=False) is None


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/hook",
        "http://localhost/hook",
        "https://[::1]/x",
        "http://10.0.0.7/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/",
    ],
)
async def test_check_url_refuses_private_targets_without_the_setting(url: str) -> None:
    with pytest.raises(OutboundRefused):
        await check_url(url, allow_private=False)


@pytest.mark.parametrize("url", ["ftp://example.com/x", "file:///etc/passwd", "http:///x", "x"])
async def test_check_url_wants_http_or_https_with_a_host(url: str) -> None:
    with pytest.raises(OutboundRefused):
        await check_url(url, allow_private=True)


async def test_check_url_allows_loopback_with_the_setting_but_never_metadata() -> None:
    assert await check_url("http://127.0.0.1:9/h", allow_private=True) == "http://127.0.0.1:9/h"
    with pytest.raises(OutboundRefused, match="metadata"):
        await check_url("http://169.254.169.254/", allow_private=True)


async def test_the_guarded_client_refuses_at_connect_time_before_any_traffic() -> None:
    """A name that resolves to loopback (``localhost``, as a rebinding name would) is refused
    when connecting; the listening server below must see no connection."""
    import asyncio

    connections = 0

    async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        writer.close()

    server = await asyncio.start_server(on_connect, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        async with guarded_client(allow_private=False) as client:
            for url in (f"http://localhost:{port}/", f"http://127.0.0.1:{port}/"):
                with pytest.raises(httpx.ConnectError, match="refused"):
                    await client.get(url)
        async with guarded_client(allow_private=True) as client:
            with pytest.raises(httpx.RemoteProtocolError):
                await client.get(f"http://127.0.0.1:{port}/")
    assert connections == 1  # only the allowed one


async def test_the_guarded_client_does_not_follow_redirects() -> None:
    import asyncio

    async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(
            b"HTTP/1.1 302 Found\r\nLocation: http://169.254.169.254/\r\nContent-Length: 0\r\n\r\n"
        )
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(on_connect, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server, guarded_client(allow_private=True) as client:
        response = await client.get(f"http://127.0.0.1:{port}/")
    assert response.status_code == 302


# Every spelling of a refused address, in URL form. None of them may be accepted, and none
# needs a DNS server to be judged (each is answered locally; see test_answered_locally).
DISGUISED = [
    "http://2130706433/",  # decimal IPv4
    "http://0x7f.1/",  # hex + short form
    "http://127.1/",  # short form
    "http://0177.0.0.1/",  # octal
    "http://0x7f000001/",
    "http://[::ffff:127.0.0.1]/",  # IPv4-mapped
    "http://[::ffff:7f00:1]/",
    "http://[::127.0.0.1]/",  # IPv4-compatible (deprecated)
    "http://[64:ff9b::127.0.0.1]/",  # NAT64
    "http://[2002:7f00:1::]/",  # 6to4 of 127.0.0.1
    "http://[::]/",
    "http://0.0.0.0/",
    "http://0/",
    "http://x@127.0.0.1/",  # userinfo
    "http://127.0.0.1./",  # trailing dot
    "http://169.254.169.254./",
    "http://0xa9fea9fe/",  # metadata, hex
    "http://[::ffff:169.254.169.254]/",
    "HTTP://127.0.0.1/",  # upper-case scheme
    "http://LOCALHOST./",
    "http://foo.localhost/",  # RFC 6761: *.localhost is loopback
    "http://①②⑦.0.0.1/",  # IDNA-normalises to 127.0.0.1
    "http://[fe80::1%25eth0]/",
    "http://127.0.0.1:65535/",
]


@pytest.mark.parametrize("url", DISGUISED)
@pytest.mark.parametrize("resolve_names", [True, False])
async def test_disguised_private_targets_are_refused_when_saved(
    url: str, resolve_names: bool
) -> None:
    with pytest.raises(OutboundRefused, match="refused"):
        await check_url(url, allow_private=False, resolve_names=resolve_names)


@pytest.mark.parametrize(
    "host",
    [
        "2130706433",
        "0x7f.1",
        "127.0.0.1.",
        "LOCALHOST.",
        "a.b.localhost",
        "①②⑦.0.0.1",
        "made-up.invalid",
        "x" * 64 + ".com",  # a label longer than 63: not a DNS name
        "a..b",
        "-bad-.com",
        "sp ace.com",
        "a" * 250 + ".com",
    ],
)
def test_answered_locally(host: str) -> None:
    """These hosts never reach the resolver, whatever the setting."""
    assert local_answer(host) is not None


async def test_without_name_resolution_no_name_is_looked_up() -> None:
    """``resolve_names=False`` (the test suite's setting): a made-up name resolves to nothing
    without a lookup, is accepted when saved, and refused when connecting."""
    assert local_answer("hooks.made-up-name-7f3a.com") is None  # would need a lookup
    assert await resolve("hooks.made-up-name-7f3a.com", 443, resolve_names=False) == []
    url = "https://hooks.made-up-name-7f3a.com/cal"
    assert await check_url(url, allow_private=False, resolve_names=False) == url
    async with guarded_client(allow_private=True, resolve_names=False) as client:
        with pytest.raises(httpx.ConnectError, match="not resolved"):
            await client.get(url)


async def test_disguised_loopback_is_refused_at_connect_time_without_traffic() -> None:
    import asyncio

    connections = 0

    async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        writer.close()

    server = await asyncio.start_server(on_connect, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        async with guarded_client(allow_private=False, resolve_names=False) as client:
            for host in ("2130706433", "127.1", "0x7f.1", "[::ffff:127.0.0.1]", "a.localhost"):
                with pytest.raises(httpx.ConnectError, match="refused"):
                    await client.get(f"http://{host}:{port}/")
        async with guarded_client(allow_private=True, resolve_names=False) as client:
            with pytest.raises(httpx.RemoteProtocolError):  # allowed: it connects
                await client.get(f"http://a.localhost:{port}/")
    assert connections == 1
