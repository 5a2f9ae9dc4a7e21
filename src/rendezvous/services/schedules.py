"""Availability schedules (contract §5): a user's own, with exactly one default.

The default is not a flag on the schedule but ``users.default_schedule_id``, so "exactly one
default per user" holds by construction; these use cases only decide when it moves:
- a user's first schedule becomes the default, whatever ``isDefault`` says;
- ``isDefault: true`` on another schedule moves it there;
- deleting the default hands it to the oldest remaining schedule.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rendezvous.domain.accounts import User
from rendezvous.domain.errors import Conflict, InvalidInput, NotFound
from rendezvous.domain.event_types import EventType
from rendezvous.domain.schedules import StoredSchedule
from rendezvous.services.ports import UnitOfWork

# What a PATCH may change (snake_case, as the repository's columns are named).
EDITABLE = ("name", "time_zone", "availability", "overrides")


@dataclass(frozen=True, slots=True)
class ScheduleView:
    schedule: StoredSchedule
    is_default: bool


@dataclass(frozen=True, slots=True)
class NewSchedule:
    name: str
    time_zone: str
    is_default: bool
    # Wire form, already validated: [{"days": [...], "startTime": "HH:MM", "endTime": "HH:MM"}]
    availability: Sequence[Mapping[str, Any]]
    overrides: Sequence[Mapping[str, Any]]


def not_found(schedule_id: int) -> NotFound:
    return NotFound(f"Schedule with id={schedule_id} not found")


async def _current_user(uow: UnitOfWork, user: User) -> User:
    """The caller as stored now (inside the write transaction), not as authenticated."""
    fresh = await uow.users.get(user.id)
    if fresh is None:
        raise NotFound(f"User with id={user.id} not found")
    return fresh


async def _own(uow: UnitOfWork, user: User, schedule_id: int) -> StoredSchedule:
    schedule = await uow.schedules.get(schedule_id)
    # Another user's schedule is "not found": never reveal that it exists.
    if schedule is None or schedule.owner_id != user.id:
        raise not_found(schedule_id)
    return schedule


async def list_schedules(uow: UnitOfWork, user: User) -> list[ScheduleView]:
    schedules = await uow.schedules.for_user(user.id)
    return [ScheduleView(s, s.id == user.default_schedule_id) for s in schedules]


async def default_schedule(uow: UnitOfWork, user: User) -> ScheduleView | None:
    if user.default_schedule_id is None:
        return None
    schedule = await uow.schedules.get(user.default_schedule_id)
    return ScheduleView(schedule, True) if schedule else None


async def get_schedule(uow: UnitOfWork, user: User, schedule_id: int) -> ScheduleView:
    schedule = await _own(uow, user, schedule_id)
    return ScheduleView(schedule, schedule.id == user.default_schedule_id)


async def create_schedule(
    uow: UnitOfWork, user: User, new: NewSchedule, now: datetime
) -> ScheduleView:
    await uow.begin_write()
    owner = await _current_user(uow, user)
    schedule_id = await uow.schedules.add(
        user_id=owner.id,
        name=new.name,
        time_zone=new.time_zone,
        availability=[dict(item) for item in new.availability],
        overrides=[dict(item) for item in new.overrides],
        now=now,
    )
    becomes_default = new.is_default or owner.default_schedule_id is None
    if becomes_default:
        await uow.users.update(owner.id, now=now, default_schedule_id=schedule_id)
    schedule = await _own(uow, owner, schedule_id)
    await uow.commit()
    return ScheduleView(schedule, becomes_default)


async def update_schedule(
    uow: UnitOfWork, user: User, schedule_id: int, changes: Mapping[str, Any], now: datetime
) -> ScheduleView:
    """Apply the named changes (``name``, ``time_zone``, ``availability``, ``overrides``,
    ``is_default``); a list sent replaces the stored one whole."""
    await uow.begin_write()
    owner = await _current_user(uow, user)
    schedule = await _own(uow, owner, schedule_id)
    is_default = schedule.id == owner.default_schedule_id
    if changes.get("is_default") is False and is_default:
        raise InvalidInput(
            "isDefault: the default schedule can't be unset; send isDefault: true on another "
            "schedule to make that one the default",
            {"fields": ["isDefault"]},
        )
    fields = {key: changes[key] for key in EDITABLE if key in changes}
    if fields:
        schedule = await uow.schedules.update(schedule_id, now=now, **fields)
    if changes.get("is_default") is True and not is_default:
        await uow.users.update(owner.id, now=now, default_schedule_id=schedule_id)
        is_default = True
    await uow.commit()
    return ScheduleView(schedule, is_default)


def _users_of(schedule_id: int, is_default: bool, event_types: Sequence[EventType]) -> list[str]:
    """Slugs of the event types whose availability comes from the schedule."""
    return [
        et.slug
        for et in event_types
        if et.schedule_id == schedule_id or (is_default and et.schedule_id is None)
    ]


async def delete_schedule(uow: UnitOfWork, user: User, schedule_id: int, now: datetime) -> None:
    await uow.begin_write()
    owner = await _current_user(uow, user)
    await _own(uow, owner, schedule_id)
    is_default = schedule_id == owner.default_schedule_id
    in_use = _users_of(schedule_id, is_default, await uow.event_types.for_owner(owner.id))
    if in_use:
        # Cal.com compat: Cal.com deletes and lets those event types fall back silently; we refuse
        # rather than change anyone's bookable hours behind their back.
        which = "the default schedule, " if is_default else ""
        raise Conflict(
            f"Schedule with id={schedule_id} is {which}used by event types "
            f"{', '.join(sorted(in_use))}: give them another schedule"
            + (" or make another schedule the default" if is_default else "")
            + " before deleting it"
        )
    if is_default:
        others = [s for s in await uow.schedules.for_user(owner.id) if s.id != schedule_id]
        if not others:
            # Cal.com compat: every user keeps a default schedule (contract §0 item 11).
            raise Conflict(
                f"Schedule with id={schedule_id} is your only schedule: every user keeps a "
                "default schedule, so create another one before deleting it"
            )
        await uow.users.update(owner.id, now=now, default_schedule_id=others[0].id)
    await uow.schedules.remove(schedule_id)
    await uow.commit()
