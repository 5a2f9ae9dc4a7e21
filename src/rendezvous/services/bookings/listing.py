"""List the bookings a user hosts or attends, a page at a time."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from rendezvous.domain.accounts import User
from rendezvous.domain.bookings import Booking, BookingFilters
from rendezvous.domain.event_types import EventType
from rendezvous.services.bookings.common import load_users
from rendezvous.services.ports import UnitOfWork


@dataclass(frozen=True, slots=True)
class Page:
    """One page of bookings with ``total`` matching in all, and what rendering them needs:
    their event types and host users, by id."""

    bookings: list[Booking]
    total: int
    event_types: Mapping[int, EventType]
    hosts: Mapping[int, User]


async def list_visible(
    uow: UnitOfWork,
    caller: User,
    filters: BookingFilters,
    *,
    now: datetime,
    take: int,
    skip: int,
) -> Page:
    """The caller's bookings (hosted, attended under their verified address, or of a team
    they administer) matching ``filters``: ``take`` of them after skipping ``skip``."""
    items, total = await uow.bookings.list_visible(
        filters,
        user_id=caller.id,
        email=caller.attendee_email(),  # an unverified address attends nothing
        now=now,
        take=take,
        skip=skip,
        team_ids=await uow.teams.managed_team_ids(caller.id),
    )
    event_types: dict[int, EventType] = {}
    for et_id in {b.event_type_id for b in items if b.event_type_id}:
        event_type = await uow.event_types.get(et_id)
        if event_type is not None:
            event_types[et_id] = event_type
    return Page(items, total, event_types, await load_users(uow, items))
