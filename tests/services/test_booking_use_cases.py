"""The booking use cases over an in-memory unit of work: fast checks of load → decide → save
and of the outbox rows each change writes, with no database and no HTTP."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from rendezvous.domain import errors
from rendezvous.domain.accounts import User
from rendezvous.domain.bookings import Attendee
from rendezvous.domain.event_types import EventType
from rendezvous.domain.models import EventRules
from rendezvous.domain.schedules import StoredSchedule
from rendezvous.services import bookings
from rendezvous.services.transactions import run
from tests.services.memory import MemoryUnitOfWork

NOW = datetime(2030, 1, 7, 8, 0, tzinfo=UTC)  # a Monday
TUE_10 = datetime(2030, 1, 8, 10, 0, tzinfo=UTC)
MON_FRI_9_17 = [
    {"days": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"],
     "startTime": "09:00", "endTime": "17:00"},
]  # fmt: skip


def world(**settings: Any) -> MemoryUnitOfWork:
    """Bob (UTC, Mon–Fri 09:00–17:00) hosts event type 1, a 30-minute meeting with
    ``settings``; a 15-minute buffer after it."""
    uow = MemoryUnitOfWork()
    bob = User(id=1, email="bob@example.com", username="bob", name="Bob", time_zone="UTC",
               default_schedule_id=1)  # fmt: skip
    uow.store.users[1] = bob
    uow.store.schedules[1] = StoredSchedule(1, 1, "Work", "UTC", MON_FRI_9_17, [])
    seats = settings.pop("seats", None)
    rules = EventRules(duration=30, after_buffer=15, seats_per_slot=seats)
    uow.store.event_types[1] = EventType(1, 1, "intro", "Intro", rules, settings=settings)
    return uow


def ctx(caller: User | None = None, now: datetime = NOW) -> bookings.Context:
    return bookings.Context(now, "https://book.example", "https://meet.example/{uid}", caller)


def request(start: datetime = TUE_10, email: str = "Jane@Example.com") -> bookings.NewBooking:
    return bookings.NewBooking(start, Attendee("Jane", email, "UTC"), event_type_id=1)


async def book(uow: MemoryUnitOfWork, start: datetime = TUE_10, **kw: Any) -> bookings.Outcome:
    return await bookings.create(uow, request(start, **kw), ctx())


async def test_a_booking_holds_its_time_with_buffers_and_writes_booking_created():
    uow = world()
    outcome = await book(uow)
    [booking] = outcome.bookings
    assert booking.status == "accepted"
    assert booking.attendees[0].email == "jane@example.com"
    assert [(h.start, h.end) for h in uow.store.held] == [(TUE_10, TUE_10 + timedelta(minutes=45))]
    assert uow.store.outbox == [("BOOKING_CREATED", booking.uid)]
    assert outcome.hosts[1].username == "bob"  # the renderer needs nothing more


async def test_a_taken_start_is_refused_and_nothing_is_written():
    uow = world()
    await book(uow)
    with pytest.raises(errors.SlotTaken):
        await book(uow, TUE_10 + timedelta(minutes=30), email="ann@example.com")
    assert len(uow.store.bookings) == 1


async def test_a_booking_that_needs_confirmation_is_requested_and_holds_no_time():
    uow = world(confirmationPolicy={"type": "always", "blockUnconfirmedBookingsInBooker": False})
    [booking] = (await book(uow)).bookings
    assert booking.status == "pending"
    assert uow.store.held == []
    assert uow.store.outbox == [("BOOKING_REQUESTED", booking.uid)]


async def test_confirming_takes_the_time_and_writes_confirmed_then_created():
    uow = world(confirmationPolicy={"type": "always", "blockUnconfirmedBookingsInBooker": False})
    [booking] = (await book(uow)).bookings
    bob = uow.store.users[1]
    [confirmed] = (await bookings.confirm(uow, booking.uid, ctx(bob))).bookings
    assert confirmed.status == "accepted"
    assert len(uow.store.held) == 1
    assert [t for t, _ in uow.store.outbox][1:] == ["BOOKING_CONFIRMED", "BOOKING_CREATED"]


async def test_declining_frees_nothing_it_did_not_hold_and_writes_rejected():
    uow = world(confirmationPolicy={"type": "always", "blockUnconfirmedBookingsInBooker": True})
    [booking] = (await book(uow)).bookings
    assert len(uow.store.held) == 1  # blocks while pending
    bob = uow.store.users[1]
    await bookings.decline(uow, booking.uid, ctx(bob), reason="busy")
    assert uow.store.held == []
    assert uow.store.outbox[-1] == ("BOOKING_REJECTED", booking.uid)


async def test_cancelling_frees_the_time_and_writes_cancelled():
    uow = world()
    [booking] = (await book(uow)).bookings
    [cancelled] = (await bookings.cancel(uow, booking.uid, ctx(), reason="ill")).bookings
    assert cancelled.status == "cancelled"
    assert cancelled.cancellation_reason == "ill"
    assert uow.store.held == []
    assert uow.store.outbox[-1] == ("BOOKING_CANCELLED", booking.uid)


async def test_rescheduling_moves_the_hold_to_a_new_booking_pointing_back():
    uow = world()
    [old] = (await book(uow)).bookings
    later = TUE_10 + timedelta(hours=2)
    [new] = (await bookings.reschedule(uow, old.uid, later, ctx(), reason="clash")).bookings
    assert (new.start, new.rescheduled_from_uid) == (later, old.uid)
    assert uow.store.bookings[old.id].status == "cancelled"
    assert uow.store.bookings[old.id].rescheduled_to_uid == new.uid
    assert [h.start for h in uow.store.held] == [later]
    assert uow.store.outbox[-1] == ("BOOKING_RESCHEDULED", new.uid)


async def test_seats_fill_one_booking_and_a_full_one_is_refused():
    uow = world(seats=2)
    first = await book(uow)
    second = await book(uow, email="ann@example.com")
    assert first.bookings[0].uid == second.bookings[0].uid
    assert len(second.bookings[0].attendees) == 2
    with pytest.raises(errors.SeatsFull):
        await book(uow, email="max@example.com")


async def test_a_recurring_event_type_books_every_occurrence_or_none():
    uow = world(recurrence={"frequency": "weekly", "interval": 1, "occurrences": 3})
    outcome = await book(uow)
    assert outcome.recurring
    assert [b.start for b in outcome.bookings] == [TUE_10 + timedelta(weeks=w) for w in range(3)]
    assert len({b.recurring_uid for b in outcome.bookings}) == 1


async def test_a_series_with_one_taken_occurrence_leaves_nothing_once_rolled_back():
    uow = world(recurrence={"frequency": "weekly", "interval": 1, "occurrences": 3})
    one = replace(request(TUE_10 + timedelta(weeks=1)), recurrence_count=1)
    [taken] = (await bookings.create(uow, one, ctx())).bookings
    await uow.begin_write()
    with pytest.raises(errors.SlotTaken):
        await run(uow, lambda: book(uow, email="ann@example.com"), lambda o: (201, {}), now=NOW)
    await uow.rollback()  # as the request's unit of work does when the use case raises
    assert list(uow.store.bookings.values()) == [taken]
