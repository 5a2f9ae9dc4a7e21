"""Organizations, teams and memberships (contract §7.1, §7.3): load → decide → save.

Who may do what (``domain.teams``): organization admins and owners create, list, change and delete
the organization's teams; team admins and owners change their team and manage its memberships;
accepted members read. Someone outside both the organization and the team is told the team does
not exist (404); an organization member who is not in the team sees it exists but is refused
(403), as is a team member asking to change what only admins may.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rendezvous.domain import errors
from rendezvous.domain.accounts import User
from rendezvous.domain.teams import (
    DEFAULT_TEAM_AVAILABILITY,
    DEFAULT_TEAM_TIME_ZONE,
    DEFAULT_TEAM_WEEK_START,
    ROLES,
    Membership,
    Team,
    check_role_change,
)
from rendezvous.services.ports import UnitOfWork

# Team fields stored in their own columns; every other sent field is kept in ``settings``.
_COLUMNS = {"name": "name", "slug": "slug", "timeZone": "time_zone", "weekStart": "week_start"}
# Create-only switches, not stored.
_CREATE_ONLY = ("autoAcceptCreator", "addCreatorAsOwner")


def slugify(name: str) -> str:
    """Cal.com's slugify, roughly: lower-case kebab-case of letters and digits."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug[:255] or "team"


@dataclass(frozen=True, slots=True)
class Access:
    """What the caller may do with one team: its own membership, whether it administers the
    organization that owns the team, and whether it may see that the team exists."""

    team: Team
    membership: Membership | None
    org_admin: bool
    visible: bool

    @property
    def can_read(self) -> bool:
        return self.org_admin or (self.membership is not None and self.membership.accepted)

    @property
    def can_manage(self) -> bool:
        return self.org_admin or (self.membership is not None and self.membership.manages)

    @property
    def is_owner(self) -> bool:
        return self.org_admin or (
            self.membership is not None
            and self.membership.accepted
            and self.membership.role == "OWNER"
        )

    def require_read(self) -> Access:
        if self.can_read:
            return self
        if self.visible:
            raise errors.Forbidden(f"You are not a member of team {self.team.id}")
        raise errors.NotFound(f"Team with id={self.team.id} not found")

    def require_manage(self) -> Access:
        self.require_read()
        if not self.can_manage:
            raise errors.Forbidden(f"Only admins and owners of team {self.team.id} may do this")
        return self


async def organization_access(uow: UnitOfWork, caller: User, org_id: int) -> tuple[Team, bool]:
    """The organization and whether the caller administers it; NotFound unless the caller is an
    accepted member (never reveal an organization to outsiders)."""
    org = await uow.teams.get(org_id)
    membership = await uow.teams.membership(org_id, caller.id) if org else None
    if org is None or not org.is_organization or membership is None or not membership.accepted:
        raise errors.NotFound(f"Organization with id={org_id} not found")
    return org, membership.manages


async def require_org_admin(uow: UnitOfWork, caller: User, org_id: int) -> Team:
    org, admin = await organization_access(uow, caller, org_id)
    if not admin:
        raise errors.Forbidden(f"Only admins and owners of organization {org_id} may do this")
    return org


async def team_access(
    uow: UnitOfWork, caller: User, team_id: int, *, org_id: int | None = None
) -> Access:
    """The caller's access to a team (inside organization ``org_id`` when the path names one:
    a team of another organization is NotFound)."""
    team = await uow.teams.get(team_id)
    if team is None or team.is_organization or (org_id is not None and team.parent_id != org_id):
        raise errors.NotFound(f"Team with id={team_id} not found")
    membership = await uow.teams.membership(team_id, caller.id)
    org_admin = visible = False
    if team.parent_id is not None:
        org_membership = await uow.teams.membership(team.parent_id, caller.id)
        if org_membership is not None and org_membership.accepted:
            visible = True
            org_admin = org_membership.manages
    if membership is not None:
        visible = True
    return Access(team, membership, org_admin, visible)


# --- organizations (CLI) ---------------------------------------------------------------------


async def create_organization(
    uow: UnitOfWork, *, name: str, slug: str, owner_email: str, now: datetime
) -> Team:
    """A new organization with ``owner_email``'s user as its OWNER. A user belongs to at most
    one organization: Conflict when the owner is in another, or the slug is taken."""
    await uow.begin_write()
    owner = await _user(uow, owner_email)
    if await uow.teams.organization(slug) is not None:
        raise errors.Conflict(f"An organization with slug '{slug}' already exists")
    org = await uow.teams.add(
        parent_id=None,
        name=name,
        slug=slug,
        is_organization=True,
        time_zone=DEFAULT_TEAM_TIME_ZONE,
        week_start=DEFAULT_TEAM_WEEK_START,
        availability=[dict(a) for a in DEFAULT_TEAM_AVAILABILITY],
        settings={},
        now=now,
    )
    await _join_organization(uow, org, owner, "OWNER", now)
    await uow.commit()
    return org


async def add_organization_member(
    uow: UnitOfWork, *, org: str, email: str, role: str, now: datetime
) -> Membership:
    """Add a user to an organization (named by slug or id) with ``role``."""
    await uow.begin_write()
    found = await uow.teams.get(int(org)) if org.isdigit() else await uow.teams.organization(org)
    if found is None or not found.is_organization:
        raise errors.NotFound(f"Organization '{org}' not found")
    user = await _user(uow, email)
    membership = await _join_organization(uow, found, user, role, now)
    await uow.commit()
    return membership


async def _user(uow: UnitOfWork, email: str) -> User:
    user = await uow.users.by_email(email.strip().lower())
    if user is None:
        raise errors.NotFound(f"No user with email {email}")
    return user


async def _join_organization(
    uow: UnitOfWork, org: Team, user: User, role: str, now: datetime
) -> Membership:
    if role not in ROLES:
        raise errors.InvalidInput(f"role must be one of {', '.join(ROLES)}", {"fields": ["role"]})
    if user.organization_id is not None and user.organization_id != org.id:
        raise errors.Conflict(
            f"User {user.email} already belongs to organization {user.organization_id}"
        )
    membership = await uow.teams.add_membership(
        team_id=org.id,
        user_id=user.id,
        role=role,
        accepted=True,
        disable_impersonation=False,
        now=now,
    )
    await uow.teams.set_organization(user.id, org.id)
    return membership


# --- teams -----------------------------------------------------------------------------------


async def list_org_teams(
    uow: UnitOfWork, caller: User, org_id: int, *, take: int, skip: int
) -> list[Team]:
    await require_org_admin(uow, caller, org_id)
    return await uow.teams.children(org_id, take=take, skip=skip)


def _team_fields(body: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    columns = {_COLUMNS[k]: v for k, v in body.items() if k in _COLUMNS and v is not None}
    settings = {k: v for k, v in body.items() if k not in _COLUMNS and k not in _CREATE_ONLY}
    return columns, settings


async def create_team(
    uow: UnitOfWork, caller: User, org_id: int, body: Mapping[str, Any], now: datetime
) -> Team:
    """A new team of the organization (org admins only), with a default Mon–Fri 09:00–17:00
    schedule in its ``timeZone`` and, unless ``addCreatorAsOwner`` is false, the caller as its
    OWNER (accepted unless ``autoAcceptCreator`` is false)."""
    await uow.begin_write()
    org = await require_org_admin(uow, caller, org_id)
    columns, settings = _team_fields(body)
    columns.setdefault("slug", slugify(str(columns["name"])))
    if await uow.teams.slug_taken(columns["slug"], org.id, None):
        slug = columns["slug"]
        raise errors.Conflict(f"Organization {org.id} already has a team with slug '{slug}'")
    columns.setdefault("time_zone", DEFAULT_TEAM_TIME_ZONE)
    columns.setdefault("week_start", DEFAULT_TEAM_WEEK_START)
    team = await uow.teams.add(
        parent_id=org.id,
        is_organization=False,
        availability=[dict(a) for a in DEFAULT_TEAM_AVAILABILITY],
        settings=settings,
        now=now,
        **columns,
    )
    if body.get("addCreatorAsOwner", True) is not False:
        await uow.teams.add_membership(
            team_id=team.id,
            user_id=caller.id,
            role="OWNER",
            accepted=body.get("autoAcceptCreator", True) is not False,
            disable_impersonation=False,
            now=now,
        )
    await uow.commit()
    return team


async def get_team(uow: UnitOfWork, caller: User, team_id: int, *, org_id: int | None) -> Team:
    return (await team_access(uow, caller, team_id, org_id=org_id)).require_read().team


async def update_team(
    uow: UnitOfWork,
    caller: User,
    org_id: int,
    team_id: int,
    body: Mapping[str, Any],
    now: datetime,
) -> Team:
    """Change the fields sent (org admins, team admins and owners)."""
    await uow.begin_write()
    access = (await team_access(uow, caller, team_id, org_id=org_id)).require_manage()
    columns, settings = _team_fields(body)
    slug = columns.get("slug")
    if slug is not None and await uow.teams.slug_taken(slug, org_id, team_id):
        raise errors.Conflict(f"Organization {org_id} already has a team with slug '{slug}'")
    merged = dict(access.team.settings)
    for key, value in settings.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    team = await uow.teams.update(team_id, now=now, settings=merged, **columns)
    await uow.commit()
    return team


async def delete_team(uow: UnitOfWork, caller: User, org_id: int, team_id: int) -> Team:
    """Delete a team with its memberships and event types (org admins and team owners)."""
    await uow.begin_write()
    access = (await team_access(uow, caller, team_id, org_id=org_id)).require_manage()
    if not access.is_owner:
        raise errors.Forbidden("Only organization admins and team owners may delete a team")
    await uow.teams.remove(team_id)
    await uow.commit()
    return access.team


async def my_teams(uow: UnitOfWork, caller: User, *, take: int, skip: int) -> list[Team]:
    return await uow.teams.teams_of(caller.id, take=take, skip=skip)


# --- memberships -----------------------------------------------------------------------------


async def list_memberships(
    uow: UnitOfWork, caller: User, org_id: int, team_id: int, *, take: int, skip: int
) -> list[tuple[Membership, User]]:
    (await team_access(uow, caller, team_id, org_id=org_id)).require_read()
    return await uow.teams.memberships(team_id, take=take, skip=skip)


async def _membership_in(
    uow: UnitOfWork, team_id: int, membership_id: int
) -> tuple[Membership, User]:
    found = await uow.teams.membership_by_id(membership_id)
    if found is None or found[0].team_id != team_id:
        raise errors.NotFound(f"Membership with id={membership_id} not found")
    return found


async def get_membership(
    uow: UnitOfWork, caller: User, org_id: int, team_id: int, membership_id: int
) -> tuple[Membership, User]:
    (await team_access(uow, caller, team_id, org_id=org_id)).require_read()
    return await _membership_in(uow, team_id, membership_id)


async def add_membership(
    uow: UnitOfWork,
    caller: User,
    org_id: int,
    team_id: int,
    body: Mapping[str, Any],
    now: datetime,
) -> tuple[Membership, User]:
    """Add a user to the team (team admins and owners, org admins). The user must belong to
    the team's organization; only owners may add an OWNER; Conflict when already a member."""
    await uow.begin_write()
    access = (await team_access(uow, caller, team_id, org_id=org_id)).require_manage()
    role = str(body.get("role") or "MEMBER")
    _check_owner_grant(access, role)
    user = await uow.users.get(int(body["userId"]))
    if user is None or user.organization_id != org_id:
        raise errors.NotFound(f"User with id={body['userId']} not found in organization {org_id}")
    membership = await uow.teams.add_membership(
        team_id=team_id,
        user_id=user.id,
        role=role,
        accepted=bool(body.get("accepted", False)),
        disable_impersonation=bool(body.get("disableImpersonation", False)),
        now=now,
    )
    await uow.commit()
    return membership, user


async def _keep_an_owner(uow: UnitOfWork, current: Membership) -> None:
    """Conflict when ``current`` is the team's last accepted OWNER and is about to stop being
    one: a team always keeps an owner (who alone may delete it or name other owners). Callers
    lock the team's row before reading ``current``, so two owners demoting each other at once
    cannot both pass."""
    if (
        current.role == "OWNER"
        and current.accepted
        and await uow.teams.owner_count(current.team_id) <= 1
    ):
        raise errors.Conflict(
            f"Membership {current.id} is the last owner of team {current.team_id}: "
            "make another member an owner first"
        )


async def _drop_managed_children(uow: UnitOfWork, team_id: int, user_id: int) -> None:
    """A member who leaves the team (or whose membership is no longer accepted) loses their
    children of its managed event types (their bookings stay, without an event type)."""
    for event_type in await uow.event_types.for_team(team_id):
        if event_type.scheduling_type == "MANAGED":
            for child in await uow.event_types.children_of(event_type.id):
                if child.owner_id == user_id:
                    await uow.event_types.remove(child.id)


def _check_owner_grant(access: Access, role: str | None) -> None:
    if access.org_admin:
        return
    assert access.membership is not None
    check_role_change(access.membership, role)


async def update_membership(
    uow: UnitOfWork,
    caller: User,
    org_id: int,
    team_id: int,
    membership_id: int,
    body: Mapping[str, Any],
) -> tuple[Membership, User]:
    await uow.begin_write()
    await uow.teams.lock(team_id)
    access = (await team_access(uow, caller, team_id, org_id=org_id)).require_manage()
    current, user = await _membership_in(uow, team_id, membership_id)
    _check_owner_grant(access, body.get("role"))
    if current.role == "OWNER" and not access.is_owner:
        raise errors.Forbidden("Only owners may change an owner's membership")
    stays_owner = body.get("role") in (None, "OWNER") and body.get("accepted") is not False
    if not stays_owner:
        await _keep_an_owner(uow, current)
    fields = {
        column: body[key]
        for key, column in (
            ("role", "role"),
            ("accepted", "accepted"),
            ("disableImpersonation", "disable_impersonation"),
        )
        if body.get(key) is not None
    }
    updated = await uow.teams.update_membership(membership_id, **fields) if fields else current
    if current.accepted and not updated.accepted:
        await _drop_managed_children(uow, team_id, current.user_id)
    await uow.commit()
    return updated, user


async def delete_membership(
    uow: UnitOfWork, caller: User, org_id: int, team_id: int, membership_id: int
) -> tuple[Membership, User]:
    await uow.begin_write()
    await uow.teams.lock(team_id)
    access = (await team_access(uow, caller, team_id, org_id=org_id)).require_manage()
    current, user = await _membership_in(uow, team_id, membership_id)
    if current.role == "OWNER" and not access.is_owner:
        raise errors.Forbidden("Only owners may remove an owner")
    await _keep_an_owner(uow, current)
    await uow.teams.remove_membership(membership_id)
    await _drop_managed_children(uow, team_id, current.user_id)
    await uow.commit()
    return current, user
