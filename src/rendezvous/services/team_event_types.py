"""Team event types (contract §7.2): COLLECTIVE, ROUND_ROBIN and MANAGED event types of a team.

Stored like personal ones (``services.event_types``: the wire settings document plus the engine's
rules) with ``team_id``, ``scheduling_type`` and no owner; their hosts are ``event_type_hosts``
rows. A MANAGED event type is a template: each assigned member gets a child event type of their
own (``parent_id``), which is what slots and bookings use. Team admins and owners (and the
organization's admins) change them; accepted members read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rendezvous.domain import errors
from rendezvous.domain.accounts import User
from rendezvous.domain.event_types import EventType
from rendezvous.domain.teams import HostSetting, Team
from rendezvous.services.event_types import ApplyPatch, rules_from_settings
from rendezvous.services.ports import UnitOfWork
from rendezvous.services.slots import host_settings
from rendezvous.services.teams import team_access

# Settings only the team event type itself keeps (not copied to managed children).
TEAM_ONLY = ("assignAllTeamMembers", "rescheduleWithSameRoundRobinHost", "emailSettings")


@dataclass(frozen=True, slots=True)
class TeamEventTypeView:
    """A team event type with what its output shows: its team and its hosts' users."""

    event_type: EventType
    team: Team
    hosts: list[tuple[HostSetting, User]]


@dataclass(frozen=True, slots=True)
class TeamFields:
    """What a team event type adds to §4.1: the scheduling type (upper-case), its hosts and
    assignAllTeamMembers (None: not sent, on PATCH)."""

    scheduling_type: str | None
    hosts: Sequence[HostSetting] | None
    assign_all: bool | None


def not_found(event_type_id: int) -> errors.NotFound:
    return errors.NotFound(f"Event type with id={event_type_id} not found")


async def _view(uow: UnitOfWork, event_type: EventType, team: Team) -> TeamEventTypeView:
    settings = await host_settings(uow, event_type)
    users = {u.id: u for u, _ in await uow.event_types.host_users([h.user_id for h in settings])}
    hosts = [(h, users[h.user_id]) for h in settings if h.user_id in users]
    return TeamEventTypeView(event_type, team, hosts)


async def _check_hosts(uow: UnitOfWork, team: Team, hosts: Sequence[HostSetting]) -> None:
    members = set(await uow.teams.member_ids(team.id))
    strangers = sorted({h.user_id for h in hosts} - members)
    if strangers:
        raise errors.InvalidInput(
            f"hosts must be accepted members of team {team.id}; not members: "
            + ", ".join(str(u) for u in strangers),
            {"fields": ["hosts"]},
        )
    if len({h.user_id for h in hosts}) != len(hosts):
        raise errors.InvalidInput("hosts names a user twice", {"fields": ["hosts"]})


def _columns(settings: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "slug": str(settings["slug"]),
        "title": str(settings["title"]),
        "hidden": bool(settings.get("hidden")),
        "schedule_id": settings.get("scheduleId"),
        "rules": rules_from_settings(settings),
        "settings": {k: v for k, v in settings.items() if k != "scheduleId"},
    }


async def _check_slug(uow: UnitOfWork, team: Team, slug: str, except_id: int | None) -> None:
    same = await uow.event_types.by_team_slug(team.id, slug)
    if same is not None and same.id != except_id:
        raise errors.Conflict(f"Team {team.id} already has an event type with slug '{slug}'")


async def _check_schedule(uow: UnitOfWork, caller: User, settings: Mapping[str, Any]) -> None:
    schedule_id = settings.get("scheduleId")
    if schedule_id is not None and not await uow.schedules.owned_by(schedule_id, caller.id):
        raise errors.NotFound(f"Schedule with id={schedule_id} not found")


async def _sync_children(
    uow: UnitOfWork, parent: EventType, settings: Mapping[str, Any], now: datetime
) -> None:
    """A managed event type's children match its assignees: one per member, with the parent's
    settings (less the team-only ones); a member's own event type with the same slug is a 409."""
    assignees = [h.user_id for h in await host_settings(uow, parent)]
    child_settings = {k: v for k, v in settings.items() if k not in TEAM_ONLY}
    columns = _columns(child_settings) | {"schedule_id": None}
    existing = {c.owner_id: c for c in await uow.event_types.children_of(parent.id)}
    for user_id, child in existing.items():
        if user_id not in assignees:
            await uow.event_types.remove(child.id)
    for user_id in assignees:
        mine = existing.get(user_id)
        if mine is not None:
            await uow.event_types.update(mine.id, now=now, **columns)
            continue
        if await uow.event_types.by_owner_slug(user_id, columns["slug"]) is not None:
            raise errors.Conflict(
                f"User {user_id} already has an event type with slug '{columns['slug']}'"
            )
        await uow.event_types.add(owner_id=user_id, parent_id=parent.id, now=now, **columns)


async def list_team_event_types(
    uow: UnitOfWork,
    caller: User,
    team_id: int,
    *,
    org_id: int | None,
    event_slug: str | None = None,
) -> list[TeamEventTypeView]:
    access = (await team_access(uow, caller, team_id, org_id=org_id)).require_read()
    event_types = await uow.event_types.for_team(team_id)
    if event_slug is not None:
        event_types = [et for et in event_types if et.slug == event_slug]
    return [await _view(uow, et, access.team) for et in event_types]


async def list_org_event_types(
    uow: UnitOfWork, caller: User, org_id: int, *, take: int, skip: int
) -> list[TeamEventTypeView]:
    """Every team event type of the organization's teams (org admins only)."""
    from rendezvous.services.teams import require_org_admin

    await require_org_admin(uow, caller, org_id)
    teams = {t.id: t for t in await uow.teams.children(org_id, take=10_000, skip=0)}
    event_types = (await uow.event_types.for_teams(sorted(teams)))[skip : skip + take]
    return [await _view(uow, et, teams[et.team_id or 0]) for et in event_types]


async def _team_event_type(uow: UnitOfWork, team_id: int, event_type_id: int) -> EventType:
    event_type = await uow.event_types.get(event_type_id)
    if event_type is None or event_type.team_id != team_id:
        raise not_found(event_type_id)
    return event_type


async def get_team_event_type(
    uow: UnitOfWork, caller: User, team_id: int, event_type_id: int, *, org_id: int | None
) -> TeamEventTypeView:
    access = (await team_access(uow, caller, team_id, org_id=org_id)).require_read()
    return await _view(uow, await _team_event_type(uow, team_id, event_type_id), access.team)


async def create_team_event_type(
    uow: UnitOfWork,
    caller: User,
    team_id: int,
    settings: dict[str, Any],
    team_fields: TeamFields,
    now: datetime,
    *,
    org_id: int | None,
) -> tuple[TeamEventTypeView, list[EventType]]:
    """A new team event type (team admins and owners); for MANAGED also its children, which
    are returned second."""
    await uow.begin_write()
    access = (await team_access(uow, caller, team_id, org_id=org_id)).require_manage()
    team = access.team
    hosts = list(team_fields.hosts or ())
    await _check_hosts(uow, team, hosts)
    await _check_slug(uow, team, str(settings["slug"]), None)
    await _check_schedule(uow, caller, settings)
    if team_fields.assign_all:
        settings["assignAllTeamMembers"] = True
    event_type = await uow.event_types.add(
        owner_id=None,
        team_id=team.id,
        scheduling_type=team_fields.scheduling_type,
        now=now,
        **_columns(settings),
    )
    await uow.teams.set_hosts(event_type.id, hosts)
    children: list[EventType] = []
    if event_type.scheduling_type == "MANAGED":
        await _sync_children(uow, event_type, settings, now)
        children = await uow.event_types.children_of(event_type.id)
    view = await _view(uow, event_type, team)
    await uow.commit()
    return view, children


async def update_team_event_type(
    uow: UnitOfWork,
    caller: User,
    team_id: int,
    event_type_id: int,
    apply: ApplyPatch,
    team_fields: TeamFields,
    now: datetime,
    *,
    org_id: int | None,
) -> TeamEventTypeView:
    """Change the fields sent (team admins and owners); ``hosts`` replaces the hosts."""
    await uow.begin_write()
    access = (await team_access(uow, caller, team_id, org_id=org_id)).require_manage()
    current = await _team_event_type(uow, team_id, event_type_id)
    document = dict(current.settings)
    if current.schedule_id is not None:
        document["scheduleId"] = current.schedule_id
    settings = apply(document)
    await _check_slug(uow, access.team, str(settings["slug"]), current.id)
    await _check_schedule(uow, caller, settings)
    if team_fields.hosts is not None:
        await _check_hosts(uow, access.team, team_fields.hosts)
        await uow.teams.set_hosts(current.id, team_fields.hosts)
        if team_fields.assign_all is None:
            settings.pop("assignAllTeamMembers", None)
    if team_fields.assign_all is not None:
        if team_fields.assign_all:
            settings["assignAllTeamMembers"] = True
        else:
            settings.pop("assignAllTeamMembers", None)
    if settings.get("assignAllTeamMembers") and team_fields.hosts:
        raise errors.InvalidInput(
            "Send either assignAllTeamMembers or hosts, not both", {"fields": ["hosts"]}
        )
    updated = await uow.event_types.update(current.id, now=now, **_columns(settings))
    if updated.scheduling_type == "MANAGED":
        await _sync_children(uow, updated, settings, now)
    view = await _view(uow, updated, access.team)
    await uow.commit()
    return view


async def delete_team_event_type(
    uow: UnitOfWork, caller: User, team_id: int, event_type_id: int, *, org_id: int | None
) -> EventType:
    await uow.begin_write()
    (await team_access(uow, caller, team_id, org_id=org_id)).require_manage()
    event_type = await _team_event_type(uow, team_id, event_type_id)
    await uow.event_types.remove(event_type.id)
    await uow.commit()
    return event_type


@dataclass(frozen=True, slots=True)
class TeamGroup:
    """One team's group in the legacy event-types list."""

    team: Team
    role: str
    member_count: int
    event_types: list[EventType]


async def legacy_groups(uow: UnitOfWork, caller: User) -> list[TeamGroup]:
    """The caller's teams with their event types (the legacy headerless list, §0 item 1)."""
    groups: list[TeamGroup] = []
    for team in await uow.teams.teams_of(caller.id, take=1000, skip=0):
        membership = await uow.teams.membership(team.id, caller.id)
        groups.append(
            TeamGroup(
                team,
                membership.role if membership else "MEMBER",
                len(await uow.teams.member_ids(team.id)),
                await uow.event_types.for_team(team.id),
            )
        )
    return groups
