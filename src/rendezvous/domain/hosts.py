"""An event type's hosts, and how they combine into the one availability the slot engine judges.

A personal event type has one host. Teams add collective event types (every host must be free:
the intersection of their availabilities) and round-robin ones (any host free; one is chosen);
they are decided here, in ``combine_hosts``, so the services keep their shape.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rendezvous.domain import errors
from rendezvous.domain.accounts import User
from rendezvous.domain.models import Busy, Schedule
from rendezvous.domain.schedules import WEEKDAY_NUMBERS


@dataclass(frozen=True, slots=True)
class Host:
    """A host of an event type and the schedule it uses (the event type's, else the host's
    default). The engine counts days of booking limits and windows in ``schedule.time_zone``."""

    user: User
    schedule: Schedule

    @property
    def week_start(self) -> int:
        return WEEKDAY_NUMBERS.get(self.user.week_start, 1)


@dataclass(frozen=True, slots=True)
class HostTimes:
    """A host with the times it is busy (its bookings and reservations, buffers included)."""

    host: Host
    busy: Sequence[Busy]


def host_ids(hosts: Sequence[Host]) -> list[int]:
    return [h.user.id for h in hosts]


def combine_hosts(hosts: Sequence[HostTimes]) -> HostTimes:
    """The schedule and busy times a start must fit for the event type to be booked with
    ``hosts``. Today every event type has exactly one host, who must be free: its own schedule
    and busy times. Raises NotFound for an event type without hosts."""
    if not hosts:
        raise errors.NotFound("This event type has no host")
    if len(hosts) > 1:  # pragma: no cover - no event type has several hosts before teams
        raise errors.RuleViolation("Event types with several hosts cannot be booked yet")
    return hosts[0]
