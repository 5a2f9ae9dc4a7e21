"""The one place where failures become HTTP: the Cal.com error envelope and the status table."""

from __future__ import annotations

import logging
import math
from datetime import UTC, datetime
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import Match

from rendezvous.domain import errors as de

log = logging.getLogger("rendezvous.api")

CODES = {
    400: ("BadRequestException", "Bad Request"),
    401: ("UnauthorizedException", "Unauthorized"),
    403: ("ForbiddenException", "Forbidden"),
    404: ("NotFoundException", "Not Found"),
    405: ("MethodNotAllowedException", "Method Not Allowed"),
    409: ("ConflictException", "Conflict"),
    413: ("PayloadTooLargeException", "Payload Too Large"),
    414: ("UriTooLongException", "URI Too Long"),
    422: ("UnprocessableEntityException", "Unprocessable Entity"),
    429: ("ThrottlerException", "Too Many Requests"),
    500: ("InternalServerErrorException", "Internal Server Error"),
    503: ("ServiceUnavailableException", "Service Unavailable"),
}

# Domain error class → HTTP status. Most specific class first.
DOMAIN_STATUS: list[tuple[type[de.DomainError], int]] = [
    (de.NotFound, 404),
    (de.InvalidInput, 400),
    (de.Forbidden, 403),
    (de.Conflict, 409),
    (de.RuleViolation, 422),
]


class ApiError(Exception):
    """An HTTP-level refusal raised by routers and dependencies (auth, query parsing)."""

    def __init__(
        self, status: int, message: str, details: Any = None, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details
        self.headers = headers or {}


def request_path(scope_path: str, query: bytes | str) -> str:
    query = query.decode("latin-1") if isinstance(query, bytes) else query
    return f"{scope_path}?{query}" if query else scope_path


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def error_body(status: int, message: str, path: str, details: Any = None) -> dict[str, Any]:
    code, reason = CODES.get(status, ("HttpException", "Error"))
    if details is None:
        details = {"message": message, "error": reason, "statusCode": status}
    return {
        "status": "error",
        # Cal.com compat: the top-level "message" is Rendezvous's addition (contract §0 item 3).
        "message": message,
        "timestamp": now_iso(),
        "path": path,
        "error": {"code": code, "message": message, "details": details},
    }


def _printable(value: Any) -> Any:
    """``value`` with every string made valid Unicode (a lone surrogate becomes "?")."""
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, dict):
        return {_printable(k): _printable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_printable(v) for v in value]
    return value


def _dumps(body: dict[str, Any]) -> bytes:
    try:
        return orjson.dumps(body)
    except orjson.JSONEncodeError:
        # An echoed input held text that is not Unicode (JSON's "\ud800"): the refusal must
        # still be sent, so the offending characters are replaced rather than failing with a 500.
        return orjson.dumps(_printable(body))


def error_response(
    status: int,
    message: str,
    path: str,
    details: Any = None,
    headers: dict[str, str] | None = None,
) -> Response:
    return Response(
        _dumps(error_body(status, message, path, details)),
        status_code=status,
        media_type="application/json",
        headers=headers,
    )


def _path(request: Request) -> str:
    return request_path(request.url.path, request.url.query)


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:]
    # Discriminated unions add the tag (e.g. "integration") as a path step: keep the field path.
    return ".".join(parts) or "body"


_NOT_ECHOED = object()


def _echoable(value: Any) -> Any:
    """The rejected value, if it is a small JSON scalar (never an int beyond 64 bits, a
    non-finite float, or a long string)."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value if -(2**63) <= value < 2**63 else str(value)[:40]
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, str):
        return value if len(value) <= 200 else value[:200] + "…"
    return _NOT_ECHOED


def validation_details(exc: RequestValidationError) -> tuple[str, dict[str, Any]]:
    errors = []
    for err in exc.errors():
        loc = tuple(err.get("loc", ()))
        if err.get("type") == "json_invalid":
            return "Malformed JSON body: " + str(err.get("ctx", {}).get("error", "invalid JSON")), {
                "errors": [{"property": "body", "location": "body", "message": "invalid JSON"}]
            }
        message = str(err.get("msg", "invalid"))
        if message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        item: dict[str, Any] = {
            "property": _field(loc),
            "location": str(loc[0]) if loc else "body",
            "message": message,
            "constraints": {str(err.get("type", "invalid")): message},
        }
        if "input" in err and err.get("type") != "missing":
            value = _echoable(err["input"])
            if value is not _NOT_ECHOED:
                item["value"] = value
        errors.append(item)
    summary = "; ".join(f"{e['property']}: {e['message']}" for e in errors)
    return summary or "Bad request", {"errors": errors}


METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at this path. Starlette's 405 names only the methods of the
    first route whose path matched; RFC 9110 §10.2.1 wants all the target resource supports.
    Each method is tried against the routes as the router itself would match it."""
    allowed = []
    for method in METHODS:
        probe = {**request.scope, "method": method}
        if any(route.matches(probe)[0] is Match.FULL for route in request.app.router.routes):
            allowed.append(method)
    return allowed


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> Response:
        return error_response(exc.status, exc.message, _path(request), exc.details, exc.headers)

    @app.exception_handler(de.DomainError)
    async def _domain_error(request: Request, exc: de.DomainError) -> Response:
        status = next((s for cls, s in DOMAIN_STATUS if isinstance(exc, cls)), 400)
        details: Any = None
        fields = exc.details.get("fields") if isinstance(exc.details, dict) else None
        if isinstance(exc, de.InvalidInput) and fields:
            location = exc.details.get("location", "body")
            details = {
                "errors": [
                    {"property": f, "location": location, "message": exc.message} for f in fields
                ]
            }
        elif exc.details is not None:
            details = {
                "message": exc.message,
                "error": CODES[status][1],
                "statusCode": status,
                "reason": exc.code,
                **({"data": exc.details} if exc.details else {}),
            }
        return error_response(status, exc.message, _path(request), details)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        message, details = validation_details(exc)
        return error_response(400, message, _path(request), details)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404 and exc.detail == "Not Found":
            message = f"Cannot {request.method} {request.url.path}"
        elif exc.status_code == 405:
            message = f"Method {request.method} is not allowed on {request.url.path}"
        else:
            message = str(exc.detail)
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(allowed_methods(request))
        return error_response(exc.status_code, message, _path(request), headers=headers)
