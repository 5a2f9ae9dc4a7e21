"""Users and API keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from rendezvous.db import tables as t
from rendezvous.db.repos.integrity import references_held, unique_held
from rendezvous.domain.accounts import ApiKey, User


def to_user(row: t.User) -> User:
    return User(
        id=row.id,
        email=row.email,
        username=row.username,
        name=row.name,
        time_zone=row.time_zone,
        week_start=row.week_start,
        time_format=row.time_format,
        locale=row.locale,
        avatar_url=row.avatar_url,
        bio=row.bio,
        metadata=dict(row.metadata_ or {}),
        default_schedule_id=row.default_schedule_id,
        organization_id=row.organization_id,
        email_verified=row.email_verified_at is not None,
    )


def to_key(row: t.ApiKey) -> ApiKey:
    return ApiKey(
        id=row.id,
        user_id=row.user_id,
        key_hash=row.key_hash,
        prefix=row.prefix,
        note=row.note,
        created_at=row.created_at,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
        last_used_at=row.last_used_at,
    )


class UserRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, *, now: datetime, **fields: Any) -> User:
        row = t.User(created_at=now, updated_at=now, **fields)
        self.session.add(row)
        await self.session.flush()
        return to_user(row)

    async def get(self, user_id: int) -> User | None:
        row = await self.session.get(t.User, user_id)
        return to_user(row) if row else None

    async def by_email(self, email: str) -> User | None:
        row = await self.session.scalar(select(t.User).where(t.User.email == email))
        return to_user(row) if row else None

    async def by_username(self, username: str) -> User | None:
        row = await self.session.scalar(select(t.User).where(t.User.username == username))
        return to_user(row) if row else None

    async def by_verification_hash(self, token_hash: str) -> User | None:
        row = await self.session.scalar(
            select(t.User).where(t.User.email_verification_hash == token_hash)
        )
        return to_user(row) if row else None

    async def email_taken(self, email: str, except_id: int | None = None) -> bool:
        query = select(t.User.id).where(t.User.email == email)
        if except_id is not None:
            query = query.where(t.User.id != except_id)
        return (await self.session.scalar(query)) is not None

    async def count(self) -> int:
        from sqlalchemy import func

        return int(await self.session.scalar(select(func.count()).select_from(t.User)) or 0)

    async def update(self, user_id: int, *, now: datetime, **fields: Any) -> User:
        row = await self.session.get(t.User, user_id)
        if row is None:
            raise LookupError(user_id)
        for name, value in fields.items():
            setattr(row, "metadata_" if name == "metadata" else name, value)
        row.updated_at = now
        await unique_held(
            references_held(
                self.session.flush(),
                f"Schedule with id={row.default_schedule_id} was deleted while this request ran",
            ),
            # Two users taking one address at once: both checked it free before either wrote.
            f"A user with email {row.email} already exists",
        )
        return to_user(row)


class ApiKeyRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self,
        *,
        user_id: int,
        key_hash: str,
        prefix: str,
        now: datetime,
        expires_at: datetime | None,
        note: str | None,
    ) -> ApiKey:
        row = t.ApiKey(
            user_id=user_id,
            key_hash=key_hash,
            prefix=prefix,
            note=note,
            created_at=now,
            expires_at=expires_at,
        )
        self.session.add(row)
        await self.session.flush()
        return to_key(row)

    async def with_user_by_hash(self, key_hash: str) -> tuple[ApiKey, User] | None:
        result = await self.session.execute(
            select(t.ApiKey, t.User)
            .join(t.User, t.User.id == t.ApiKey.user_id)
            .where(t.ApiKey.key_hash == key_hash)
        )
        pair = result.first()
        if pair is None:
            return None
        return to_key(pair[0]), to_user(pair[1])

    async def for_user(self, user_id: int) -> list[ApiKey]:
        rows = await self.session.scalars(
            select(t.ApiKey).where(t.ApiKey.user_id == user_id).order_by(t.ApiKey.id)
        )
        return [to_key(r) for r in rows]

    async def revoke(self, key_id: int, now: datetime) -> bool:
        result = await self.session.execute(
            update(t.ApiKey)
            .where(t.ApiKey.id == key_id, t.ApiKey.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def exists(self, key_id: int) -> bool:
        return (await self.session.get(t.ApiKey, key_id)) is not None

    async def touch(self, key: ApiKey, now: datetime) -> None:
        await self.session.execute(
            update(t.ApiKey).where(t.ApiKey.id == key.id).values(last_used_at=now)
        )
