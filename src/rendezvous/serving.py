"""Running uvicorn with several worker processes, each on its own SO_REUSEPORT socket.

uvicorn's own multi-process mode binds one socket in the supervisor and lets every worker accept
from it. Workers then race for new connections and one of them, being awake, takes a burst of
them: in ``bench/bookings.py`` all 20 keep-alive connections landed on one of two workers, which
ran at 100 % CPU while the other idled. With a socket per worker bound with ``SO_REUSEPORT``,
the kernel spreads connections over the workers by a hash of their addresses.

uvicorn's supervisor (restarts, health checks, signal handling) is kept; only what each worker
listens on changes. Platforms without ``SO_REUSEPORT`` keep uvicorn's shared socket.
"""

from __future__ import annotations

import logging
import socket
import uuid
from http import HTTPStatus
from typing import Any

import orjson
import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.supervisors import multiprocess

from rendezvous.api.errors import error_body
from rendezvous.api.middleware import MAX_URL_BYTES, shown_path
from rendezvous.config import ConfigError

# httptools keeps URL offsets in 16 bits: a longer request target fails to parse at all.
PARSER_MAX_URL = 65_535


class EnvelopeHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol whose own refusals — requests it cannot parse, which never
    reach the app — are sent in the Cal.com error envelope with an X-Request-Id, as the app's
    are: a 414 for a request target too long to parse, else a 400."""

    def send_400_response(self, msg: str) -> None:
        url: bytes = getattr(self, "url", b"")
        if len(url) > PARSER_MAX_URL:
            status = 414
            message = f"The request URL is longer than {MAX_URL_BYTES} bytes"
        else:
            status, message = 400, msg
        path = shown_path(url.split(b"?", 1)[0].decode("latin-1"))
        body = orjson.dumps(error_body(status, message, path))
        head = [
            f"HTTP/1.1 {status} {HTTPStatus(status).phrase}".encode(),
            *(name + b": " + value for name, value in self.server_state.default_headers),
            b"content-type: application/json",
            b"content-length: " + str(len(body)).encode(),
            b"x-request-id: " + uuid.uuid4().hex.encode(),
            b"connection: close",
        ]
        self.transport.write(b"\r\n".join(head) + b"\r\n\r\n" + body)
        self.transport.close()


def reuse_port_supported() -> bool:
    return hasattr(socket, "SO_REUSEPORT")


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def check_port_free(host: str, port: int) -> None:
    """Fail as a plain bind would when something already listens on the port.

    A bind without ``SO_REUSEPORT`` fails if any socket holds the address, with or without the
    option, so a second server on the same port is refused instead of silently sharing it.
    """
    with socket.socket(_family(host), socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))


def bind_reuse_port(host: str, port: int) -> socket.socket:
    sock = socket.socket(_family(host), socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


class _OwnSocketServer(uvicorn.Server):
    def run(self, sockets: list[socket.socket] | None = None) -> None:
        super().run(sockets=[bind_reuse_port(self.config.host, self.config.port)])


class _OwnSocketProcess(multiprocess.Process):
    @property
    def server(self) -> uvicorn.Server:
        if self._server is None:
            self._server = _OwnSocketServer(config=self.config)
        return self._server


def run_workers(app: str, *, workers: int, host: str, port: int, **options: Any) -> None:
    """Serve ``app`` (an import string) from ``workers`` processes."""
    if workers == 1 or not reuse_port_supported():
        uvicorn.run(app, workers=workers, host=host, port=port, **options)
        return
    config = uvicorn.Config(app, workers=workers, host=host, port=port, **options)
    try:
        check_port_free(host, port)
    except OSError as exc:
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    # The supervisor creates its workers through this module-level name; the workers it starts,
    # restarts or adds (SIGTTIN) then each bind their own socket. No socket is bound here.
    multiprocess.Process = _OwnSocketProcess  # type: ignore[misc]
    log = logging.getLogger("uvicorn.error")
    log.info("Listening on http://%s:%d with %d workers", host, port, workers)
    multiprocess.Multiprocess(config, sockets=[]).run()
