"""Every failure path answers in Cal.com's error envelope with the right status."""

from __future__ import annotations

import logging

from tests.api.helpers import assert_error


async def test_malformed_json_is_a_400(client, make_user):
    bob = await make_user("bob")
    response = await client.patch(
        "/v2/me",
        content=b'{"name": "Bob",',
        headers={**bob.auth, "Content-Type": "application/json"},
    )
    body = assert_error(response, 400, "BadRequestException")
    assert "Malformed JSON" in body["error"]["message"]


async def test_field_validation_names_every_bad_field(client, make_user):
    bob = await make_user("bob")
    response = await client.patch(
        "/v2/me",
        json={"timeZone": "Mars/Olympus", "timeFormat": 13, "weekStart": "Funday"},
        headers=bob.auth,
    )
    body = assert_error(response, 400, "BadRequestException")
    fields = {e["property"] for e in body["error"]["details"]["errors"]}
    assert fields == {"timeZone", "timeFormat", "weekStart"}
    assert "timeZone" in body["error"]["message"]


async def test_unknown_route_is_a_404_with_the_path(client):
    response = await client.get("/v2/nothing-here?x=1")
    body = assert_error(response, 404, "NotFoundException")
    assert body["path"] == "/v2/nothing-here?x=1"
    assert body["error"]["message"] == "Cannot GET /v2/nothing-here"


async def test_wrong_method_is_a_405(client):
    response = await client.delete("/v2/me")
    assert_error(response, 405, "MethodNotAllowedException")


async def test_an_unexpected_error_is_a_500_that_leaks_nothing(app, client, caplog):
    async def boom() -> None:
        raise RuntimeError("secret internal detail")

    app.add_api_route("/v2/boom", boom)
    with caplog.at_level(logging.ERROR, logger="rendezvous.api"):
        response = await client.get("/v2/boom", headers={"X-Request-Id": "req-123"})
    assert_error(response, 500, "InternalServerErrorException")
    assert "secret" not in response.text
    assert response.headers["x-request-id"] == "req-123"
    logged = [r for r in caplog.records if getattr(r, "request_id", None) == "req-123"]
    assert logged and "secret internal detail" in logged[0].exc_text


async def test_request_id_is_echoed_or_generated(client):
    given = await client.get("/health", headers={"X-Request-Id": "abc-1"})
    assert given.headers["x-request-id"] == "abc-1"
    generated = await client.get("/health")
    assert len(generated.headers["x-request-id"]) == 32


async def test_unknown_body_fields_are_ignored(client, make_user):
    bob = await make_user("bob")
    response = await client.patch(
        "/v2/me", json={"name": "Robert", "favouriteColour": "green"}, headers=bob.auth
    )
    assert response.status_code == 200
    assert response.json()["data"]["name"] == "Robert"


async def test_any_cal_api_version_header_is_accepted(client, make_user):
    bob = await make_user("bob")
    for version in ("2024-08-13", "1999-01-01", "garbage"):
        response = await client.get("/v2/me", headers={**bob.auth, "cal-api-version": version})
        assert response.status_code == 200


async def test_health_checks_the_database(client):
    response = await client.get("/health")
    assert response.json() == {"status": "ok", "database": "ok"}


async def test_openapi_declares_the_bearer_scheme(client):
    spec = (await client.get("/openapi.json")).json()
    schemes = spec["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())
    assert "/v2/me" in spec["paths"]
    assert (await client.get("/docs")).status_code == 200
