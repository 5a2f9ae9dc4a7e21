"""Helpers the API tests share: a booking body, booking and listing calls, what the outbox and
the held time hold, and the error-envelope assertion."""

from __future__ import annotations

import httpx
from sqlalchemy import text

# The default clock is Monday 2030-01-07 08:00 UTC; default schedules are Mon–Fri 09:00–17:00.
TUE_10 = "2030-01-08T10:00:00Z"


def attendee(name: str = "Jane Doe", email: str = "jane@example.com") -> dict:
    return {"name": name, "email": email, "timeZone": "America/New_York"}


async def book(client, event_type_id: int, start: str = TUE_10, **extra):
    body = {"start": start, "eventTypeId": event_type_id, "attendee": attendee()} | extra
    return await client.post("/v2/bookings", json=body)


async def slot_starts(client, event_type_id: int, day: str = "2030-01-08") -> list[str]:
    response = await client.get(
        "/v2/slots", params={"eventTypeId": event_type_id, "start": day, "end": day}
    )
    return [s["start"] for s in response.json()["data"].get(day, [])]


BOOKING_TRIGGERS = [
    "BOOKING_CREATED",
    "BOOKING_REQUESTED",
    "BOOKING_CANCELLED",
    "BOOKING_RESCHEDULED",
    "BOOKING_CONFIRMED",
    "BOOKING_REJECTED",
]


async def subscribe(db, user_id: int, triggers=tuple(BOOKING_TRIGGERS)) -> int:
    """A webhook subscription of ``user_id`` to ``triggers`` (written directly, no URL check):
    triggers become outbox rows only for subscribers."""
    from datetime import UTC, datetime

    from rendezvous.db.engine import session_factory
    from rendezvous.db.uow import UnitOfWork

    now = datetime.now(UTC)
    async with UnitOfWork(session_factory(db), write=True) as uow:
        hook = await uow.webhooks.add(
            user_id=user_id,
            event_type_id=None,
            fields={
                "subscriber_url": "http://127.0.0.1:9/",
                "triggers": list(triggers),
                "active": True,
                "payload_template": None,
                "secret": None,
                "version": "2021-10-20",
            },
            now=now,
        )
        await uow.commit()
    return hook.id


async def outbox_topics(db, uid: str) -> list[str]:
    async with db.connect() as conn:
        rows = await conn.execute(
            text("SELECT topic FROM outbox WHERE booking_uid = :uid ORDER BY id"), {"uid": uid}
        )
        return [r[0] for r in rows]


async def occupancy_count(db) -> int:
    async with db.connect() as conn:
        return int((await conn.execute(text("SELECT count(*) FROM occupancy"))).scalar_one())


def assert_error(response: httpx.Response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["status"] == "error"
    assert body["error"]["code"] == code
    assert body["message"] == body["error"]["message"]
    assert body["timestamp"].endswith("Z")
    return body
