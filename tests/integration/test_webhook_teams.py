"""Webhooks and team event types: a team event type's bookings reach only the user-level
webhooks of the host they were given to, and nobody (not even a team admin) can attach
event-type webhooks to a team event type through /v2/event-types/{id}/webhooks, which is for
the caller's own event types: such a request is a 404, never a way into the team's bookings."""

from __future__ import annotations

import json

import pytest

from rendezvous.db.engine import session_factory
from rendezvous.worker.kinds import load_handlers
from rendezvous.worker.runner import Worker
from tests.api.test_team_scheduling import _book, _event_type, world  # noqa: F401 - fixture
from tests.integration.receiver import receiver

load_handlers()


@pytest.fixture
def settings(settings):
    return settings.model_copy(update={"allow_private_networks": True})


async def test_team_bookings_reach_only_their_hosts_webhooks(client, world, db, clock, settings):  # noqa: F811
    w = world
    et = await _event_type(client, w, "roundRobin", [{"userId": w.ann.id}, {"userId": w.tom.id}])
    hook = {"triggers": ["BOOKING_CREATED"], "active": True}
    for who in (w.admin, w.ann, w.tom):
        scoped = await client.post(
            f"/v2/event-types/{et}/webhooks",
            json=hook | {"subscriberUrl": "http://127.0.0.1:9/x"},
            headers=who.auth,
        )
        assert scoped.status_code == 404, scoped.text
        listed = await client.get(f"/v2/event-types/{et}/webhooks", headers=who.auth)
        assert listed.status_code == 404
    worker = Worker(settings, session_factory(db), clock=clock, only={"webhook"})
    try:
        async with receiver() as hooks:
            for who in (w.admin, w.ann, w.tom, w.sue):
                made = await client.post(
                    "/v2/webhooks",
                    json=hook | {"subscriberUrl": f"{hooks.url}/{who.username}"},
                    headers=who.auth,
                )
                assert made.status_code == 201, made.text
            start = "2030-01-08T10:00:00Z"
            first = (await _book(client, start, eventTypeId=et)).json()["data"]
            second = (await _book(client, start, eventTypeId=et)).json()["data"]
            while await worker.run_once():
                pass
    finally:
        await worker.aclose()
    got = sorted(
        (r.path.rsplit("/", 1)[-1], json.loads(r.body)["payload"]["uid"]) for r in hooks.requests
    )
    expected = sorted(
        (
            {w.ann.id: w.ann.username, w.tom.id: w.tom.username}[b["hosts"][0]["id"]],
            b["uid"],
        )
        for b in (first, second)
    )
    assert got == expected  # one each, to its host; the admin and Sue get nothing
