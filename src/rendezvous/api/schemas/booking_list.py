"""The query of ``GET /v2/bookings`` parsed into filters and a page, and the page's answer."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import Query

from rendezvous.api import query as q
from rendezvous.api.schemas.bookings import booking_output
from rendezvous.domain.accounts import User
from rendezvous.domain.bookings import BookingFilters
from rendezvous.services.bookings import Page

STATUSES = ("upcoming", "recurring", "past", "cancelled", "unconfirmed")
DEFAULT_TAKE = 100
MAX_TAKE = 250


@dataclass(frozen=True, slots=True)
class BookingListQuery:
    filters: BookingFilters
    take: int
    skip: int


def _statuses(status: str | None) -> tuple[str, ...]:
    statuses = tuple(s.strip().lower() for s in (status or "").split(",") if s.strip())
    for value in statuses:
        if value not in STATUSES:
            raise q.bad("status", f"'{value}' is not one of {', '.join(STATUSES)}")
    return statuses


def _ids(csv_field: str, csv: str | None, one_field: str, one: str | None) -> tuple[int, ...]:
    """The ids of a csv filter and its single-id twin; given both, a booking must match
    both (Cal.com adds each filter to the query), so only their common id remains."""
    many = tuple(
        q.integer(csv_field, v.strip(), minimum=1) or 0 for v in (csv or "").split(",") if v.strip()
    )
    single = q.integer(one_field, one.strip(), minimum=1) if one else None
    if single is None:
        return many
    if not many or single in many:
        return (single,)
    return (0,)  # no id is 0: nothing matches both


def _when(field: str, raw: str | None, *, before: bool = False) -> datetime | None:
    # A bare date in a "before" filter includes that whole day.
    return q.instant(field, raw, end_of_day=before) if raw else None


def _sort(orders: tuple[tuple[str, str, str | None], ...]) -> tuple[tuple[str, str], ...]:
    return tuple(
        (column, q.choice(name, order, ("asc", "desc"), "asc"))
        for name, column, order in orders
        if order
    )


def _page(take: str | None, skip: str | None) -> tuple[int, int]:
    page = q.integer("take", take, minimum=1)
    page_size = DEFAULT_TAKE if page is None else page
    if page_size > MAX_TAKE:
        raise q.bad("take", f"must be at most {MAX_TAKE}")
    return page_size, q.integer("skip", skip, minimum=0) or 0


def booking_list_query(
    status: Annotated[str | None, Query(description="csv of " + ", ".join(STATUSES))] = None,
    attendeeEmail: Annotated[str | None, Query()] = None,
    attendeeName: Annotated[str | None, Query()] = None,
    bookingUid: Annotated[str | None, Query()] = None,
    eventTypeIds: Annotated[str | None, Query(description="csv of ids")] = None,
    eventTypeId: Annotated[str | None, Query()] = None,
    teamsIds: Annotated[str | None, Query(description="csv of team ids")] = None,
    teamId: Annotated[str | None, Query()] = None,
    afterStart: Annotated[str | None, Query()] = None,
    beforeEnd: Annotated[str | None, Query()] = None,
    afterCreatedAt: Annotated[str | None, Query()] = None,
    beforeCreatedAt: Annotated[str | None, Query()] = None,
    afterUpdatedAt: Annotated[str | None, Query()] = None,
    beforeUpdatedAt: Annotated[str | None, Query()] = None,
    sortStart: Annotated[str | None, Query(description="asc or desc")] = None,
    sortEnd: Annotated[str | None, Query(description="asc or desc")] = None,
    sortCreated: Annotated[str | None, Query(description="asc or desc")] = None,
    sortUpdatedAt: Annotated[str | None, Query(description="asc or desc")] = None,
    take: Annotated[str | None, Query(description="1–250, default 100")] = None,
    skip: Annotated[str | None, Query(description="≥ 0, default 0")] = None,
) -> BookingListQuery:
    """The bookings list's query parameters (a FastAPI dependency); a bad one is a 400 naming
    it, checked in the order Rendezvous always has: status, sort, page, ids, instants."""
    statuses = _statuses(status)
    sort = _sort(
        (
            ("sortStart", "start", sortStart),
            ("sortEnd", "end", sortEnd),
            ("sortCreated", "created", sortCreated),
            ("sortUpdatedAt", "updated", sortUpdatedAt),
        )
    )
    page_size, offset = _page(take, skip)
    event_type_ids = _ids("eventTypeIds", eventTypeIds, "eventTypeId", eventTypeId)
    team_ids = _ids("teamsIds", teamsIds, "teamId", teamId)
    after_start = _when("afterStart", afterStart)
    before_end = _when("beforeEnd", beforeEnd, before=True)
    after_created = _when("afterCreatedAt", afterCreatedAt)
    before_created = _when("beforeCreatedAt", beforeCreatedAt, before=True)
    after_updated = _when("afterUpdatedAt", afterUpdatedAt)
    before_updated = _when("beforeUpdatedAt", beforeUpdatedAt, before=True)
    filters = BookingFilters(
        statuses=statuses,
        # Cal.com compat: an unencoded "+" in an email arrives as a space; put it back.
        attendee_email=attendeeEmail.replace(" ", "+") if attendeeEmail else None,
        attendee_name=attendeeName or None,
        booking_uid=bookingUid or None,
        event_type_ids=event_type_ids,
        team_ids=team_ids,
        after_start=after_start,
        before_end=before_end,
        after_created=after_created,
        before_created=before_created,
        after_updated=after_updated,
        before_updated=before_updated,
        sort=sort,
    )
    return BookingListQuery(filters, page_size, offset)


def booking_page_output(page: Page, query: BookingListQuery, caller: User) -> dict[str, Any]:
    """``GET /v2/bookings``'s answer: the page's bookings as the caller may see them, and
    Cal.com's pagination block."""
    data = [
        booking_output(
            b,
            page.hosts,
            page.event_types.get(b.event_type_id) if b.event_type_id else None,
            viewer_is_host=caller.id in b.host_ids,
            viewer_email=caller.attendee_email(),
        )
        for b in page.bookings
    ]
    total, take, skip = page.total, query.take, query.skip
    return {
        "status": "success",
        "data": data,
        "pagination": {
            "totalItems": total,
            "remainingItems": max(0, total - (skip + take)),
            "returnedItems": len(data),
            "itemsPerPage": take,
            "currentPage": skip // take + 1,
            "totalPages": math.ceil(total / take),
            "hasNextPage": skip + take < total,
            "hasPreviousPage": skip > 0,
        },
    }
