"""Request-body size limit: 413 in the error envelope before anything parses the body."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rendezvous.api.errors import error_response, request_path


class BodyLimit:
    """Refuses a request body over ``max_bytes`` with 413 ``PayloadTooLargeException``.

    A declared ``Content-Length`` over the limit is refused at once, unread. Otherwise (chunked
    bodies, or a Content-Length that understates the body) the body is read here, at most
    ``max_bytes`` + one chunk of it, and handed on whole to the app; past the limit the reading
    stops and the 413 is sent. Setting: ``RENDEZVOUS_MAX_BODY_BYTES``."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        message = f"Request body is larger than the limit of {self.max_bytes} bytes"
        response = error_response(
            413,
            message,
            request_path(scope["path"], scope.get("query_string", b"")),
            headers={"connection": "close"},
        )
        await response(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = None
        for key, value in scope.get("headers", ()):
            if key == b"content-length":
                declared = value
                break
        if declared is not None:
            try:
                length = int(declared)
            except ValueError:
                length = -1
            if length > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
            if length == 0:
                await self.app(scope, receive, send)
                return

        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                await self.app(scope, _replay([], message, receive), send)
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        first: Message = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        await self.app(scope, _replay([first], None, receive), send)


def _replay(messages: list[Message], last: Message | None, receive: Receive) -> Receive:
    """A receive that gives ``messages`` (then ``last``, if any) and then defers to ``receive``
    (which reports the disconnect when the client goes)."""
    pending = [*messages, *([last] if last is not None else [])]

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay
