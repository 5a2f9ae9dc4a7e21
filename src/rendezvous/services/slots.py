"""Bookable times: load what the engine needs, ask it, hand back slots."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Literal

from rendezvous.domain.accounts import User
from rendezvous.domain.booking_rules import check_start
from rendezvous.domain.bounds import MAX_CANDIDATE_SLOTS, MINUTES_PER_DAY, rules_problem
from rendezvous.domain.errors import InvalidInput, NotFound, RuleViolation
from rendezvous.domain.event_types import EventType
from rendezvous.domain.hosts import (
    DEFAULT_PRIORITY,
    DEFAULT_WEIGHT,
    Host,
    HostTimes,
    fast_team_slots,
    free_hosts,
    independent_starts,
    team_slots,
)
from rendezvous.domain.models import BookedTime, EventRules, Schedule, Slot
from rendezvous.domain.schedules import StoredSchedule
from rendezvous.domain.slots import compute_slots, resolve_duration, spans_to_load
from rendezvous.domain.teams import HostSetting
from rendezvous.services import calendars
from rendezvous.services.ports import UnitOfWork

MAX_RANGE = timedelta(days=366)


async def team_event_type(
    uow: UnitOfWork, slug: str, team_slug: str, organization_slug: str | None = None
) -> EventType:
    """The event type ``slug`` of the team ``team_slug`` (inside organization
    ``organization_slug`` when given); NotFound otherwise. Without ``organization_slug`` the team
    slug must name one team: when teams of several organizations share it, InvalidInput (400)
    asks for ``organizationSlug`` rather than guess — a guess would show one organization's
    slots to, and book them for, a caller who meant another's."""
    parent_id = None
    if organization_slug is not None:
        org = await uow.teams.organization(organization_slug)
        if org is None:
            raise NotFound(f"Organization '{organization_slug}' not found")
        parent_id = org.id
    teams = await uow.teams.by_slug(team_slug, parent_id=parent_id)
    if len(teams) > 1:
        raise InvalidInput(
            f"Several organizations have a team with slug '{team_slug}': send organizationSlug too",
            {"fields": ["organizationSlug"]},
        )
    team = teams[0] if teams else None
    event_type = await uow.event_types.by_team_slug(team.id, slug) if team else None
    if event_type is None:
        raise NotFound(f"Event type '{slug}' of team '{team_slug}' not found")
    return event_type


async def resolve_event_type(
    uow: UnitOfWork,
    *,
    event_type_id: int | None = None,
    slug: str | None = None,
    username: str | None = None,
    team_slug: str | None = None,
    organization_slug: str | None = None,
) -> EventType:
    """The event type named by id, or by slug and owner username (or team slug); a mismatch
    is a 400."""
    event_type = None
    if event_type_id is None and slug is not None and username is None and team_slug:
        return await team_event_type(uow, slug, team_slug, organization_slug)
    if event_type_id is not None:
        event_type = await uow.event_types.get(event_type_id)
        if event_type is None:
            raise NotFound(f"Event type with id={event_type_id} not found")
        if slug is not None and slug != event_type.slug:
            raise InvalidInput(
                f"eventTypeSlug '{slug}' does not match event type {event_type_id}",
                {"fields": ["eventTypeSlug"], "location": "query"},
            )
        return event_type
    if slug is None or username is None:
        raise InvalidInput(
            "Identify the event type with eventTypeId, or eventTypeSlug and username or teamSlug",
            {"fields": ["eventTypeId", "eventTypeSlug", "username"], "location": "query"},
        )
    owner = await uow.users.by_username(username)
    if owner is not None:
        event_type = await uow.event_types.by_owner_slug(owner.id, slug)
    if event_type is None:
        raise NotFound(f"Event type '{slug}' of user '{username}' not found")
    return event_type


def _host(event_type: EventType, user: User, stored: StoredSchedule | None) -> Host:
    schedule = stored.to_engine() if stored else Schedule(time_zone=user.time_zone)
    return Host(user=user, schedule=schedule)


async def resolve_hosted(
    uow: UnitOfWork,
    *,
    event_type_id: int | None = None,
    slug: str | None = None,
    username: str | None = None,
    team_slug: str | None = None,
    organization_slug: str | None = None,
) -> tuple[EventType, list[Host]]:
    """``resolve_event_type`` and ``load_hosts`` in one database round trip (the slot hot
    path): the event type and its hosts (one for a personal event type; a team event type's
    take more)."""
    if event_type_id is None and username is None and slug is not None and team_slug:
        event_type = await team_event_type(uow, slug, team_slug, organization_slug)
        return event_type, await load_hosts(uow, event_type)
    if event_type_id is None and (slug is None or username is None):
        await resolve_event_type(uow, slug=slug, username=username)  # raises the 400
    found = await uow.event_types.with_host(
        event_type_id=event_type_id, username=username, slug=slug
    )
    if found is None:
        # Same answers as resolve_event_type (404s, or a team event type without an owner).
        event_type = await resolve_event_type(
            uow, event_type_id=event_type_id, slug=slug, username=username
        )
        return event_type, await load_hosts(uow, event_type)
    event_type, user, stored = found
    if event_type_id is not None and slug is not None and slug != event_type.slug:
        raise InvalidInput(
            f"eventTypeSlug '{slug}' does not match event type {event_type_id}",
            {"fields": ["eventTypeSlug"], "location": "query"},
        )
    return event_type, [_host(event_type, user, stored)]


async def host_settings(uow: UnitOfWork, event_type: EventType) -> list[HostSetting]:
    """A team event type's hosts as configured: its ``hosts`` that are still accepted members
    of the team, or every accepted member of the team with ``assignAllTeamMembers`` (hosts named
    explicitly keep their settings)."""
    named = await uow.teams.hosts(event_type.id)
    if event_type.team_id is None:
        return named
    # A host removed from the team, or whose membership is no longer accepted, hosts nothing.
    members = await uow.teams.member_ids(event_type.team_id)
    if not event_type.settings.get("assignAllTeamMembers"):
        current = set(members)
        return [h for h in named if h.user_id in current]
    by_user = {h.user_id: h for h in named}
    default = HostSetting(0, False, DEFAULT_PRIORITY, DEFAULT_WEIGHT)
    return [by_user.get(u, replace(default, user_id=u)) for u in members]


async def load_hosts(uow: UnitOfWork, event_type: EventType) -> list[Host]:
    """The event type's hosts with their schedules: its owner, for a personal event type (or a
    managed child); the configured hosts, each in their default schedule, for a collective or
    round-robin team event type. NotFound when it has no host; a managed parent is booked
    through its children (400)."""
    if event_type.scheduling_type == "MANAGED" and event_type.owner_id is None:
        raise InvalidInput(
            f"Event type {event_type.id} is a managed event type: use one of its children's ids",
            {"fields": ["eventTypeId"]},
        )
    if event_type.team_id is not None and event_type.owner_id is None:
        settings = await host_settings(uow, event_type)
        if not settings:
            raise NotFound(f"Event type with id={event_type.id} has no host")
        found = {u.id: (u, s) for u, s in await uow.event_types.host_users(
            [h.user_id for h in settings])}  # fmt: skip
        # An event type's own schedule applies to every host; else each host's default.
        shared = await uow.schedules.get(event_type.schedule_id) if event_type.schedule_id else None
        hosts = []
        for h in settings:
            if h.user_id in found:
                member, stored = found[h.user_id]
                base = _host(event_type, member, shared or stored)
                hosts.append(Host(member, base.schedule, h.mandatory, h.priority, h.weight))
        if not hosts:
            raise NotFound(f"Event type with id={event_type.id} has no host")
        return hosts
    if event_type.owner_id is None:
        raise NotFound(f"Event type with id={event_type.id} has no host")
    user = await uow.users.get(event_type.owner_id)
    if user is None:
        raise NotFound(f"Event type with id={event_type.id} not found")
    schedule_id = event_type.schedule_id or user.default_schedule_id
    stored = await uow.schedules.get(schedule_id) if schedule_id is not None else None
    return [_host(event_type, user, stored)]


def check_range(start: datetime, end: datetime) -> None:
    if end <= start:
        raise InvalidInput("end must be after start", {"fields": ["end"], "location": "query"})
    if end - start > MAX_RANGE:
        raise InvalidInput(
            "The range from start to end may span at most 366 days",
            {"fields": ["end"], "location": "query"},
        )


def needs_bookings(rules: EventRules) -> bool:
    """Bookings of the event type matter to the engine only for seats and booking limits."""
    return rules.seats_per_slot is not None or any(
        limits is not None and limits.any for limits in (rules.count_limits, rules.duration_limits)
    )


async def _taken(
    uow: UnitOfWork,
    event_type: EventType,
    hosts: Sequence[Host],
    start: datetime,
    end: datetime,
    *,
    now: datetime,
    duration: int | None,
    exclude_uid: str | None,
    caller_id: int | None = None,
) -> tuple[list[HostTimes], list[BookedTime]]:
    """What the engine must know to judge starts in [start, end): each host with its busy
    times (bookings other than ``exclude_uid``, reservations other than ``caller_id``'s) and,
    only where seats or limits need them, the event type's bookings."""
    rules = event_type.rules
    problem = rules_problem(rules)
    if problem is not None:
        # Only settings stored before input was bounded can get here; refuse rather than let
        # them overflow a date or run for long.
        raise RuleViolation(
            f"This event type's {problem} is outside the supported range; update the event type",
            {"fields": [problem]},
        )
    times: list[HostTimes] = []
    booked_span: tuple[datetime, datetime] | None = None
    for host in hosts:
        spans = spans_to_load(
            host.schedule,
            rules,
            range_start=start,
            range_end=end,
            now=now,
            week_start=host.week_start,
            duration=duration,
        )
        busy = await uow.occupancy.busy(
            [host.user.id],
            *spans.busy,
            now=now,
            exclude_booking_uid=exclude_uid,
            ignore_reservations_of=caller_id,
        )
        busy = [
            *busy,
            *await calendars.host_busy(
                uow, host.user.id, *spans.busy, time_zone=host.schedule.time_zone
            ),
        ]
        times.append(HostTimes(host, busy))
        booked_span = booked_span or spans.booked
    if not hosts:
        raise NotFound("This event type has no host")
    if not needs_bookings(rules) or booked_span is None:
        return times, []
    booked = await uow.bookings.booked_times(event_type.id, *booked_span, exclude_uid=exclude_uid)
    return times, booked


async def find_slots(
    uow: UnitOfWork,
    event_type: EventType,
    hosts: Sequence[Host],
    *,
    start: datetime,
    end: datetime,
    now: datetime,
    display_time_zone: str,
    duration: int | None = None,
    reschedule_uid: str | None = None,
    caller_id: int | None = None,
) -> list[Slot]:
    """The slots offered to ``caller_id`` (None: anonymous). A reservation is hidden from
    everyone but the authenticated user who made it: to them its slot stays listed."""
    check_range(start, end)
    rules = event_type.rules
    step = (rules.slot_interval or resolve_duration(rules, duration)) + rules.offset_start
    if (end - start) / timedelta(minutes=max(1, step)) > MAX_CANDIDATE_SLOTS:
        days = max(1, int(MAX_CANDIDATE_SLOTS * max(1, step) / MINUTES_PER_DAY))
        raise InvalidInput(
            f"With this event type's {step}-minute slot step the range from start to end may "
            f"span at most {days} days",
            {"fields": ["end"], "location": "query"},
        )
    times, booked = await _taken(
        uow,
        event_type,
        hosts,
        start,
        end,
        now=now,
        duration=duration,
        exclude_uid=reschedule_uid,
        caller_id=caller_id,
    )
    kind = _scheduling(event_type)
    if len(times) > 1 and not booked and independent_starts(rules):
        return fast_team_slots(
            kind, times, rules, range_start=start, range_end=end, now=now, duration=duration
        )
    per_host = [
        compute_slots(
            ht.host.schedule,
            rules,
            range_start=start,
            range_end=end,
            now=now,
            busy=ht.busy,
            booked=booked,
            duration=duration,
            week_start=ht.host.week_start,
            display_time_zone=display_time_zone,
        )
        for ht in times
    ]
    return team_slots(kind, hosts, per_host)


def _scheduling(event_type: EventType) -> Literal["COLLECTIVE", "ROUND_ROBIN"] | None:
    kind = event_type.scheduling_type
    return kind if kind in ("COLLECTIVE", "ROUND_ROBIN") else None  # type: ignore[return-value]


async def bookable_slot(
    uow: UnitOfWork,
    event_type: EventType,
    hosts: Sequence[Host],
    start: datetime,
    *,
    now: datetime,
    duration: int | None = None,
    ignore_booking_uid: str | None = None,
) -> Slot:
    """The slot at ``start`` if it can be taken now with ``hosts``, else the DomainError
    saying why."""
    slot, _ = await bookable_hosts(
        uow,
        event_type,
        hosts,
        start,
        now=now,
        duration=duration,
        ignore_booking_uid=ignore_booking_uid,
    )
    return slot


async def bookable_hosts(
    uow: UnitOfWork,
    event_type: EventType,
    hosts: Sequence[Host],
    start: datetime,
    *,
    now: datetime,
    duration: int | None = None,
    ignore_booking_uid: str | None = None,
) -> tuple[Slot, list[Host]]:
    """The slot at ``start`` and the hosts free for it (``free_hosts``: all of them for a
    personal or collective event type, the free ones for round robin), else the DomainError
    saying why it cannot be taken."""
    rules = event_type.rules
    times, booked = await _taken(
        uow,
        event_type,
        hosts,
        start,
        start + timedelta(minutes=resolve_duration(rules, duration)),
        now=now,
        duration=duration,
        exclude_uid=ignore_booking_uid,
    )
    busy_of = {ht.host.user.id: ht.busy for ht in times}

    def check(host: Host) -> Slot:
        return check_start(
            host.schedule,
            rules,
            start,
            now=now,
            busy=busy_of[host.user.id],
            booked=booked,
            duration=duration,
            week_start=host.week_start,
        )

    return free_hosts(_scheduling(event_type), hosts, check)
