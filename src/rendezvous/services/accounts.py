"""Use cases for users and API keys."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from rendezvous.domain.accounts import ApiKey, User, username_reserved
from rendezvous.domain.errors import Conflict, InvalidInput, NotFound
from rendezvous.services.invitations import token_hash
from rendezvous.services.ports import UnitOfWork

KEY_PREFIX = "cal_"
# last_used_at is refreshed at most this often, so authenticating is not a write per request.
LAST_USED_RESOLUTION = timedelta(minutes=1)
KEY_BYTES = 32

# Contract §0 item 11: every user has a default schedule from creation on.
DEFAULT_AVAILABILITY: list[dict[str, Any]] = [
    {
        "days": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"],
        "startTime": "09:00",
        "endTime": "17:00",
    }
]


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> str:
    return KEY_PREFIX + secrets.token_hex(KEY_BYTES)


@dataclass(frozen=True, slots=True)
class IssuedKey:
    key: str
    record: ApiKey


class Unauthenticated(Exception):
    """No usable credentials; ``reason`` is safe to show the caller."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


async def create_user(
    uow: UnitOfWork,
    *,
    email: str,
    username: str,
    name: str | None,
    time_zone: str,
    now: datetime,
    week_start: str = "Monday",
    time_format: int = 24,
    locale: str = "en",
) -> User:
    """A user with a default schedule. Users are created by the operator (CLI, demo), who
    vouches for the address: it counts as verified (issue 9 item 1)."""
    email = email.strip().lower()
    if await uow.users.by_email(email):
        raise Conflict(f"A user with email {email} already exists")
    if username_reserved(username):
        raise InvalidInput(
            f"The username {username!r} is reserved: it names a page of the server",
            {"fields": ["username"]},
        )
    if await uow.users.by_username(username):
        raise Conflict(f"A user with username {username} already exists")
    user = await uow.users.add(
        now=now,
        email=email,
        username=username,
        name=name,
        time_zone=time_zone,
        week_start=week_start,
        time_format=time_format,
        locale=locale,
        metadata_={},
        email_verified_at=now,
    )
    schedule_id = await uow.schedules.add(
        user_id=user.id,
        name="Working hours",
        time_zone=time_zone,
        availability=[dict(item) for item in DEFAULT_AVAILABILITY],
        overrides=[],
        now=now,
    )
    return await uow.users.update(user.id, now=now, default_schedule_id=schedule_id)


async def verify_email(uow: UnitOfWork, user: User, now: datetime) -> User:
    """The operator vouches for the user's current address (``rendezvous users verify-email``);
    a link mailed for it earlier stops working."""
    return await uow.users.update(
        user.id, now=now, email_verified_at=now, email_verification_hash=None
    )


async def verify_email_token(uow: UnitOfWork, token: str, now: datetime) -> User:
    """Verify the address the link with ``token`` was mailed to (``/verify-email``). NotFound
    for an unknown or used token; changing the address again makes the old link unknown."""
    await uow.begin_write()
    user = await uow.users.by_verification_hash(token_hash(token)) if token else None
    if user is None:
        raise NotFound("This verification link is unknown or was already used")
    verified = await uow.users.update(
        user.id, now=now, email_verified_at=now, email_verification_hash=None
    )
    await uow.commit()
    return verified


async def issue_key(
    uow: UnitOfWork,
    *,
    user_id: int,
    now: datetime,
    expires_in_days: int | None = None,
    note: str | None = None,
) -> IssuedKey:
    if expires_in_days is not None and expires_in_days < 1:
        raise InvalidInput("expires_in_days must be at least 1")
    key = new_key()
    expires_at = now + timedelta(days=expires_in_days) if expires_in_days else None
    record = await uow.keys.add(
        user_id=user_id,
        key_hash=hash_key(key),
        prefix=key[: len(KEY_PREFIX) + 6],
        now=now,
        expires_at=expires_at,
        note=note,
    )
    return IssuedKey(key=key, record=record)


async def revoke_key(uow: UnitOfWork, key_id: int, now: datetime) -> None:
    if not await uow.keys.exists(key_id):
        raise NotFound(f"API key {key_id} not found")
    await uow.keys.revoke(key_id, now)


async def authenticate(uow: UnitOfWork, token: str, now: datetime) -> tuple[User, ApiKey]:
    """Resolve a bearer token to its user. Only digests are compared: the lookup is an index probe
    on the SHA-256 digest and the final check uses a constant-time comparison."""
    if not token.startswith(KEY_PREFIX) or len(token) < len(KEY_PREFIX) + 2 * KEY_BYTES:
        raise Unauthenticated("Invalid API key")
    digest = hash_key(token)
    found = await uow.keys.with_user_by_hash(digest)
    if found is None:
        raise Unauthenticated("Invalid API key")
    key, user = found
    if not hmac.compare_digest(digest, key.key_hash):
        raise Unauthenticated("Invalid API key")
    refusal = key.refusal(now)
    if refusal:
        raise Unauthenticated(refusal)
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_RESOLUTION:
        # A write of its own, begun as one (SQLite: BEGIN IMMEDIATE): upgrading the read
        # transaction above to a write could fail under concurrent writers.
        await uow.begin_write()
        await uow.keys.touch(key, now)
        await uow.commit()
    return user, key
