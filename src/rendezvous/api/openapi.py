"""The OpenAPI document: what each operation really answers, without costing requests anything.

Routes declare their success body with ``documented(...)`` (a model inside the success envelope,
given to FastAPI as an additional response, never as ``response_model``: routers send the bodies
they build as they are, unvalidated and unconverted). ``install`` then post-processes the generated
document once, so that every operation follows the same rules without each route repeating them:

* security: operations that take ``OptionalUser`` show the bearer key as optional
  (``[{}, {"HTTPBearer": []}]``); those that take ``CurrentUser`` require it;
* errors, all with the Cal.com error envelope (contract §0 items 3–4) and an example body as the
  server sends it: on every operation 400 (a NUL character in the URL is refused before routing,
  besides bad parameters and bodies), 413 (the body limit applies to any request that carries a
  body), 414 (URL over 16 KiB) and 500; on every ``/v2`` operation 401 (a key that fails is refused
  even where it is optional), 429 (rate limit) and 503 (database unreachable); 404 for every path
  with an id; plus the statuses a route names itself (403, 404, 409, 422). FastAPI's
  ``HTTPValidationError`` 422, which the server never sends, is removed;
* examples are set on the finished document: FastAPI drops every ``null`` from what it generates
  (``exclude_none``), which would publish examples that fail their own schemas;
* ``cal-api-version`` on every versioned operation, with the values it selects; parameters marked
  required or as aliases where the route's code decides that (the aliases stay accepted).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from fastapi import FastAPI, routing
from fastapi.openapi.utils import get_openapi

from rendezvous.api import deps
from rendezvous.api.errors import CODES
from rendezvous.api.schemas.outputs import ErrorEnvelope

BEARER = "HTTPBearer"
X_KEY = "x-rendezvous"

ERROR_TEXT = {
    400: "Malformed input, a field that fails validation (details name every bad field), or a "
    "NUL character in the URL",
    401: "Missing, malformed, invalid, expired or revoked API key",
    403: "Authenticated, but not allowed",
    404: "No such object, or one the caller may not see",
    409: "The time is no longer free (taken slot, lost race, seats full) or a duplicate",
    413: "Request body over the size limit (RENDEZVOUS_MAX_BODY_BYTES)",
    414: "Request URL longer than 16 KiB",
    422: "Well-formed, but the event type's rules forbid it (availability, notice, window, "
    "limits, duration, state)",
    429: "Rate limit exceeded (see Retry-After)",
    500: "Internal error (no internals are revealed)",
    503: "The database is unreachable (see Retry-After)",
}


def error_example(
    status: int, path: str = "/v2/event-types", *, body: bool = True
) -> dict[str, Any]:
    """An error body for ``status`` in the shape ``rendezvous.api.errors.error_body`` builds
    (a 400 names a bad body field when the operation takes a body, else a bad query value)."""
    code, reason = CODES[status]
    message = ERROR_TEXT[status]
    if status == 400 and not body:
        message = "timeZone: text may not contain the NUL character (%00)"
    details: Any = {"message": message, "error": reason, "statusCode": status}
    if status == 400 and body:
        message = "lengthInMinutes: Input should be greater than or equal to 1"
        details = {
            "errors": [
                {
                    "property": "lengthInMinutes",
                    "location": "body",
                    "message": "Input should be greater than or equal to 1",
                    "constraints": {
                        "greater_than_equal": "Input should be greater than or equal to 1"
                    },
                    "value": 0,
                }
            ]
        }
    return {
        "status": "error",
        "message": message,
        "timestamp": "2024-08-13T12:00:00.000Z",
        "path": path,
        "error": {"code": code, "message": message, "details": details},
    }


def _error_response(status: int) -> dict[str, Any]:
    # The example is set by _finish_operation (see the module docstring).
    return {"description": ERROR_TEXT[status], "model": ErrorEnvelope}


_EXAMPLES: list[Any] = []


def documented(
    model: Any,
    *,
    status: int = 200,
    description: str = "Success",
    errors: Iterable[int] = (),
    example: Any = None,
    examples: Mapping[str, Any] | None = None,
    versions: Sequence[str] = (),
    version_note: str | None = None,
    required: Iterable[str] = (),
    aliases: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Keyword arguments for a route decorator that document one operation.

    ``model`` describes the whole success body (usually ``Success[X]``; a ``oneOf`` schema dict
    is accepted too); ``example`` is one success body, ``examples`` names one per shape (a
    route whose shape depends on ``cal-api-version``); ``errors`` adds statuses beyond the ones
    ``install`` adds to every operation (403, 404, 409, 422); ``versions`` lists the
    ``cal-api-version`` values the operation knows (the first is what a missing or unknown value
    selects unless ``version_note`` says otherwise);
    ``required`` marks query parameters that the code requires (their aliases included);
    ``aliases`` maps an alias to the parameter it stands for."""
    success: dict[str, Any] = {"description": description}
    if isinstance(model, dict):
        success["content"] = {"application/json": {"schema": model}}
    else:
        success["model"] = model
    responses: dict[int | str, dict[str, Any]] = {status: success}
    for code in errors:
        responses[code] = _error_response(code)
    extra: dict[str, Any] = {}
    if example is not None:
        # By reference: FastAPI would drop the example's nulls (see the module docstring).
        _EXAMPLES.append(example)
        extra["example"] = len(_EXAMPLES) - 1
    if examples:
        _EXAMPLES.append(dict(examples))
        extra["examples"] = len(_EXAMPLES) - 1
    if versions:
        extra["versions"] = list(versions)
        extra["version_note"] = version_note
    if required:
        extra["required"] = list(required)
    if aliases:
        extra["aliases"] = dict(aliases)
    kwargs: dict[str, Any] = {"status_code": status, "responses": responses}
    if extra:
        kwargs["openapi_extra"] = {X_KEY: extra}
    return kwargs


def _calls(route: Any) -> set[Any]:
    found: set[Any] = set()
    stack = [route.dependant]
    while stack:
        dependant = stack.pop()
        found.add(dependant.call)
        stack.extend(dependant.dependencies)
    return found


def _version_parameter(versions: list[str], note: str | None) -> dict[str, Any]:
    text = note or (
        f"Selects Cal.com's {versions[0]} shapes, which a missing or unknown value also selects."
    )
    return {
        "name": "cal-api-version",
        "in": "header",
        "required": False,
        "description": text,
        "schema": {"type": "string", "enum": versions, "default": versions[0]},
    }


def _finish_operation(route: Any, operation: dict[str, Any]) -> None:
    """``route``: FastAPI's RouteContext of the operation (path, dependant, body field)."""
    calls = _calls(route)
    public = deps.optional_user in calls
    private = deps.require_user in calls
    if public:
        operation["security"] = [{}, {BEARER: []}]
    elif private:
        operation["security"] = [{BEARER: []}]
    else:
        operation.pop("security", None)

    extra = operation.pop(X_KEY, {})
    parameters: list[dict[str, Any]] = operation.setdefault("parameters", [])
    aliases: dict[str, str] = extra.get("aliases", {})
    for parameter in parameters:
        name = parameter["name"]
        if name in extra.get("required", ()):
            parameter["required"] = True
        if name in aliases:
            parameter["deprecated"] = True
            parameter["description"] = (
                f"Alias of `{aliases[name]}`, accepted when `{aliases[name]}` is absent"
            )
    if extra.get("versions"):
        parameters.append(_version_parameter(extra["versions"], extra.get("version_note")))
    if not parameters:
        operation.pop("parameters")

    responses: dict[str, Any] = operation["responses"]
    stale = responses.get("422", {}).get("content", {}).get("application/json", {})
    if stale.get("schema", {}).get("$ref", "").endswith("/HTTPValidationError"):
        del responses["422"]
    success = next(r for code, r in responses.items() if code.startswith("2"))
    if "example" in extra:
        success["content"]["application/json"]["example"] = _EXAMPLES[extra["example"]]
    if "examples" in extra:
        named = _EXAMPLES[extra["examples"]].items()
        success["content"]["application/json"]["examples"] = {
            name: {"summary": name, "value": value} for name, value in named
        }
    # Refused before routing, whatever the operation: a NUL in the URL (400), a body over the
    # limit (413), a URL over 16 KiB (414) — see api/middleware.py and api/body_limit.py.
    generic = {400, 413, 414, 500}
    if route.path_format.startswith("/v2"):
        generic |= {401, 429, 503}
    if "{" in route.path_format:
        generic.add(404)
    ref = {"$ref": "#/components/schemas/ErrorEnvelope"}
    for code in sorted(generic):
        responses.setdefault(
            str(code),
            {"description": ERROR_TEXT[code], "content": {"application/json": {"schema": ref}}},
        )
    for status, response in responses.items():
        media = response.get("content", {}).get("application/json", {})
        if status[0] in "45" and media.get("schema") == ref:
            media["example"] = error_example(
                int(status), route.path_format, body=route.body_field is not None
            )


def build_document(app: FastAPI) -> dict[str, Any]:
    """The finished document (see the module docstring)."""
    document = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
        tags=app.openapi_tags,
        servers=app.servers,
    )
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    if "ErrorEnvelope" not in schemas:
        schemas["ErrorEnvelope"] = ErrorEnvelope.model_json_schema(
            ref_template="#/components/schemas/{model}"
        )
        schemas.update(schemas["ErrorEnvelope"].pop("$defs", {}))
    for route in routing.iter_route_contexts(app.routes):
        if not isinstance(route.original_route, routing.APIRoute) or not route.include_in_schema:
            continue
        path_item = document["paths"].get(route.path_format, {})
        for method in route.methods or ():
            operation = path_item.get(method.lower())
            if operation is not None:
                _finish_operation(route, operation)
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    return document


def install(app: FastAPI) -> None:
    """Serve the finished document at ``app.openapi_url`` (built once, on first request)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build_document(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
