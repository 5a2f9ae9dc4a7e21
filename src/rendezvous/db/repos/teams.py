"""Organizations, teams, memberships and team event type hosts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from rendezvous.db import tables as t
from rendezvous.db.repos.users import to_user
from rendezvous.domain.accounts import User
from rendezvous.domain.errors import Conflict
from rendezvous.domain.hosts import HostRecord
from rendezvous.domain.teams import HostSetting, Membership, Team

# Booking statuses that count for round-robin fairness (what a host actually hosts).
_COUNTED = ("accepted", "pending")


def to_team(row: t.Team) -> Team:
    return Team(
        id=row.id,
        parent_id=row.parent_id,
        name=row.name,
        slug=row.slug,
        is_organization=row.is_organization,
        time_zone=row.time_zone,
        week_start=row.week_start,
        availability=list(row.availability or []),
        settings=dict(row.settings or {}),
    )


def to_membership(row: t.Membership) -> Membership:
    return Membership(
        id=row.id,
        team_id=row.team_id,
        user_id=row.user_id,
        role=row.role,
        accepted=row.accepted,
        disable_impersonation=row.disable_impersonation,
    )


class TeamRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _flush(self, slug: str) -> None:
        """Flush; a concurrent writer that took the slug in the organization first makes this
        a 409 (the service checks first; the unique index settles races)."""
        try:
            await self.session.flush()
        except IntegrityError:
            raise Conflict(f"A team with slug '{slug}' already exists here") from None

    async def add(self, *, now: datetime, **fields: Any) -> Team:
        row = t.Team(created_at=now, updated_at=now, **fields)
        self.session.add(row)
        await self._flush(row.slug)
        return to_team(row)

    async def get(self, team_id: int) -> Team | None:
        row = await self.session.get(t.Team, team_id)
        return to_team(row) if row else None

    async def by_slug(self, slug: str, *, parent_id: int | None = None) -> list[Team]:
        """Teams (not organizations) with ``slug``, by id, at most two: the one under
        organization ``parent_id``, or when None every team with that slug in any organization
        (two mean the slug is ambiguous). Organizations are found with ``organization``."""
        query = select(t.Team).where(t.Team.slug == slug, t.Team.is_organization.is_(False))
        if parent_id is not None:
            query = query.where(t.Team.parent_id == parent_id)
        rows = await self.session.scalars(query.order_by(t.Team.id).limit(2))
        return [to_team(row) for row in rows]

    async def organization(self, slug: str) -> Team | None:
        row = await self.session.scalar(
            select(t.Team).where(t.Team.slug == slug, t.Team.is_organization.is_(True)).limit(1)
        )
        return to_team(row) if row else None

    async def update(self, team_id: int, *, now: datetime, **fields: Any) -> Team:
        row = await self.session.get(t.Team, team_id)
        if row is None:
            raise LookupError(team_id)
        for name, value in fields.items():
            setattr(row, name, value)
        row.updated_at = now
        await self._flush(row.slug)
        return to_team(row)

    async def remove(self, team_id: int) -> None:
        """Delete the team with its memberships and its event types (and their children)."""
        ids = list(
            await self.session.scalars(select(t.EventType.id).where(t.EventType.team_id == team_id))
        )
        if ids:
            await self.session.execute(delete(t.EventType).where(t.EventType.parent_id.in_(ids)))
            await self.session.execute(delete(t.EventType).where(t.EventType.id.in_(ids)))
        await self.session.execute(
            update(t.User).where(t.User.organization_id == team_id).values(organization_id=None)
        )
        await self.session.execute(delete(t.Team).where(t.Team.id == team_id))

    async def children(self, org_id: int, *, take: int, skip: int) -> list[Team]:
        rows = await self.session.scalars(
            select(t.Team).where(t.Team.parent_id == org_id).order_by(t.Team.id)
            .offset(skip).limit(take)
        )  # fmt: skip
        return [to_team(r) for r in rows]

    async def slug_taken(self, slug: str, parent_id: int | None, except_id: int | None) -> bool:
        query = select(func.count()).select_from(t.Team).where(t.Team.slug == slug)
        query = query.where(
            t.Team.parent_id == parent_id if parent_id is not None else t.Team.parent_id.is_(None)
        )
        if except_id is not None:
            query = query.where(t.Team.id != except_id)
        return bool(await self.session.scalar(query))

    async def teams_of(self, user_id: int, *, take: int, skip: int) -> list[Team]:
        """Non-organization teams the user is an accepted member of, by id."""
        rows = await self.session.scalars(
            select(t.Team)
            .join(t.Membership, t.Membership.team_id == t.Team.id)
            .where(
                t.Membership.user_id == user_id,
                t.Membership.accepted.is_(True),
                t.Team.is_organization.is_(False),
            )
            .order_by(t.Team.id)
            .offset(skip)
            .limit(take)
        )
        return [to_team(r) for r in rows]

    async def managed_team_ids(self, user_id: int) -> list[int]:
        """Teams (not organizations) where the user is an accepted ADMIN or OWNER."""
        rows = await self.session.scalars(
            select(t.Membership.team_id)
            .join(t.Team, t.Team.id == t.Membership.team_id)
            .where(
                t.Membership.user_id == user_id,
                t.Membership.accepted.is_(True),
                t.Membership.role.in_(("ADMIN", "OWNER")),
                t.Team.is_organization.is_(False),
            )
        )
        return list(rows)

    # Memberships.

    async def membership(self, team_id: int, user_id: int) -> Membership | None:
        row = await self.session.scalar(
            select(t.Membership).where(
                t.Membership.team_id == team_id, t.Membership.user_id == user_id
            )
        )
        return to_membership(row) if row else None

    async def membership_by_id(self, membership_id: int) -> tuple[Membership, User] | None:
        row = (
            await self.session.execute(
                select(t.Membership, t.User)
                .join(t.User, t.User.id == t.Membership.user_id)
                .where(t.Membership.id == membership_id)
            )
        ).first()
        return (to_membership(row[0]), to_user(row[1])) if row else None

    async def memberships(
        self, team_id: int, *, take: int, skip: int
    ) -> list[tuple[Membership, User]]:
        rows = await self.session.execute(
            select(t.Membership, t.User)
            .join(t.User, t.User.id == t.Membership.user_id)
            .where(t.Membership.team_id == team_id)
            .order_by(t.Membership.id)
            .offset(skip)
            .limit(take)
        )
        return [(to_membership(m), to_user(u)) for m, u in rows]

    async def member_ids(self, team_id: int) -> list[int]:
        """Accepted members' user ids, ascending."""
        rows = await self.session.scalars(
            select(t.Membership.user_id)
            .where(t.Membership.team_id == team_id, t.Membership.accepted.is_(True))
            .order_by(t.Membership.user_id)
        )
        return list(rows)

    async def add_membership(
        self,
        *,
        team_id: int,
        user_id: int,
        role: str,
        accepted: bool,
        disable_impersonation: bool,
        now: datetime,
    ) -> Membership:
        row = t.Membership(
            team_id=team_id,
            user_id=user_id,
            role=role,
            accepted=accepted,
            disable_impersonation=disable_impersonation,
            created_at=now,
        )
        self.session.add(row)
        try:
            await self.session.flush()
        except IntegrityError:
            raise Conflict(f"User {user_id} is already a member of team {team_id}") from None
        return to_membership(row)

    async def update_membership(self, membership_id: int, **fields: Any) -> Membership:
        row = await self.session.get(t.Membership, membership_id)
        if row is None:
            raise LookupError(membership_id)
        for name, value in fields.items():
            setattr(row, name, value)
        await self.session.flush()
        return to_membership(row)

    async def lock(self, team_id: int) -> None:
        """Lock the team's row until the transaction ends (PostgreSQL ``FOR UPDATE``; SQLite's
        BEGIN IMMEDIATE already serialises writers): membership changes that count the team's
        owners run one at a time."""
        await self.session.execute(select(t.Team.id).where(t.Team.id == team_id).with_for_update())

    async def owner_count(self, team_id: int) -> int:
        """How many accepted OWNERs the team has."""
        return int(
            await self.session.scalar(
                select(func.count())
                .select_from(t.Membership)
                .where(
                    t.Membership.team_id == team_id,
                    t.Membership.accepted.is_(True),
                    t.Membership.role == "OWNER",
                )
            )
            or 0
        )

    async def remove_membership(self, membership_id: int) -> None:
        await self.session.execute(delete(t.Membership).where(t.Membership.id == membership_id))

    async def set_organization(self, user_id: int, org_id: int | None) -> None:
        await self.session.execute(
            update(t.User).where(t.User.id == user_id).values(organization_id=org_id)
        )

    # Team event type hosts.

    async def hosts(self, event_type_id: int) -> list[HostSetting]:
        rows = await self.session.scalars(
            select(t.EventTypeHost)
            .where(t.EventTypeHost.event_type_id == event_type_id)
            .order_by(t.EventTypeHost.user_id)
        )
        return [HostSetting(r.user_id, r.mandatory, r.priority, r.weight) for r in rows]

    async def set_hosts(self, event_type_id: int, hosts: Sequence[HostSetting]) -> None:
        await self.session.execute(
            delete(t.EventTypeHost).where(t.EventTypeHost.event_type_id == event_type_id)
        )
        for h in hosts:
            self.session.add(
                t.EventTypeHost(
                    event_type_id=event_type_id,
                    user_id=h.user_id,
                    mandatory=h.mandatory,
                    priority=h.priority,
                    weight=h.weight,
                )
            )
        await self.session.flush()

    async def host_records(
        self, event_type_id: int, user_ids: Sequence[int]
    ) -> dict[int, HostRecord]:
        """Each host's active bookings of the event type and when the latest was made."""
        rows = await self.session.execute(
            select(t.BookingHost.user_id, func.count(), func.max(t.Booking.created_at))
            .join(t.Booking, t.Booking.id == t.BookingHost.booking_id)
            .where(
                t.Booking.event_type_id == event_type_id,
                t.Booking.status.in_(_COUNTED),
                t.BookingHost.user_id.in_(list(user_ids)),
            )
            .group_by(t.BookingHost.user_id)
        )
        return {u: HostRecord(int(n), last) for u, n, last in rows}
