"""The write-transaction runner: BEGIN (IMMEDIATE on SQLite), idempotency keys, retry of a lost
race, render the response inside the transaction, store it for the key, COMMIT."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from rendezvous.domain.calendars import NotLoaded
from rendezvous.domain.errors import InvalidInput, LostRace, RuleViolation
from rendezvous.services import calendars
from rendezvous.services.ports import UnitOfWork

T = TypeVar("T")
Response = tuple[int, dict[str, Any]]
KEY_TTL = timedelta(hours=24)
MAX_KEY_LENGTH = 255
ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class IdempotencyKey:
    scope: str  # the caller: "user:<id>" or "ip:<address>"
    key: str
    request_hash: str

    @classmethod
    def of(cls, scope: str, key: str, method: str, path: str, body: bytes) -> IdempotencyKey:
        if not key or len(key) > MAX_KEY_LENGTH:
            raise InvalidInput(
                f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters",
                {"fields": ["Idempotency-Key"]},
            )
        digest = hashlib.sha256(f"{method} {path}\n".encode() + _canonical(body)).hexdigest()
        return cls(scope=scope, key=key, request_hash=digest)


def _canonical(body: bytes) -> bytes:
    """The same JSON however it is spaced or ordered hashes the same; other bodies as sent."""
    try:
        parsed = json.loads(body)
    except ValueError:
        return body
    return json.dumps(parsed, sort_keys=True, separators=(",", ":")).encode()


async def run(
    uow: UnitOfWork,
    work: Callable[[], Awaitable[T]],
    render: Callable[[T], Response],
    *,
    now: datetime,
    idempotency: IdempotencyKey | None = None,
) -> Response:
    """Run one write use case in one transaction and return its (status, body).

    ``render`` turns the use case's result into the answer; it is pure (the result carries all
    it needs), and runs before the commit so the answer can be stored with the change.

    With an idempotency key, the first response is stored with the change and replayed to every
    retry with the same key and request; the same key with another request is a 422. Two
    concurrent requests with one key: the second waits for the first and replays its answer.

    The slot engine never waits for a calendar provider inside the transaction: a host's
    calendar never fetched rolls it back, is loaded (bounded wait) and the transaction runs
    again (load → decide → save), so the writer lock is not held while a provider answers.
    """
    attempt = 0
    loads = 0
    while attempt < ATTEMPTS:
        attempt += 1
        await uow.begin_write()
        if idempotency is not None:
            stored = await uow.idempotency.find(idempotency.scope, idempotency.key, now)
            if stored is not None:
                if stored.request_hash != idempotency.request_hash:
                    raise RuleViolation(
                        "This Idempotency-Key was already used with a different request"
                    )
                await uow.rollback()
                return stored.status_code, stored.response
            await uow.idempotency.purge_expired(now)  # keys are kept 24 hours
            claimed = await uow.idempotency.claim(
                idempotency.scope,
                idempotency.key,
                idempotency.request_hash,
                now=now,
                expires_at=now + KEY_TTL,
            )
            if not claimed:
                continue  # another request holds the key: it has committed now, replay it
        try:
            with calendars.in_transaction(may_load=loads < calendars.MAX_LOADS):
                result = await work()
        except NotLoaded as missing:
            await uow.rollback()
            loads += 1
            attempt -= 1  # not a lost race: this attempt did not count
            await calendars.load(uow, missing)
            continue
        except LostRace:
            await uow.rollback()
            if attempt < ATTEMPTS:
                continue
            raise
        status, body = render(result)
        if idempotency is not None:
            await uow.idempotency.store(
                idempotency.scope, idempotency.key, status_code=status, response=body
            )
        await uow.commit()
        return status, body
    raise LostRace("This time slot is no longer available")
