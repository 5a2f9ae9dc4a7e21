"""Booking use cases, one module each: create, seats, cancel, reschedule, confirm/decline,
read and listing. Each write runs inside a transaction opened by ``services.transactions.run``
(which also handles idempotency keys and the commit); none of them commits. Their outbox rows
are written through ``services.notifications`` in the same transaction."""

from rendezvous.domain.booking_draft import NewBooking
from rendezvous.services.bookings.cancel import cancel
from rendezvous.services.bookings.common import Context, Outcome, find_booking, new_uid
from rendezvous.services.bookings.confirm import confirm, decline
from rendezvous.services.bookings.create import create
from rendezvous.services.bookings.listing import Page, list_visible
from rendezvous.services.bookings.read import get
from rendezvous.services.bookings.reschedule import reschedule

__all__ = [
    "Context",
    "NewBooking",
    "Outcome",
    "Page",
    "cancel",
    "confirm",
    "create",
    "decline",
    "find_booking",
    "get",
    "list_visible",
    "new_uid",
    "reschedule",
]
