"""The OpenAPI document describes what the server really does, on every operation (so endpoints
added later must follow the same pattern), and /docs and /redoc work without internet access."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from openapi_spec_validator import validate

from rendezvous.api.app import create_app
from rendezvous.config import Settings

METHODS = ("get", "post", "put", "patch", "delete")
BEARER = {"HTTPBearer": []}

# Cal.com's public operations (a key is optional); every other /v2 operation requires one.
PUBLIC = {
    ("get", "/v2/slots"),
    ("get", "/v2/slots/available"),
    ("post", "/v2/slots/reservations"),
    ("get", "/v2/slots/reservations/{uid}"),
    ("patch", "/v2/slots/reservations/{uid}"),
    ("delete", "/v2/slots/reservations/{uid}"),
    ("post", "/v2/slots/reserve"),
    ("delete", "/v2/slots/selected-slot"),
    ("get", "/v2/event-types"),
    ("post", "/v2/bookings"),
    ("get", "/v2/bookings/{uid}"),
    ("post", "/v2/bookings/{uid}/cancel"),
    ("post", "/v2/bookings/{uid}/reschedule"),
}
# Operations Cal.com does not version (no cal-api-version header).
UNVERSIONED = {
    ("get", "/v2/me"),
    ("patch", "/v2/me"),
    ("get", "/v2/slots/available"),
    ("post", "/v2/slots/reserve"),
    ("delete", "/v2/slots/selected-slot"),
    ("get", "/v2/calendars"),
    ("get", "/v2/calendars/busy-times"),
    ("post", "/v2/calendars/ics-feed/save"),
    ("get", "/v2/calendars/ics-feed/check"),
    ("post", "/v2/calendars/{calendar}/credentials"),
    ("post", "/v2/calendars/{calendar}/disconnect"),
    ("post", "/v2/selected-calendars"),
    ("delete", "/v2/selected-calendars"),
    ("put", "/v2/destination-calendars"),
    # Webhooks (contract §8.1): no version header, user and event-type scopes alike.
    ("get", "/v2/webhooks"),
    ("post", "/v2/webhooks"),
    ("get", "/v2/webhooks/{webhookId}"),
    ("patch", "/v2/webhooks/{webhookId}"),
    ("delete", "/v2/webhooks/{webhookId}"),
    ("get", "/v2/webhooks/{webhookId}/deliveries"),
    ("post", "/v2/webhooks/{webhookId}/deliveries/{deliveryId}/redeliver"),
    ("get", "/v2/event-types/{eventTypeId}/webhooks"),
    ("post", "/v2/event-types/{eventTypeId}/webhooks"),
    ("get", "/v2/event-types/{eventTypeId}/webhooks/{webhookId}"),
    ("patch", "/v2/event-types/{eventTypeId}/webhooks/{webhookId}"),
    ("delete", "/v2/event-types/{eventTypeId}/webhooks/{webhookId}"),
    # Organizations and teams (contract §7): no version header.
    ("get", "/v2/organizations/{orgId}/teams/event-types"),
    ("get", "/v2/organizations/{orgId}/teams"),
    ("post", "/v2/organizations/{orgId}/teams"),
    ("get", "/v2/organizations/{orgId}/teams/{teamId}"),
    ("patch", "/v2/organizations/{orgId}/teams/{teamId}"),
    ("delete", "/v2/organizations/{orgId}/teams/{teamId}"),
    ("get", "/v2/organizations/{orgId}/teams/{teamId}/memberships"),
    ("post", "/v2/organizations/{orgId}/teams/{teamId}/memberships"),
    ("get", "/v2/organizations/{orgId}/teams/{teamId}/memberships/{membershipId}"),
    ("patch", "/v2/organizations/{orgId}/teams/{teamId}/memberships/{membershipId}"),
    ("delete", "/v2/organizations/{orgId}/teams/{teamId}/memberships/{membershipId}"),
    ("get", "/v2/organizations/{orgId}/teams/{teamId}/event-types"),
    ("post", "/v2/organizations/{orgId}/teams/{teamId}/event-types"),
    ("get", "/v2/organizations/{orgId}/teams/{teamId}/event-types/{eventTypeId}"),
    ("patch", "/v2/organizations/{orgId}/teams/{teamId}/event-types/{eventTypeId}"),
    ("delete", "/v2/organizations/{orgId}/teams/{teamId}/event-types/{eventTypeId}"),
    ("get", "/v2/teams"),
    ("get", "/v2/teams/{teamId}"),
    ("get", "/v2/teams/{teamId}/event-types"),
}


@pytest.fixture(scope="module")
def app() -> Any:
    return create_app(Settings(database_url="sqlite+aiosqlite:///:memory:"))


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


@pytest.fixture
async def document(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    doc: dict[str, Any] = response.json()
    return doc


def operations(doc: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in doc["paths"].items():
        for method in METHODS:
            if method in item:
                yield method, path, item[method]


def resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def test_the_document_is_valid_openapi(document: dict[str, Any]) -> None:
    validate(document)


def test_public_operations_make_the_key_optional_and_the_others_require_it(
    document: dict[str, Any],
) -> None:
    seen = set()
    for method, path, op in operations(document):
        if not path.startswith("/v2"):
            assert "security" not in op, (method, path)
            continue
        seen.add((method, path))
        if (method, path) in PUBLIC:
            assert op["security"] == [{}, BEARER], (method, path)
        else:
            assert op["security"] == [BEARER], (method, path)
    assert seen >= PUBLIC
    assert ("get", "/v2/me") in seen and ("get", "/v2/bookings") in seen


def test_every_operation_documents_its_errors_with_the_cal_com_envelope(
    document: dict[str, Any],
) -> None:
    envelope = document["components"]["schemas"]["ErrorEnvelope"]
    assert set(envelope["required"]) == {"status", "message", "timestamp", "path", "error"}
    for method, path, op in operations(document):
        errors = {code: r for code, r in op["responses"].items() if code[0] in "45"}
        # Refused before routing on any operation: NUL in the URL, a body over the limit, a URL
        # over 16 KiB; and an internal error.
        assert {"400", "413", "414", "500"} <= set(errors), (method, path)
        if path.startswith("/v2"):
            assert {"401", "429", "503"} <= set(errors), (method, path)
        if "{" in path:
            assert "404" in errors, (method, path)
        for code, response in errors.items():
            if (path, code) == ("/health", "503"):
                continue  # the health check's own body, by design
            schema = response["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/ErrorEnvelope"}, (method, path, code)


def test_no_operation_documents_fastapis_validation_error(document: dict[str, Any]) -> None:
    assert "HTTPValidationError" not in json.dumps(document)
    assert "ValidationError" not in document["components"]["schemas"]


def test_success_bodies_are_typed_inside_the_success_envelope(document: dict[str, Any]) -> None:
    for method, path, op in operations(document):
        successes = [r for code, r in op["responses"].items() if code.startswith("2")]
        assert len(successes) == 1, (method, path)
        schema = resolve(document, successes[0]["content"]["application/json"]["schema"])
        if not path.startswith("/v2"):
            assert schema.get("properties"), (method, path)
            continue
        assert schema["properties"]["status"]["const"] == "success", (method, path)
        data = schema["properties"].get("data")
        if data is not None:
            untyped = ({}, {"type": "object", "additionalProperties": True})
            assert {k: v for k, v in data.items() if k != "title"} not in untyped, (method, path)


def test_the_booking_output_names_the_fields_always_sent(document: dict[str, Any]) -> None:
    booking = document["components"]["schemas"]["BookingOutput"]
    assert {"uid", "start", "end", "hosts", "attendees", "location", "updatedAt"} <= set(
        booking["required"]
    )
    assert "meetingUrl" not in booking["required"]


def test_versioned_operations_document_cal_api_version(document: dict[str, Any]) -> None:
    for method, path, op in operations(document):
        if not path.startswith("/v2"):
            continue
        headers = [p for p in op.get("parameters", []) if p["name"] == "cal-api-version"]
        if (method, path) in UNVERSIONED:
            assert headers == [], (method, path)
            continue
        assert len(headers) == 1, (method, path)
        assert headers[0]["in"] == "header" and headers[0]["schema"]["enum"], (method, path)
    listing = document["paths"]["/v2/event-types"]["get"]
    header = next(p for p in listing["parameters"] if p["name"] == "cal-api-version")
    assert {"2024-04-15", "2024-06-14"} <= set(header["schema"]["enum"])
    data = resolve(document, listing["responses"]["200"]["content"]["application/json"]["schema"])
    shapes = data["properties"]["data"].get("anyOf") or data["properties"]["data"].get("oneOf")
    assert len(shapes) == 2  # the 2024-06-14 array and the legacy eventTypeGroups object


def test_required_parameters_are_marked_and_aliases_documented(document: dict[str, Any]) -> None:
    params = {p["name"]: p for p in document["paths"]["/v2/slots"]["get"]["parameters"]}
    assert params["start"]["required"] and params["end"]["required"]
    for alias, target in (("startTime", "start"), ("endTime", "end"), ("slotFormat", "format")):
        assert params[alias]["deprecated"] is True
        assert f"`{target}`" in params[alias]["description"]
    legacy = {p["name"]: p for p in document["paths"]["/v2/slots/available"]["get"]["parameters"]}
    assert legacy["startTime"]["required"] and legacy["endTime"]["required"]
    assert legacy["usernameList[]"]["deprecated"] is True
    assert "`usernameList`" in legacy["usernameList[]"]["description"]


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_docs_pages_load_only_assets_the_server_serves_itself(
    client: httpx.AsyncClient, page: str
) -> None:
    response = await client.get(page)
    assert response.status_code == 200
    html = response.text
    assert "http://" not in html and "https://" not in html and "//cdn" not in html
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
    assets += re.findall(r"""url:\s*["']([^"']+)["']""", html)
    assert any(a.endswith(".js") for a in assets), assets
    expected = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}
    for asset in assets:
        assert asset.startswith("/"), asset
        if asset == "/openapi.json":
            continue
        served = await client.get(asset)
        assert served.status_code == 200, asset
        suffix = asset[asset.rfind(".") :]
        assert served.headers["content-type"].startswith(expected[suffix]), asset
        assert len(served.content) > 1000, asset


async def test_unknown_docs_assets_are_a_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/docs/assets/..%2Fcore.py")
    assert response.status_code == 404
    assert response.json()["status"] == "error"


def test_the_readme_endpoint_table_lists_every_route(document: dict[str, Any]) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    listed = set()
    for row in re.findall(r"^\| (`[A-Z]+ /[^|]*`) \|", readme, flags=re.MULTILINE):
        for entry in re.findall(r"`([A-Z]+) (/[^`]*)`", row):
            listed.add((entry[0].lower(), re.sub(r"\{[^}]*\}", "{}", entry[1])))
    served = {
        (method, re.sub(r"\{[^}]*\}", "{}", path)) for method, path, _ in operations(document)
    }
    assert listed == served


def test_no_route_validates_its_answer_through_a_response_model(app: Any) -> None:
    """Describing responses costs requests nothing: FastAPI validates and re-serialises an
    answer only through a route's response model, and no route has one (the document gets its
    schemas from ``documented(...)`` as additional responses)."""
    from fastapi import routing

    routes = [
        r.original_route
        for r in routing.iter_route_contexts(app.routes)
        if isinstance(r.original_route, routing.APIRoute)
    ]
    assert len(routes) > 25
    assert [r.path for r in routes if r.response_field is not None] == []


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_docs_pages_forbid_the_browser_any_other_host(
    client: httpx.AsyncClient, page: str
) -> None:
    """ReDoc's bundle fetches its sidebar logo from its CDN, and Swagger UI can ask an online
    validator about the document: the pages' Content-Security-Policy allows this server only."""
    response = await client.get(page)
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "img-src 'self' data:" in policy
    assert "http" not in policy and "*" not in policy
    if page == "/docs":
        assert '"validatorUrl": null' in response.text
