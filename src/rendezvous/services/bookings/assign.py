"""Which hosts a new booking of a team event type goes to."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rendezvous.domain.event_types import EventType
from rendezvous.domain.hosts import Host, choose_round_robin, host_ids
from rendezvous.domain.models import Slot
from rendezvous.services.ports import UnitOfWork
from rendezvous.services.slots import bookable_hosts


def is_team(event_type: EventType, hosts: Sequence[Host]) -> bool:
    return len(hosts) > 1 or event_type.scheduling_type in ("COLLECTIVE", "ROUND_ROBIN")


async def lock_for_booking(uow: UnitOfWork, event_type: EventType, hosts: Sequence[Host]) -> None:
    """Serialise with every other booking of these hosts where the choice of hosts depends on
    what is free (round robin) or on checks no constraint makes (limits, seats): concurrent
    bookings of one round-robin slot then go to different free hosts, one after the other."""
    await uow.lock_hosts(host_ids(hosts))


async def assign(
    uow: UnitOfWork,
    event_type: EventType,
    hosts: Sequence[Host],
    start: datetime,
    *,
    now: datetime,
    duration: int | None,
    ignore_booking_uid: str | None = None,
    keep: int | None = None,
) -> tuple[Slot, list[Host], str | None]:
    """The slot at ``start``, the hosts the booking goes to (organizer first) and, for round
    robin, why its host was chosen. Every host for a personal or collective event type; for
    round robin ``choose_round_robin`` over the free hosts (``keep``: the host to keep when
    free). Raises the DomainError saying why the start cannot be taken."""
    slot, free = await bookable_hosts(
        uow,
        event_type,
        hosts,
        start,
        now=now,
        duration=duration,
        ignore_booking_uid=ignore_booking_uid,
    )
    if event_type.scheduling_type != "ROUND_ROBIN" or len(hosts) < 2:
        return slot, list(hosts), None
    records = await uow.teams.host_records(event_type.id, host_ids(free))
    chosen = choose_round_robin(free, records, keep=keep)
    return slot, chosen.hosts, chosen.reason
