"""Event types: rows ↔ domain EventType (engine rules rebuilt from typed columns)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from rendezvous.db import tables as t
from rendezvous.db.repos.integrity import is_foreign_key_violation
from rendezvous.db.repos.schedules import to_schedule
from rendezvous.db.repos.users import to_user
from rendezvous.domain.accounts import User
from rendezvous.domain.errors import Conflict
from rendezvous.domain.event_types import EventType
from rendezvous.domain.models import BookingWindow, EventRules, PeriodLimits
from rendezvous.domain.schedules import StoredSchedule


def _window(data: dict[str, Any] | None) -> BookingWindow | None:
    if not data:
        return None
    start, end = data.get("start_date"), data.get("end_date")
    return BookingWindow(
        kind=data["kind"],
        days=int(data.get("days", 0)),
        rolling=bool(data.get("rolling", False)),
        start_date=date.fromisoformat(start) if start else None,
        end_date=date.fromisoformat(end) if end else None,
    )


def window_columns(window: BookingWindow | None) -> dict[str, Any] | None:
    if window is None:
        return None
    return {
        "kind": window.kind,
        "days": window.days,
        "rolling": window.rolling,
        "start_date": window.start_date.isoformat() if window.start_date else None,
        "end_date": window.end_date.isoformat() if window.end_date else None,
    }


def _limits(data: dict[str, Any] | None) -> PeriodLimits | None:
    return PeriodLimits(**data) if data else None


def limits_columns(limits: PeriodLimits | None) -> dict[str, Any] | None:
    if limits is None or not limits.any:
        return None
    return {"day": limits.day, "week": limits.week, "month": limits.month, "year": limits.year}


def rule_columns(rules: EventRules) -> dict[str, Any]:
    # The columns keep their stored names (renaming them would need a migration).
    return {
        "length": rules.duration,
        "length_options": list(rules.duration_options),
        "slot_interval": rules.slot_interval,
        "minimum_notice": rules.minimum_notice,
        "before_buffer": rules.before_buffer,
        "after_buffer": rules.after_buffer,
        "offset_start": rules.offset_start,
        "only_first_slot": rules.only_first_slot,
        "seats_per_slot": rules.seats_per_slot,
        "booking_window": window_columns(rules.booking_window),
        "count_limits": limits_columns(rules.count_limits),
        "duration_limits": limits_columns(rules.duration_limits),
    }


def to_event_type(row: t.EventType) -> EventType:
    return EventType(
        id=row.id,
        owner_id=row.owner_id,
        team_id=row.team_id,
        slug=row.slug,
        title=row.title,
        hidden=row.hidden,
        schedule_id=row.schedule_id,
        position=row.position,
        scheduling_type=row.scheduling_type,
        parent_id=row.parent_id,
        settings=dict(row.settings or {}),
        rules=EventRules(
            duration=row.length,
            duration_options=tuple(row.length_options or ()),
            slot_interval=row.slot_interval,
            before_buffer=row.before_buffer,
            after_buffer=row.after_buffer,
            minimum_notice=row.minimum_notice,
            booking_window=_window(row.booking_window),
            count_limits=_limits(row.count_limits),
            duration_limits=_limits(row.duration_limits),
            offset_start=row.offset_start,
            only_first_slot=row.only_first_slot,
            seats_per_slot=row.seats_per_slot,
        ),
    )


class EventTypeRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _flush(self, slug: str, schedule_id: int | None) -> None:
        """Flush; a concurrent writer that took the slug first, or deleted the schedule, makes
        this a 409, not a 500 (the service checks first; the UNIQUE (owner_id, slug) constraint
        and the schedule foreign key settle races)."""
        try:
            await self.session.flush()
        except IntegrityError as exc:
            if is_foreign_key_violation(exc):
                raise Conflict(
                    f"Schedule with id={schedule_id} was deleted while this request ran"
                ) from None
            if "unique" not in str(exc.orig).lower():
                raise
            raise Conflict(f"An event type with slug '{slug}' already exists") from None

    async def add(
        self,
        *,
        owner_id: int | None,
        slug: str,
        title: str,
        hidden: bool,
        schedule_id: int | None,
        rules: EventRules,
        settings: dict[str, Any],
        now: datetime,
        team_id: int | None = None,
        scheduling_type: str | None = None,
        parent_id: int | None = None,
    ) -> EventType:
        position = await self.session.scalar(
            select(func.count()).select_from(t.EventType).where(t.EventType.owner_id == owner_id)
        )
        row = t.EventType(
            owner_id=owner_id,
            team_id=team_id,
            scheduling_type=scheduling_type,
            parent_id=parent_id,
            slug=slug,
            title=title,
            hidden=hidden,
            schedule_id=schedule_id,
            position=int(position or 0),
            settings=settings,
            created_at=now,
            updated_at=now,
            **rule_columns(rules),
        )
        self.session.add(row)
        await self._flush(slug, schedule_id)
        return to_event_type(row)

    async def update(
        self,
        event_type_id: int,
        *,
        slug: str,
        title: str,
        hidden: bool,
        schedule_id: int | None,
        rules: EventRules,
        settings: dict[str, Any],
        now: datetime,
    ) -> EventType:
        row = await self.session.get(t.EventType, event_type_id)
        if row is None:
            raise LookupError(event_type_id)
        row.slug, row.title, row.hidden, row.schedule_id = slug, title, hidden, schedule_id
        row.settings = settings
        for name, value in rule_columns(rules).items():
            setattr(row, name, value)
        row.updated_at = now
        await self._flush(slug, schedule_id)
        return to_event_type(row)

    async def get(self, event_type_id: int) -> EventType | None:
        row = await self.session.get(t.EventType, event_type_id)
        return to_event_type(row) if row else None

    async def by_owner_slug(self, owner_id: int, slug: str) -> EventType | None:
        row = await self.session.scalar(
            select(t.EventType).where(t.EventType.owner_id == owner_id, t.EventType.slug == slug)
        )
        return to_event_type(row) if row else None

    async def for_owner(
        self, owner_id: int, *, include_hidden: bool = True, newest_first: bool | None = None
    ) -> list[EventType]:
        query = select(t.EventType).where(t.EventType.owner_id == owner_id)
        if not include_hidden:
            query = query.where(t.EventType.hidden.is_(False))
        if newest_first is None:
            query = query.order_by(t.EventType.position, t.EventType.id)
        else:
            query = query.order_by(t.EventType.id.desc() if newest_first else t.EventType.id)
        return [to_event_type(r) for r in await self.session.scalars(query)]

    async def remove(self, event_type_id: int) -> None:
        """Delete the event type and any managed children of it."""
        await self.session.execute(
            delete(t.EventType).where(t.EventType.parent_id == event_type_id)
        )
        await self.session.execute(delete(t.EventType).where(t.EventType.id == event_type_id))

    async def for_team(self, team_id: int, *, include_hidden: bool = True) -> list[EventType]:
        """A team's event types (not managed children, which belong to their members), by id."""
        query = select(t.EventType).where(t.EventType.team_id == team_id)
        if not include_hidden:
            query = query.where(t.EventType.hidden.is_(False))
        return [
            to_event_type(r) for r in await self.session.scalars(query.order_by(t.EventType.id))
        ]

    async def for_teams(self, team_ids: list[int]) -> list[EventType]:
        if not team_ids:
            return []
        query = select(t.EventType).where(t.EventType.team_id.in_(team_ids))
        return [
            to_event_type(r) for r in await self.session.scalars(query.order_by(t.EventType.id))
        ]

    async def by_team_slug(self, team_id: int, slug: str) -> EventType | None:
        row = await self.session.scalar(
            select(t.EventType).where(t.EventType.team_id == team_id, t.EventType.slug == slug)
        )
        return to_event_type(row) if row else None

    async def children_of(self, parent_id: int) -> list[EventType]:
        query = select(t.EventType).where(t.EventType.parent_id == parent_id)
        return [
            to_event_type(r) for r in await self.session.scalars(query.order_by(t.EventType.id))
        ]

    async def host_users(self, user_ids: list[int]) -> list[tuple[User, StoredSchedule | None]]:
        """The users with their default schedules, by id, in one statement (hosts of a team
        event type are judged in their own default schedules)."""
        rows = await self.session.execute(
            select(t.User, t.Schedule)
            .outerjoin(t.Schedule, t.Schedule.id == t.User.default_schedule_id)
            .where(t.User.id.in_(user_ids))
            .order_by(t.User.id)
        )
        return [(to_user(u), to_schedule(s) if s is not None else None) for u, s in rows]

    async def using_schedule(self, owner_id: int, schedule_id: int, *, or_default: bool) -> int:
        """How many of the owner's event types use the schedule (``or_default``: also those
        that follow the owner's default schedule, i.e. have no schedule of their own)."""
        condition = t.EventType.schedule_id == schedule_id
        if or_default:
            condition = condition | t.EventType.schedule_id.is_(None)
        count = await self.session.scalar(
            select(func.count())
            .select_from(t.EventType)
            .where(t.EventType.owner_id == owner_id, condition)
        )
        return int(count or 0)

    async def with_host(
        self,
        *,
        event_type_id: int | None = None,
        username: str | None = None,
        slug: str | None = None,
    ) -> tuple[EventType, User, StoredSchedule | None] | None:
        """The event type (by id, or by owner username and slug), its owner and the schedule it
        follows (its own, else the owner's default) in one statement: the slot hot path."""
        schedule_id = func.coalesce(t.EventType.schedule_id, t.User.default_schedule_id)
        query = (
            select(t.EventType, t.User, t.Schedule)
            .join(t.User, t.User.id == t.EventType.owner_id)
            .outerjoin(t.Schedule, t.Schedule.id == schedule_id)
        )
        if event_type_id is not None:
            query = query.where(t.EventType.id == event_type_id)
        else:
            query = query.where(t.User.username == username, t.EventType.slug == slug)
        row = (await self.session.execute(query)).first()
        if row is None:
            return None
        event_type, user, schedule = row
        return (
            to_event_type(event_type),
            to_user(user),
            to_schedule(schedule) if schedule is not None else None,
        )
