"""An event type's hosts, and how their availabilities combine (Cal.com's SchedulingType).

A personal event type has one host. A team event type has several:

* COLLECTIVE: a start is offered only when every host is free, each judged in their own
  schedule and zone, with their own busy times (bookings, reservations and, later, calendars);
  the booking holds every host's time. Its slots are the intersection of the hosts' slots.
* ROUND_ROBIN: a start is offered when at least one host is free and every mandatory host is
  free; the booking goes to one free host (plus every mandatory host), chosen by
  ``choose_round_robin``. Its slots are the union of the hosts' slots, less the starts where a
  mandatory host is busy.

The per-host judgement is always the slot engine's (``compute_slots`` / ``check_start``) over a
``HostTimes``, so whatever is added to a host's busy times counts for teams without change.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from fractions import Fraction
from typing import Literal

from rendezvous.domain import errors
from rendezvous.domain.accounts import User
from rendezvous.domain.intervals import PointSet, from_epoch, merge, to_epoch
from rendezvous.domain.models import Busy, EventRules, Schedule, Slot
from rendezvous.domain.schedules import WEEKDAY_NUMBERS
from rendezvous.domain.slots import accepted_starts, resolve_duration

SchedulingType = Literal["COLLECTIVE", "ROUND_ROBIN", "MANAGED"]
SCHEDULING_TYPES: tuple[SchedulingType, ...] = ("COLLECTIVE", "ROUND_ROBIN", "MANAGED")

# Cal.com's host priorities, lowest to highest (stored as 0…4; "medium" is the default).
PRIORITIES = ("lowest", "low", "medium", "high", "highest")
DEFAULT_PRIORITY = 2
DEFAULT_WEIGHT = 100


@dataclass(frozen=True, slots=True)
class Host:
    """A host of an event type and the schedule it uses (the event type's, else the host's
    default). The engine counts days of booking limits and windows in ``schedule.time_zone``.
    ``mandatory``, ``priority`` (0 lowest … 4 highest) and ``weight`` matter for round robin."""

    user: User
    schedule: Schedule
    mandatory: bool = False
    priority: int = DEFAULT_PRIORITY
    weight: int = DEFAULT_WEIGHT

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
    """The one host of a personal event type with its busy times. Raises NotFound for an event
    type without hosts, RuleViolation for several (use ``team_slots`` / ``free_hosts``)."""
    if not hosts:
        raise errors.NotFound("This event type has no host")
    if len(hosts) > 1:
        raise errors.RuleViolation("Several hosts combine by the event type's scheduling type")
    return hosts[0]


def team_slots(
    scheduling_type: SchedulingType | None,
    hosts: Sequence[Host],
    slots: Sequence[Sequence[Slot]],
) -> list[Slot]:
    """The event type's slots from each host's own slots (``slots[i]`` are ``hosts[i]``'s,
    sorted by start): the intersection for COLLECTIVE, the union for ROUND_ROBIN less starts
    where a mandatory host has no slot; the one host's slots otherwise. Sorted by start; where
    several hosts offer a start, the first host's Slot is kept (seat counts are the event
    type's, the same for every host)."""
    if not hosts:
        raise errors.NotFound("This event type has no host")
    if len(hosts) == 1 or scheduling_type not in ("COLLECTIVE", "ROUND_ROBIN"):
        return list(slots[0])
    by_start: list[dict[datetime, Slot]] = [{s.start: s for s in own} for own in slots]
    if scheduling_type == "COLLECTIVE":
        common = set(by_start[0])
        for own in by_start[1:]:
            common &= own.keys()
        return [s for s in slots[0] if s.start in common]
    union: dict[datetime, Slot] = {}
    for own in by_start:
        for start, slot in own.items():
            union.setdefault(start, slot)
    for host, own in zip(hosts, by_start, strict=True):
        if host.mandatory:
            union = {start: slot for start, slot in union.items() if start in own}
    return [union[start] for start in sorted(union)]


def free_hosts(
    scheduling_type: SchedulingType | None,
    hosts: Sequence[Host],
    check: Callable[[Host], Slot],
) -> tuple[Slot, list[Host]]:
    """Can one start be taken, and with which hosts? ``check`` is the engine's verdict for one
    host (its slot, or the DomainError saying why not). Returns the slot and the hosts free for
    it: all of them for COLLECTIVE (else the reason), for ROUND_ROBIN the free ones (every
    mandatory host must be among them). A time some host has in availability but is busy in is
    SlotTaken (409) for round robin; for a collective a host's rule violation wins, since the
    time was never a slot of the team."""
    if not hosts:
        raise errors.NotFound("This event type has no host")
    verdicts: list[tuple[Host, Slot | errors.DomainError]] = []
    for host in hosts:
        try:
            verdicts.append((host, check(host)))
        except errors.DomainError as exc:
            verdicts.append((host, exc))
    failed = [v for _, v in verdicts if isinstance(v, errors.DomainError)]
    free = [(h, v) for h, v in verdicts if isinstance(v, Slot)]
    if len(hosts) == 1 or scheduling_type == "COLLECTIVE":
        if failed:
            rules = [e for e in failed if not isinstance(e, errors.SlotTaken)]
            raise (rules or failed)[0]
        return free[0][1], [h for h, _ in free]
    mandatory_busy = [v for h, v in verdicts if h.mandatory and isinstance(v, errors.DomainError)]
    if mandatory_busy or not free:
        taken = [e for e in failed if isinstance(e, errors.SlotTaken)]
        raise (taken or mandatory_busy or failed)[0]
    return free[0][1], [h for h, _ in free]


@dataclass(frozen=True, slots=True)
class HostRecord:
    """A host's round-robin history for one event type: its active bookings and when the
    latest was made (None: never)."""

    bookings: int = 0
    last_booked: datetime | None = None


@dataclass(frozen=True, slots=True)
class Assignment:
    """The hosts a round-robin booking goes to (the chosen one first, then the mandatory ones)
    and why the chosen one was picked."""

    hosts: list[Host]
    chosen: Host
    reason: str


def _load(host: Host, record: HostRecord) -> Fraction:
    return Fraction(record.bookings, max(1, host.weight))


def choose_round_robin(
    free: Sequence[Host], records: Mapping[int, HostRecord], *, keep: int | None = None
) -> Assignment:
    """The round-robin host among ``free`` (all free at the start): ``keep`` (a user id, for
    rescheduleWithSameRoundRobinHost) when free; else the highest priority, then the smallest
    share of bookings per weight (bookings ÷ weight: equal weights take turns, so 100 bookings
    over 4 equal hosts give each 25), then the least recently booked, then the lowest user id.
    Deterministic for the same inputs. Mandatory hosts always attend and are not chosen among
    unless every free host is mandatory. Raises SlotTaken when ``free`` is empty."""
    if not free:
        raise errors.SlotTaken("This time slot is no longer available")
    mandatory = [h for h in free if h.mandatory]
    pool = [h for h in free if not h.mandatory] or mandatory
    kept = next((h for h in pool if h.user.id == keep), None) if keep is not None else None
    never = datetime.min.replace(tzinfo=UTC)

    def rank(h: Host) -> tuple[int, Fraction, datetime, int]:
        r = records.get(h.user.id, HostRecord())
        last = r.last_booked or never
        return (-h.priority, _load(h, r), last, h.user.id)

    chosen = kept or min(pool, key=rank)
    record = records.get(chosen.user.id, HostRecord())
    if kept is not None:
        reason = (
            f"round robin: kept {chosen.user.username} (user {chosen.user.id}), the host of the "
            "rescheduled booking (rescheduleWithSameRoundRobinHost)"
        )
    else:
        last = record.last_booked.isoformat() if record.last_booked else "never"
        reason = (
            f"round robin: chose {chosen.user.username} (user {chosen.user.id}) of "
            f"{len(pool)} free host(s) by priority {PRIORITIES[chosen.priority]}, then "
            f"{record.bookings} booking(s) at weight {chosen.weight}, then last booked {last}"
        )
    others = [h for h in mandatory if h.user.id != chosen.user.id]
    return Assignment(hosts=[chosen, *others], chosen=chosen, reason=reason)


def independent_starts(rules: EventRules) -> bool:
    """Whether each start's verdict depends only on the schedule and that host's busy times:
    no seats, booking limits, rolling window or first-slot-only, which look at other starts or
    at the event type's bookings. Then ``fast_team_slots`` gives ``team_slots``'s answer."""
    window = rules.booking_window
    rolling = window is not None and window.rolling and window.kind != "range"
    limits = any(lim is not None and lim.any for lim in (rules.count_limits, rules.duration_limits))
    return not (rules.seats_per_slot is not None or limits or rolling or rules.only_first_slot)


def fast_team_slots(
    scheduling_type: SchedulingType | None,
    times: Sequence[HostTimes],
    rules: EventRules,
    *,
    range_start: datetime,
    range_end: datetime,
    now: datetime,
    duration: int | None = None,
) -> list[Slot]:
    """``team_slots`` over ``compute_slots`` per host, computed faster when
    ``independent_starts(rules)``: the grid of starts is computed once per distinct schedule
    (hosts of one zone and working hours share it), then each start is tested against the
    hosts' busy times only as far as needed (round robin stops at the first free host; a
    collective at the first busy one). Same answer, as the property tests check."""
    minutes = resolve_duration(rules, duration)
    dur = minutes * 60
    before, after = rules.before_buffer * 60, rules.after_buffer * 60
    grids: dict[tuple[Schedule, int], frozenset[int]] = {}
    offered: list[frozenset[int]] = []
    for ht in times:
        key = (ht.host.schedule, ht.host.week_start)
        if key not in grids:
            grids[key] = frozenset(
                t
                for t, _, _ in accepted_starts(
                    ht.host.schedule,
                    rules,
                    range_start=range_start,
                    range_end=range_end,
                    now=now,
                    busy=(),
                    duration=minutes,
                    week_start=ht.host.week_start,
                )
            )
        offered.append(grids[key])
    # A host's busy times are prepared only when one of its starts is first tested.
    taken: list[PointSet | None] = [None] * len(times)

    def free_at(i: int, t: int) -> bool:
        if t not in offered[i]:
            return False
        busy = taken[i]
        if busy is None:
            busy = taken[i] = PointSet(
                merge((to_epoch(b.start), to_epoch(b.end)) for b in times[i].busy)
            )
        return not busy.overlaps(t - before, t + dur + after)

    order = range(len(times))
    if scheduling_type == "COLLECTIVE" or len(times) == 1:
        starts = offered[0].intersection(*offered[1:])
        keep = [t for t in sorted(starts) if all(free_at(i, t) for i in order)]
    else:
        mandatory = [i for i in order if times[i].host.mandatory]
        starts = frozenset().union(*offered)
        keep = [
            t
            for t in sorted(starts)
            if all(free_at(i, t) for i in mandatory) and any(free_at(i, t) for i in order)
        ]
    return [Slot(from_epoch(t), from_epoch(t + dur)) for t in keep]
