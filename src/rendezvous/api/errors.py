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


_SOURCES = ("body", "query", "path", "header", "cookie")
# Steps pydantic-core adds to an error's location for its own validators, not the caller's
# fields: union members ("str", "int", "list[int]", "function-after[check(), Model]", a
# model's class name), tagged-union tags and dict-key markers ("[key]").
_CORE_LABELS = frozenset(
    {
        "str", "int", "float", "bool", "bytes", "list", "dict", "set", "frozenset", "tuple",
        "none", "any", "date", "datetime", "time", "timedelta", "decimal", "uuid", "url",
        "multi-host-url", "literal", "enum", "union", "tagged-union", "nullable", "chain",
        "constrained-str", "constrained-int", "constrained-float", "json-or-python",
        "lax-or-strict", "is-instance", "is-subclass", "callable", "default", "definitions",
    }
)  # fmt: skip


def _is_label(step: str, value: Any) -> bool:
    """Whether a location step is a validator's label rather than a field name."""
    if isinstance(value, dict) and step in value:
        return False  # the caller sent this key
    return (
        step in _CORE_LABELS
        or any(c in step for c in "[](),")
        or (step[:1].isupper() and step.isidentifier())  # a model's class name
    )


def caller_path(loc: tuple[Any, ...], body: Any = None) -> str:
    """The field path the caller sent (``location.address``, ``guests.1``) for a pydantic
    error location, without the steps validators add (``location.function-after[…].type``,
    ``location.str``). Contract §0 item 4: details name the caller's fields. The body is
    walked beside the location so that a key the caller sent is never taken for a label."""
    steps = list(loc)
    source = steps.pop(0) if steps and steps[0] in _SOURCES else "body"
    value = body if source == "body" else None
    parts: list[str] = []
    for step in steps:
        if isinstance(step, int):
            parts.append(str(step))
            value = value[step] if isinstance(value, list) and 0 <= step < len(value) else None
            continue
        step = str(step)
        if _is_label(step, value):
            continue
        parts.append(step)
        value = value.get(step) if isinstance(value, dict) else None
    return ".".join(parts) or source


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


_OBJECT_EXPECTED = frozenset({"model_type", "model_attributes_type", "dataclass_type"})


def validation_details(exc: RequestValidationError) -> tuple[str, dict[str, Any]]:
    errors: list[dict[str, Any]] = []
    for err in exc.errors():
        loc = tuple(err.get("loc", ()))
        if err.get("type") == "json_invalid":
            return "Malformed JSON body: " + str(err.get("ctx", {}).get("error", "invalid JSON")), {
                "errors": [{"property": "body", "location": "body", "message": "invalid JSON"}]
            }
        message = str(err.get("msg", "invalid"))
        if message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        if str(err.get("type")) in _OBJECT_EXPECTED:
            message = "must be an object"  # pydantic names the model class here
        item: dict[str, Any] = {
            "property": caller_path(loc, getattr(exc, "body", None)),
            "location": str(loc[0]) if loc else "body",
            "message": message,
            "constraints": {str(err.get("type", "invalid")): message},
        }
        if "input" in err and err.get("type") != "missing":
            value = _echoable(err["input"])
            if value is not _NOT_ECHOED:
                item["value"] = value
        if not any(
            e["property"] == item["property"] and e["message"] == item["message"] for e in errors
        ):  # union members can fail alike at one path: say it once
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
