"""The bookings list's filters and sort as SQL: Cal.com's status filters, the filters only the
bookings table answers, and the two sources of "bookings I can see"."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, false, func, or_, select
from sqlalchemy.orm import aliased

from rendezvous.db import tables as t
from rendezvous.domain.bookings import ACTIVE, BookingFilters


def _status(
    name: str, status: Any, end: Any, now: datetime, recurring_uid: Any
) -> ColumnElement[bool]:
    """Cal.com's status filters (contract §3.3) over whichever table carries the columns
    (``recurring`` needs the bookings table: its caller joins it)."""
    live: ColumnElement[bool] = status.in_(ACTIVE)
    if name == "upcoming":
        return and_(live, end >= now)
    if name == "recurring":
        return and_(live, end >= now, recurring_uid.is_not(None))
    if name == "past":
        return and_(live, end <= now)
    if name == "cancelled":
        cancelled: ColumnElement[bool] = status.in_(("cancelled", "rejected"))
        return cancelled
    return and_(status == "pending", end >= now)  # unconfirmed


def _booking_conditions(f: BookingFilters, own: Any | None = None) -> list[ColumnElement[bool]]:
    """Filters only the bookings table (or its attendees) can answer.

    ``own`` is the viewer's own attendee row when the viewer attends rather than hosts: in a
    seated booking the other seats are strangers, so the attendee filters look at the viewer's
    own seat only — otherwise ``attendeeEmail``/``attendeeName`` would tell a seat holder who
    else holds a seat, which the booking itself hides from them (issue 9 item 7)."""
    b = t.Booking
    conditions: list[ColumnElement[bool]] = []
    # An alias: the "bookings I attend" source already joins attendees, which would otherwise
    # be correlated away from these subqueries.
    other = aliased(t.Attendee)
    for wanted, column in ((f.attendee_email, "email"), (f.attendee_name, "name")):
        if not wanted:
            continue
        anyone: ColumnElement[bool] = exists().where(
            other.booking_id == b.id, func.lower(getattr(other, column)) == wanted.lower()
        )
        if own is not None:
            mine = func.lower(getattr(own, column)) == wanted.lower()
            anyone = or_(and_(b.seated.is_(False), anyone), and_(b.seated.is_(True), mine))
        conditions.append(anyone)
    if f.booking_uid:
        conditions.append(b.uid == f.booking_uid)
    if f.event_type_ids:
        conditions.append(b.event_type_id.in_(f.event_type_ids))
    if f.team_ids:
        conditions.append(
            b.event_type_id.in_(select(t.EventType.id).where(t.EventType.team_id.in_(f.team_ids)))
        )
    if f.after_created is not None:
        conditions.append(b.created_at >= f.after_created)
    if f.before_created is not None:
        conditions.append(b.created_at <= f.before_created)
    if f.after_updated is not None:
        conditions.append(b.updated_at >= f.after_updated)
    if f.before_updated is not None:
        conditions.append(b.updated_at <= f.before_updated)
    return conditions


SORT_COLUMNS = {
    "start": t.Booking.start_at,
    "end": t.Booking.end_at,
    "created": t.Booking.created_at,
    "updated": t.Booking.updated_at,
}


def list_queries(
    f: BookingFilters,
    *,
    user_id: int,
    email: str | None,
    now: datetime,
    team_ids: Sequence[int] = (),
) -> tuple[Select[int, datetime], Select[int, datetime]]:
    """The two sources of "bookings I can see" as (booking id, start) selects, each with
    every filter: the ones I host (from booking_hosts' own index, joining bookings only for
    filters it does not carry) and the ones I attend (by my verified email; the organizer
    is always a host). Kept apart because an OR of the two cannot use an index. Without a
    verified email the second source is empty. ``team_ids`` (teams the user administers) adds
    their team event types' bookings to the second source."""
    h, b = t.BookingHost, t.Booking
    extra = _booking_conditions(f)
    needs_join = bool(extra) or "recurring" in f.statuses
    hosted = select(h.booking_id.label("id"), h.start_at.label("start")).where(
        h.user_id == user_id, *extra
    )
    if needs_join:
        hosted = hosted.join(b, b.id == h.booking_id)
    attended = (
        select(b.id.label("id"), b.start_at.label("start"))
        .join(t.Attendee, t.Attendee.booking_id == b.id)
        # false() when unverified: a self-asserted address attends nothing.
        .where(
            or_(
                t.Attendee.email == email if email else false(),
                b.event_type_id.in_(
                    select(t.EventType.id).where(t.EventType.team_id.in_(list(team_ids)))
                ),
            )
            if team_ids
            else (t.Attendee.email == email if email else false()),
            *_booking_conditions(f, own=t.Attendee),
        )
        .distinct()
    )
    for query_cols in ("hosted", "attended"):
        if query_cols == "hosted":
            status, start, end = h.status, h.start_at, h.end_at
        else:
            status, start, end = b.status, b.start_at, b.end_at
        conditions: list[ColumnElement[bool]] = []
        if f.statuses:
            conditions.append(
                or_(*(_status(n, status, end, now, b.recurring_uid) for n in f.statuses))
            )
        if f.after_start is not None:
            conditions.append(start >= f.after_start)
        if f.before_end is not None:
            conditions.append(end <= f.before_end)
        if query_cols == "hosted":
            hosted = hosted.where(*conditions)
        else:
            attended = attended.where(*conditions)
    return hosted, attended
