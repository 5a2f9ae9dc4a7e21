"""Pure ASGI middleware: request ids, access logs, last-resort 500s, and rate limiting."""

from __future__ import annotations

import hashlib
import logging
import math
import re
import time
import uuid
from urllib.parse import parse_qsl

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import FixedWindowRateLimiter
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rendezvous.api.errors import error_response, request_path
from rendezvous.db.engine import database_unreachable

access_log = logging.getLogger("rendezvous.access")
error_log = logging.getLogger("rendezvous.api")

# The longest request target (path and query, in bytes as sent) served; a longer one is a 414.
# uvicorn's httptools parser cannot take more than 65,535 bytes at all (serving.py answers those);
# 16 KiB is what common proxies pass (nginx's default header buffers hold 8 KiB lines).
MAX_URL_BYTES = 16 * 1024

# Seconds a client is asked to wait (Retry-After) when the database cannot be reached.
RETRY_AFTER = 5

_REQUEST_ID = re.compile(r"[A-Za-z0-9._:\-]{1,128}")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _nul_in_url(scope: Scope) -> str | None:
    """The path or the query parameter holding a NUL character, if any (PostgreSQL cannot
    compare text with NUL in it: such a request is a 400 on every engine)."""
    if "\x00" in scope["path"]:
        return "path"
    query: bytes = scope.get("query_string", b"")
    if b"%00" not in query and b"\x00" not in query:
        return None
    for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
        if "\x00" in name or "\x00" in value:
            return name.replace("\x00", "") or "query"
    return None


def shown_path(path: str) -> str:
    """A path short enough to echo in an error body."""
    return path if len(path) <= 200 else path[:200] + "…"


def url_too_long(path: str) -> Response:
    return error_response(
        414, f"The request URL is longer than {MAX_URL_BYTES} bytes", shown_path(path)
    )


class RequestContext:
    """Outermost layer: every response carries X-Request-Id; an unhandled exception becomes a
    500 envelope (logged with the request id, nothing internal sent); one access-log line per
    request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = _header(scope, b"x-request-id")
        request_id = given if given and _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_wrapper(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message["headers"] = headers
            await send(message)

        try:
            refusal = _refused_url(scope)
            if refusal is not None:
                await refusal(scope, receive, send_wrapper)  # send_wrapper adds X-Request-Id
                return
            await self.app(scope, receive, send_wrapper)
        except Exception as exc:
            response = _failure(exc, scope, request_id)
            if not response_started:
                status = response.status_code
                await response(scope, receive, send)
        finally:
            access_log.info(
                "%s %s %s",
                scope["method"],
                scope["path"],
                status,
                extra={
                    "request_id": request_id,
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    "client": (scope.get("client") or ("-",))[0],
                },
            )


def _refused_url(scope: Scope) -> Response | None:
    """The answer to a URL refused before routing: too long (414), or a NUL in it (400)."""
    target = len(scope.get("raw_path") or scope["path"].encode()) + len(
        scope.get("query_string", b"")
    )
    if target > MAX_URL_BYTES:
        return url_too_long(scope["path"])
    nul = _nul_in_url(scope)
    if nul is not None:
        return error_response(
            400,
            f"{nul}: text may not contain the NUL character (%00)",
            request_path(scope["path"], b""),
        )
    return None


def _failure(exc: Exception, scope: Scope, request_id: str) -> Response:
    """The answer to an exception no handler took: 503 when the database cannot be reached,
    else 500; both logged."""
    path = request_path(scope["path"], scope.get("query_string", b""))
    if database_unreachable(exc):
        # Not a fault of the request or the code: the caller may retry (issue 9 item 13).
        error_log.warning(
            "database unreachable: %s", type(exc).__name__, extra={"request_id": request_id}
        )
        return error_response(
            503,
            "The database cannot be reached right now. Please try again later.",
            path,
            headers={"x-request-id": request_id, "retry-after": str(RETRY_AFTER)},
        )
    error_log.exception("unhandled error", extra={"request_id": request_id})
    return error_response(500, "Internal server error", path, headers={"x-request-id": request_id})


def make_storage(redis_url: str | None) -> Storage:
    if redis_url:
        # limits names its asyncio Redis backend with an "async+" scheme prefix.
        uri = redis_url if redis_url.startswith("async+") else "async+" + redis_url
        return RedisStorage(uri, implementation="redispy")
    return MemoryStorage()


def client_address(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


class RateLimit:
    """Fixed-window limit per API key (its digest, never the key) or, when anonymous, per client IP.

    Sends Cal.com's X-RateLimit-*-Default headers on every /v2 response, and Retry-After on 429
    (Cal.com compat: Retry-After is Rendezvous's addition, contract §0 item 5).

    Failed authentications (401s to requests that sent credentials) also count against the
    client address, in a budget of their own (``auth_failure_limit`` per window): once it is
    spent, requests from that address that carry credentials are refused with a 429 before any
    key is looked up. Otherwise every
    distinct invalid key would get a fresh per-key budget, and a flood of made-up keys (a
    database lookup each) would never be throttled."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        limit: int,
        window: int,
        storage: Storage,
        auth_failure_limit: int = 20,
    ) -> None:
        self.app = app
        self.item: RateLimitItem = parse(f"{limit} per {window} second")
        self.failures: RateLimitItem = parse(f"{auth_failure_limit} per {window} second")
        self.limit = limit
        self.storage = storage
        self.limiter = FixedWindowRateLimiter(storage)

    def _tracker(self, scope: Scope) -> str:
        auth = _header(scope, b"authorization") or ""
        scheme, _, token = auth.partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            return "key:" + hashlib.sha256(token.strip().encode()).hexdigest()[:40]
        return "ip:" + client_address(scope)

    async def _refuse(
        self, scope: Scope, receive: Receive, send: Send, message: str, headers: dict[str, str]
    ) -> None:
        response = error_response(
            429,
            message,
            request_path(scope["path"], scope.get("query_string", b"")),
            details=message,
            headers=headers,
        )
        await response(scope, receive, send)

    async def _failures_spent(self, address: str) -> int | None:
        """Seconds until this address may try credentials again, or None if it may now."""
        if await self.limiter.test(self.failures, "rendezvous-auth-failures", address):
            return None
        stats = await self.limiter.get_window_stats(
            self.failures, "rendezvous-auth-failures", address
        )
        return max(1, math.ceil(stats.reset_time - time.time()))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/v2"):
            await self.app(scope, receive, send)
            return
        tracker = self._tracker(scope)
        address = client_address(scope)
        credentials = _header(scope, b"authorization") is not None
        try:
            wait = await self._failures_spent(address) if credentials else None
            allowed = await self.limiter.hit(self.item, "rendezvous", tracker)
            stats = await self.limiter.get_window_stats(self.item, "rendezvous", tracker)
        except Exception:  # the limiter's store is down: serve rather than fail every request
            error_log.exception("rate limiter unavailable")
            await self.app(scope, receive, send)
            return
        if wait is not None:
            await self._refuse(
                scope,
                receive,
                send,
                "Too many failed authentications from this address. Please try again later.",
                {"retry-after": str(wait)},
            )
            return
        reset = max(0, math.ceil(stats.reset_time - time.time()))
        headers = [
            (b"x-ratelimit-limit-default", str(self.limit).encode()),
            (b"x-ratelimit-remaining-default", str(max(0, stats.remaining)).encode()),
            (b"x-ratelimit-reset-default", str(reset).encode()),
        ]
        if not allowed:
            await self._refuse(
                scope,
                receive,
                send,
                "CustomThrottlerGuard - Too many requests. Please try again later.",
                {k.decode(): v.decode() for k, v in headers} | {"retry-after": str(reset)},
            )
            return
        status = 0

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = list(message.get("headers", [])) + headers
            await send(message)

        await self.app(scope, receive, send_wrapper)
        # Only a credential that was tried and refused counts: a request without one (a browser
        # opening an authenticated route) looked nothing up, and must not lock out the keys of
        # everyone behind the same address.
        if status == 401 and credentials:
            try:
                await self.limiter.hit(self.failures, "rendezvous-auth-failures", address)
            except Exception:
                error_log.exception("rate limiter unavailable")
