"""A recurring series is one request: it mails each person once, while every occurrence still
fires its webhooks (Cal.com emails a series once)."""

from __future__ import annotations

import json

from sqlalchemy import text

from tests.api.helpers import book, outbox_topics, subscribe


async def _email_recipients(db) -> list[str]:
    async with db.connect() as conn:
        rows = await conn.execute(text("SELECT payload FROM outbox WHERE kind = 'email'"))
        payloads = [r[0] if isinstance(r[0], dict) else json.loads(r[0]) for r in rows]
        return sorted(p["to"]["email"] for p in payloads)


async def test_a_recurring_series_is_mailed_once_per_person(
    client, db, make_user, make_event_type
) -> None:
    bob = await make_user("bob")
    recurrence = {"interval": 1, "occurrences": 5, "frequency": "weekly"}
    event_type_id = await make_event_type(bob, settings={"recurrence": recurrence})
    await subscribe(db, bob.id)
    response = await book(client, event_type_id)
    assert response.status_code == 201, response.text
    series = response.json()["data"]
    assert len(series) == 5
    # Every occurrence fires BOOKING_CREATED ...
    for occurrence in series:
        assert "BOOKING_CREATED" in await outbox_topics(db, occurrence["uid"])
    # ... but the host and the attendee get one email each, not five.
    mails = await _email_recipients(db)
    assert mails == ["bob@example.com", "jane@example.com"], mails
