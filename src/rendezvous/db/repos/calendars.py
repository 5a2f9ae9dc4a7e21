"""Connected calendars: credentials (encrypted secrets) and their calendars."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from rendezvous.db import tables as t
from rendezvous.domain.calendars import ConnectedCalendar, Credential


def _credential(row: t.CalendarCredential) -> Credential:
    return Credential(
        id=row.id,
        user_id=row.user_id,
        type=row.type,
        app_id=row.app_id,
        server_url=row.server_url,
        secret=row.secret,
        invalid=row.invalid,
        created_at=row.created_at,
    )


def _calendar(row: t.ConnectedCalendar, integration: str) -> ConnectedCalendar:
    return ConnectedCalendar(
        id=row.id,
        credential_id=row.credential_id,
        user_id=row.user_id,
        external_id=row.external_id,
        name=row.name,
        read_only=row.read_only,
        is_selected=row.is_selected,
        is_destination=row.is_destination,
        integration=integration,
    )


class CalendarRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_credential(
        self,
        *,
        user_id: int,
        type: str,
        app_id: str,
        server_url: str | None,
        secret: str,
        now: datetime,
    ) -> Credential:
        row = t.CalendarCredential(
            user_id=user_id,
            type=type,
            app_id=app_id,
            server_url=server_url,
            secret=secret,
            invalid=False,
            created_at=now,
        )
        self.session.add(row)
        await self.session.flush()
        return _credential(row)

    async def add_calendar(
        self,
        *,
        credential_id: int,
        user_id: int,
        external_id: str,
        name: str | None,
        read_only: bool,
        is_selected: bool,
        is_destination: bool = False,
    ) -> None:
        self.session.add(
            t.ConnectedCalendar(
                credential_id=credential_id,
                user_id=user_id,
                external_id=external_id,
                name=name,
                read_only=read_only,
                is_selected=is_selected,
                is_destination=is_destination,
            )
        )
        await self.session.flush()

    async def credential(self, credential_id: int) -> Credential | None:
        row = await self.session.get(t.CalendarCredential, credential_id)
        return _credential(row) if row is not None else None

    async def credentials_of(self, user_id: int) -> list[Credential]:
        rows = await self.session.scalars(
            select(t.CalendarCredential)
            .where(t.CalendarCredential.user_id == user_id)
            .order_by(t.CalendarCredential.id)
        )
        return [_credential(r) for r in rows]

    async def calendars_of(self, user_id: int) -> list[ConnectedCalendar]:
        rows = await self.session.execute(
            select(t.ConnectedCalendar, t.CalendarCredential.type)
            .join(t.CalendarCredential)
            .where(t.ConnectedCalendar.user_id == user_id)
            .order_by(t.ConnectedCalendar.id)
        )
        return [_calendar(row, kind) for row, kind in rows]

    async def with_credentials(
        self, user_ids: Sequence[int], *, selected: bool | None = None, destination: bool = False
    ) -> list[tuple[ConnectedCalendar, Credential]]:
        """Calendars of ``user_ids`` with their credentials: the selected ones (conflict
        checks), or with ``destination`` the destination calendar."""
        query = (
            select(t.ConnectedCalendar, t.CalendarCredential)
            .join(t.CalendarCredential)
            .where(t.ConnectedCalendar.user_id.in_(list(user_ids)))
            .order_by(t.ConnectedCalendar.id)
        )
        if selected is not None:
            query = query.where(t.ConnectedCalendar.is_selected == selected)
        if destination:
            query = query.where(t.ConnectedCalendar.is_destination.is_(True))
        rows = await self.session.execute(query)
        return [(_calendar(cal, cred.type), _credential(cred)) for cal, cred in rows]

    async def set_selected(
        self, user_id: int, credential_id: int, external_id: str, selected: bool
    ) -> ConnectedCalendar | None:
        result = await self.session.execute(
            update(t.ConnectedCalendar)
            .where(
                t.ConnectedCalendar.user_id == user_id,
                t.ConnectedCalendar.credential_id == credential_id,
                t.ConnectedCalendar.external_id == external_id,
            )
            .values(is_selected=selected)
            .returning(t.ConnectedCalendar.id)
        )
        found = result.scalar_one_or_none()
        if found is None:
            return None
        return next(c for c in await self.calendars_of(user_id) if c.id == found)

    async def set_destination(self, user_id: int, calendar_id: int | None) -> None:
        """Make ``calendar_id`` the user's only destination calendar (None: no destination)."""
        await self.session.execute(
            update(t.ConnectedCalendar)
            .where(t.ConnectedCalendar.user_id == user_id)
            .values(is_destination=t.ConnectedCalendar.id == calendar_id)
        )

    async def remove_credential(self, credential_id: int) -> None:
        await self.session.execute(
            delete(t.ConnectedCalendar).where(t.ConnectedCalendar.credential_id == credential_id)
        )
        await self.session.execute(
            delete(t.CalendarCredential).where(t.CalendarCredential.id == credential_id)
        )

    async def mark_invalid(self, credential_id: int, invalid: bool) -> None:
        await self.session.execute(
            update(t.CalendarCredential)
            .where(t.CalendarCredential.id == credential_id)
            .values(invalid=invalid)
        )

    async def count_credentials(self) -> int:
        return int(await self.session.scalar(select(func.count(t.CalendarCredential.id))) or 0)

    async def any_secret(self) -> str | None:
        return await self.session.scalar(select(t.CalendarCredential.secret).limit(1))
