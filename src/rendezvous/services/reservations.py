"""Slot reservations (contract §2.3): hold a bookable start for a few minutes."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from rendezvous.domain.accounts import User
from rendezvous.domain.errors import Forbidden, InvalidInput, NotFound
from rendezvous.domain.event_types import EventType
from rendezvous.domain.hosts import host_ids
from rendezvous.domain.reservations import DEFAULT_MINUTES, MAX_MINUTES, Reservation
from rendezvous.domain.slots import resolve_duration
from rendezvous.services import calendars
from rendezvous.services.bookings.assign import assign, is_team, lock_for_booking
from rendezvous.services.ports import UnitOfWork
from rendezvous.services.slots import load_hosts


def _minutes(event_type: EventType, caller: User | None, requested: int | None) -> int:
    if requested is None:
        return DEFAULT_MINUTES
    if caller is None or caller.id != event_type.owner_id:
        # Cal.com compat: only the event type's owner may hold a slot longer than the default.
        raise Forbidden("reservationDuration can only be set by the event type's owner")
    if not 1 <= requested <= MAX_MINUTES:
        raise InvalidInput(
            f"reservationDuration must be between 1 and {MAX_MINUTES} minutes",
            {"fields": ["reservationDuration"]},
        )
    return requested


async def _reserve_slot(
    uow: UnitOfWork,
    event_type: EventType,
    *,
    uid: str,
    slot_start: datetime,
    slot_duration: int | None,
    minutes: int,
    caller: User | None,
    now: datetime,
) -> Reservation:
    hosts = await load_hosts(uow, event_type)
    if is_team(event_type, hosts):
        await lock_for_booking(uow, event_type, hosts)  # one round-robin choice at a time
    duration = resolve_duration(event_type.rules, slot_duration)
    # The hosts a booking would go to now: every host, or one round-robin host (with the
    # mandatory ones), so a reservation keeps one host's time, not the whole team's.
    slot, held_hosts, _ = await assign(
        uow, event_type, hosts, slot_start, now=now, duration=duration
    )
    rules = event_type.rules
    return await uow.reservations.add(
        uid=uid,
        event_type_id=event_type.id,
        user_id=caller.id if caller else None,
        # A seated slot is shared: holding it would keep out the other seats.
        host_ids=[] if event_type.is_seated else host_ids(held_hosts),
        slot_start=slot.start,
        slot_end=slot.start + timedelta(minutes=duration),
        hold_start=slot.start - timedelta(minutes=rules.before_buffer),
        hold_end=slot.start + timedelta(minutes=duration + rules.after_buffer),
        duration=duration,
        until=now + timedelta(minutes=minutes),
        now=now,
    )


async def reserve(
    uow: UnitOfWork,
    *,
    event_type_id: int,
    slot_start: datetime,
    slot_duration: int | None,
    reservation_minutes: int | None,
    caller: User | None,
    now: datetime,
) -> Reservation:
    """Hold a bookable start. A host calendar never fetched is loaded before the write
    transaction (see services/transactions.run), never while it holds the writer lock."""

    async def work() -> Reservation:
        await uow.reservations.purge_expired(now)
        event_type = await uow.event_types.get(event_type_id)
        if event_type is None:
            raise NotFound(f"Event type with id={event_type_id} not found")
        minutes = _minutes(event_type, caller, reservation_minutes)
        return await _reserve_slot(
            uow,
            event_type,
            uid=secrets.token_urlsafe(24),
            slot_start=slot_start,
            slot_duration=slot_duration,
            minutes=minutes,
            caller=caller,
            now=now,
        )

    return await calendars.in_write(uow, work)


async def get_live(uow: UnitOfWork, uid: str, now: datetime) -> Reservation:
    reservation = await uow.reservations.get(uid)
    if reservation is None or not reservation.live(now):
        raise NotFound(f"Slot reservation with uid={uid} not found")
    return reservation


async def change(
    uow: UnitOfWork,
    uid: str,
    *,
    event_type_id: int,
    slot_start: datetime,
    slot_duration: int | None,
    reservation_minutes: int | None,
    caller: User | None,
    now: datetime,
) -> Reservation:
    """Move or extend a live reservation: it is released and taken again, atomically (a host
    calendar never fetched is loaded outside the transaction, as in ``reserve``)."""

    async def work() -> Reservation:
        current = await get_live(uow, uid, now)
        event_type = await uow.event_types.get(event_type_id)
        if event_type is None:
            raise NotFound(f"Event type with id={event_type_id} not found")
        minutes = _minutes(event_type, caller, reservation_minutes)
        await uow.reservations.remove(current.id)
        return await _reserve_slot(
            uow,
            event_type,
            uid=uid,
            slot_start=slot_start,
            slot_duration=slot_duration,
            minutes=minutes,
            caller=caller,
            now=now,
        )

    return await calendars.in_write(uow, work)


async def release(uow: UnitOfWork, uid: str, now: datetime) -> None:
    await uow.begin_write()
    current = await get_live(uow, uid, now)
    await uow.reservations.remove(current.id)
    await uow.commit()
