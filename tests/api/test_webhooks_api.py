"""/v2/webhooks and /v2/event-types/{id}/webhooks: CRUD, validation, scopes, refusal of
private targets (contract §8.1, §0 item 6)."""

from __future__ import annotations

import pytest

from tests.api.helpers import assert_error

HOOK = {
    "subscriberUrl": "http://127.0.0.1:9/hook",
    "triggers": ["BOOKING_CREATED", "BOOKING_CANCELLED"],
    "active": True,
    "secret": "s3cr3t",
}


@pytest.fixture
def settings(settings):
    """Loopback receivers need the setting; refusal tests build their own app without it."""
    return settings.model_copy(update={"allow_private_networks": True})


async def test_create_get_list_update_delete(client, make_user) -> None:
    bob = await make_user("bob")
    made = await client.post("/v2/webhooks", json=HOOK, headers=bob.auth)
    assert made.status_code == 201, made.text
    data = made.json()["data"]
    assert data == {
        "id": data["id"],
        "userId": bob.id,
        "subscriberUrl": "http://127.0.0.1:9/hook",
        "triggers": ["BOOKING_CREATED", "BOOKING_CANCELLED"],
        "active": True,
        "payloadTemplate": None,
        "secret": "s3cr3t",
        "version": "2021-10-20",
    }
    assert isinstance(data["id"], int)
    one = await client.get(f"/v2/webhooks/{data['id']}", headers=bob.auth)
    assert one.json()["data"] == data
    listed = await client.get("/v2/webhooks", headers=bob.auth)
    assert listed.json() == {"status": "success", "data": [data]}
    patched = await client.patch(
        f"/v2/webhooks/{data['id']}",
        json={"active": False, "payloadTemplate": '{"t":"{{triggerEvent}}"}', "secret": None},
        headers=bob.auth,
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["data"] | {} == data | {
        "active": False,
        "payloadTemplate": '{"t":"{{triggerEvent}}"}',
        "secret": None,
    }
    gone = await client.delete(f"/v2/webhooks/{data['id']}", headers=bob.auth)
    assert gone.status_code == 200
    assert gone.json()["data"]["id"] == data["id"]
    assert_error(await client.get(f"/v2/webhooks/{data['id']}", headers=bob.auth), 404,
                 "NotFoundException")  # fmt: skip


async def test_a_bare_string_trigger_is_a_one_element_list(client, make_user) -> None:
    bob = await make_user("bob")
    made = await client.post(
        "/v2/webhooks", json=HOOK | {"triggers": "MEETING_STARTED"}, headers=bob.auth
    )
    assert made.status_code == 201, made.text
    assert made.json()["data"]["triggers"] == ["MEETING_STARTED"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"triggers": ["BOOKING_COMPLETED"]}, "triggers"),
        ({"triggers": ["BOOKING_NO_SHOW"]}, "triggers"),
        ({"triggers": "NOPE"}, "triggers"),
        ({"triggers": []}, "triggers"),
        ({"subscriberUrl": "ftp://example.com/x"}, "subscriberUrl"),
        ({"subscriberUrl": "x" * 2049}, "subscriberUrl"),
        ({"version": "2020-01-01"}, "version"),
        ({"active": "yes"}, "active"),
        ({"triggers": ["AFTER_HOSTS_CAL_VIDEO_NO_SHOW"]}, "time"),
        ({"time": 5}, "time"),
    ],
)
async def test_bad_input_is_a_400_naming_the_field(client, make_user, change, field) -> None:
    bob = await make_user("bob")
    response = await client.post("/v2/webhooks", json=HOOK | change, headers=bob.auth)
    body = assert_error(response, 400, "BadRequestException")
    assert field in response.text, body


async def test_every_calcom_trigger_and_the_seed_list_are_accepted(client, make_user) -> None:
    from rendezvous.domain.webhooks import TRIGGERS

    bob = await make_user("bob")
    everything = [t for t in TRIGGERS if "CAL_VIDEO_NO_SHOW" not in t]
    made = await client.post("/v2/webhooks", json=HOOK | {"triggers": everything}, headers=bob.auth)
    assert made.status_code == 201, made.text
    assert made.json()["data"]["triggers"] == everything
    timed = await client.post(
        "/v2/webhooks",
        json=HOOK
        | {"triggers": ["AFTER_GUESTS_CAL_VIDEO_NO_SHOW"], "time": 5.0, "timeUnit": "MINUTE"},
        headers=bob.auth,
    )
    assert timed.status_code == 201, timed.text
    assert timed.json()["data"]["time"] == 5
    assert timed.json()["data"]["timeUnit"] == "MINUTE"


async def test_another_users_webhook_is_not_found(client, make_user) -> None:
    bob, ann = await make_user("bob"), await make_user("ann")
    made = (await client.post("/v2/webhooks", json=HOOK, headers=bob.auth)).json()["data"]
    for call in (
        client.get(f"/v2/webhooks/{made['id']}", headers=ann.auth),
        client.patch(f"/v2/webhooks/{made['id']}", json={"active": False}, headers=ann.auth),
        client.delete(f"/v2/webhooks/{made['id']}", headers=ann.auth),
        client.get(f"/v2/webhooks/{made['id']}/deliveries", headers=ann.auth),
        client.post(f"/v2/webhooks/{made['id']}/deliveries/1/redeliver", headers=ann.auth),
    ):
        assert_error(await call, 404, "NotFoundException")
    assert (await client.get("/v2/webhooks", headers=ann.auth)).json()["data"] == []
    assert_error(await client.get("/v2/webhooks"), 401, "UnauthorizedException")


async def test_take_and_skip(client, make_user) -> None:
    bob = await make_user("bob")
    ids = [
        (await client.post("/v2/webhooks", json=HOOK, headers=bob.auth)).json()["data"]["id"]
        for _ in range(3)
    ]
    page = await client.get("/v2/webhooks", params={"take": 2, "skip": 1}, headers=bob.auth)
    assert [w["id"] for w in page.json()["data"]] == ids[1:3]
    for bad in ({"take": "0"}, {"take": "251"}, {"skip": "-1"}, {"take": "x"}):
        assert_error(
            await client.get("/v2/webhooks", params=bad, headers=bob.auth),
            400,
            "BadRequestException",
        )


async def test_event_type_webhooks_are_their_own_scope(client, make_user, make_event_type) -> None:
    bob, ann = await make_user("bob"), await make_user("ann")
    et = await make_event_type(bob)
    path = f"/v2/event-types/{et}/webhooks"
    made = await client.post(path, json=HOOK, headers=bob.auth)
    assert made.status_code == 201, made.text
    hook = made.json()["data"]
    assert hook["eventTypeId"] == et
    assert (await client.get(path, headers=bob.auth)).json()["data"] == [hook]
    assert (await client.get("/v2/webhooks", headers=bob.auth)).json()["data"] == []
    # Not reachable as a user webhook, nor by another user, nor under another event type.
    assert_error(await client.get(f"/v2/webhooks/{hook['id']}", headers=bob.auth), 404,
                 "NotFoundException")  # fmt: skip
    assert_error(await client.get(path, headers=ann.auth), 404, "NotFoundException")
    assert_error(await client.post(path, json=HOOK, headers=ann.auth), 404, "NotFoundException")
    other = await make_event_type(bob, "other")
    assert_error(
        await client.get(f"/v2/event-types/{other}/webhooks/{hook['id']}", headers=bob.auth),
        404,
        "NotFoundException",
    )
    patched = await client.patch(
        f"{path}/{hook['id']}", json={"triggers": "BOOKING_REJECTED"}, headers=bob.auth
    )
    assert patched.json()["data"]["triggers"] == ["BOOKING_REJECTED"]
    assert (await client.get(f"{path}/{hook['id']}", headers=bob.auth)).status_code == 200
    assert (await client.delete(f"{path}/{hook['id']}", headers=bob.auth)).status_code == 200
    assert (await client.get(path, headers=bob.auth)).json()["data"] == []


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "http://10.0.0.1/",
        "http://192.168.0.10/",
        "http://[::1]/",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.1.1/",
    ],
)
async def test_private_targets_are_refused_without_the_setting(
    db, db_url, clock, make_user, url
) -> None:
    import httpx

    from rendezvous.api.app import create_app
    from rendezvous.config import Settings

    strict = Settings(database_url=db_url, worker_in_serve=False, _env_file=None)  # type: ignore[call-arg]
    assert strict.allow_private_networks is False  # the default
    app = create_app(strict, clock=clock, engine=db)
    bob = await make_user("bob")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        response = await c.post("/v2/webhooks", json=HOOK | {"subscriberUrl": url},
                                headers=bob.auth)  # fmt: skip
        body = assert_error(response, 400, "BadRequestException")
        assert "subscriberUrl" in body["message"]
        made = await c.post("/v2/webhooks", json=HOOK | {"subscriberUrl": "http://1.1.1.1/"},
                            headers=bob.auth)  # fmt: skip
        assert made.status_code == 201  # a public address is fine (nothing is sent to it)
        hook_id = made.json()["data"]["id"]
        patched = await c.patch(f"/v2/webhooks/{hook_id}", json={"subscriberUrl": url},
                                headers=bob.auth)  # fmt: skip
        assert_error(patched, 400, "BadRequestException")


async def test_metadata_addresses_are_refused_even_with_the_setting(client, make_user) -> None:
    bob = await make_user("bob")
    for url in ("http://169.254.169.254/", "http://[fd00:ec2::254]/"):
        response = await client.post(
            "/v2/webhooks", json=HOOK | {"subscriberUrl": url}, headers=bob.auth
        )
        assert "metadata" in assert_error(response, 400, "BadRequestException")["message"]
