"""Bookings, 2024-08-13 (contract §3): create, list, get, cancel, reschedule, confirm, decline."""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse
from starlette.responses import Response

from rendezvous.api import examples
from rendezvous.api import query as q
from rendezvous.api.deps import Clock, CurrentUser, OptionalUser, SettingsDep, Uow
from rendezvous.api.openapi import documented
from rendezvous.api.replies import reply
from rendezvous.api.schemas.bookings import (
    CancelBookingInput,
    CreateBookingInput,
    DeclineBookingInput,
    RescheduleBookingInput,
    booking_output,
)
from rendezvous.api.schemas.outputs import BookingList, BookingOutput, Success
from rendezvous.db.uow import UnitOfWork
from rendezvous.domain.accounts import User
from rendezvous.domain.bookings import Attendee, BookingFilters
from rendezvous.services import bookings as svc
from rendezvous.services.transactions import IdempotencyKey, run
from rendezvous.services.transactions import Response as Rendered

router = APIRouter(prefix="/v2/bookings", tags=["Bookings"])

IdempotencyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        description="Retries with the same key and body replay the first response (24 h)",
    ),
]
STATUSES = ("upcoming", "recurring", "past", "cancelled", "unconfirmed")
# Cal.com's bookings version, which a missing or unknown header also selects (contract §0 item 1).
VERSIONS = ("2024-08-13",)
# One booking, or every occurrence of a recurring one.
OneOrSeries = Success[BookingOutput | list[BookingOutput]]


def _context(settings: Any, now: Any, caller: User | None) -> svc.Context:
    return svc.Context(
        now=now,
        public_url=settings.public_url,
        video_url_template=settings.video_url_template,
        caller=caller,
    )


async def _idempotency(
    request: Request, key: str | None, caller: User | None
) -> IdempotencyKey | None:
    if key is None:
        return None
    client = request.client.host if request.client else "unknown"
    scope = f"user:{caller.id}" if caller else f"ip:{client}"
    return IdempotencyKey.of(scope, key, request.method, request.url.path, await request.body())


def _renderer(
    uow: UnitOfWork, caller: User | None, status: int
) -> Callable[[svc.Outcome], Awaitable[Rendered]]:
    async def render(outcome: svc.Outcome) -> Rendered:
        host_ids = {h for b in outcome.bookings for h in b.host_ids}
        hosts = {
            uid: u
            for uid in host_ids
            if (u := outcome.known_users.get(uid) or await uow.users.get(uid))
        }
        items = [
            booking_output(
                b,
                hosts,
                outcome.event_type,
                seat_uid=outcome.seat_uid,
                viewer_is_host=caller is not None and caller.id in b.host_ids,
                viewer_email=caller.attendee_email() if caller else None,
            )
            for b in outcome.bookings
        ]
        data: Any = items if outcome.recurring or len(items) > 1 else items[0]
        return status, {"status": "success", "data": data}

    return render


def _respond(result: Rendered) -> JSONResponse:
    status, body = result
    return JSONResponse(body, status_code=status)


@router.post(
    "",
    summary="Create a booking (as an attendee would)",
    description="Answers one booking, or the list of occurrences of a recurring one.",
    **documented(
        OneOrSeries,
        status=201,
        errors=(403, 404, 409, 422),
        example=examples.BOOKING,
        versions=VERSIONS,
    ),
)
async def create_booking(
    request: Request,
    body: CreateBookingInput,
    uow: Uow,
    now: Clock,
    settings: SettingsDep,
    caller: OptionalUser,
    idempotency_key: IdempotencyHeader = None,
) -> JSONResponse:
    location = body.location
    new = svc.NewBooking(
        start=body.start,
        attendee=Attendee(
            name=body.attendee.name,
            email=str(body.attendee.email or ""),
            time_zone=body.attendee.time_zone,
            language=body.attendee.language,
            phone_number=body.attendee.phone_number,
        ),
        event_type_id=body.event_type_id,
        event_type_slug=body.event_type_slug,
        username=body.username,
        team_slug=body.team_slug,
        guests=tuple(str(g) for g in body.guests),
        # The string form is checked against the event type's locations like the object form.
        location=location
        if isinstance(location, str | None)
        else location.model_dump(exclude_none=True),
        meeting_url=body.meeting_url,
        metadata=body.metadata,
        length=body.length_in_minutes,
        responses=body.booking_fields_responses,
        recurrence_count=body.recurrence_count,
        reservation_uid=body.reservation_uid,
    )
    ctx = _context(settings, now, caller)
    result = await run(
        uow,
        lambda: svc.create(uow, new, ctx),
        _renderer(uow, caller, 201),
        now=now,
        idempotency=await _idempotency(request, idempotency_key, caller),
    )
    return _respond(result)


@router.get(
    "",
    summary="List the bookings I host or attend",
    **documented(BookingList, versions=VERSIONS),
)
async def list_bookings(
    request: Request,
    uow: Uow,
    now: Clock,
    caller: CurrentUser,
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
) -> Response:
    statuses = tuple(s.strip().lower() for s in (status or "").split(",") if s.strip())
    for value in statuses:
        if value not in STATUSES:
            raise q.bad("status", f"'{value}' is not one of {', '.join(STATUSES)}")

    def ids(csv_field: str, csv: str | None, one_field: str, one: str | None) -> tuple[int, ...]:
        """The ids of a csv filter and its single-id twin; given both, a booking must match
        both (Cal.com adds each filter to the query), so only their common id remains."""
        many = tuple(
            q.integer(csv_field, v.strip(), minimum=1) or 0
            for v in (csv or "").split(",")
            if v.strip()
        )
        single = q.integer(one_field, one.strip(), minimum=1) if one else None
        if single is None:
            return many
        if not many or single in many:
            return (single,)
        return (0,)  # no id is 0: nothing matches both

    def when(field: str, raw: str | None, *, before: bool = False) -> Any:
        # A bare date in a "before" filter includes that whole day.
        return q.instant(field, raw, end_of_day=before) if raw else None

    sort: list[tuple[str, str]] = []
    for name, column, order in (
        ("sortStart", "start", sortStart),
        ("sortEnd", "end", sortEnd),
        ("sortCreated", "created", sortCreated),
        ("sortUpdatedAt", "updated", sortUpdatedAt),
    ):
        if order:
            sort.append((column, q.choice(name, order, ("asc", "desc"), "asc")))
    page = q.integer("take", take, minimum=1)
    page_size = 100 if page is None else page
    if page_size > 250:
        raise q.bad("take", "must be at most 250")
    offset = q.integer("skip", skip, minimum=0) or 0
    filters = BookingFilters(
        statuses=statuses,
        # Cal.com compat: an unencoded "+" in an email arrives as a space; put it back.
        attendee_email=attendeeEmail.replace(" ", "+") if attendeeEmail else None,
        attendee_name=attendeeName or None,
        booking_uid=bookingUid or None,
        event_type_ids=ids("eventTypeIds", eventTypeIds, "eventTypeId", eventTypeId),
        team_ids=ids("teamsIds", teamsIds, "teamId", teamId),
        after_start=when("afterStart", afterStart),
        before_end=when("beforeEnd", beforeEnd, before=True),
        after_created=when("afterCreatedAt", afterCreatedAt),
        before_created=when("beforeCreatedAt", beforeCreatedAt, before=True),
        after_updated=when("afterUpdatedAt", afterUpdatedAt),
        before_updated=when("beforeUpdatedAt", beforeUpdatedAt, before=True),
        sort=tuple(sort),
    )
    items, total = await uow.bookings.list_visible(
        filters,
        user_id=caller.id,
        email=caller.attendee_email(),  # an unverified address attends nothing
        now=now,
        take=page_size,
        skip=offset,
    )
    event_types = {
        et_id: await uow.event_types.get(et_id)
        for et_id in {b.event_type_id for b in items if b.event_type_id}
    }
    host_ids = {h for b in items for h in b.host_ids}
    hosts = {uid: u for uid in host_ids if (u := await uow.users.get(uid))}
    data = [
        booking_output(
            b,
            hosts,
            event_types.get(b.event_type_id) if b.event_type_id else None,
            viewer_is_host=caller.id in b.host_ids,
            viewer_email=caller.attendee_email(),
        )
        for b in items
    ]
    return reply(
        {
            "status": "success",
            "data": data,
            "pagination": {
                "totalItems": total,
                "remainingItems": max(0, total - (offset + page_size)),
                "returnedItems": len(data),
                "itemsPerPage": page_size,
                "currentPage": offset // page_size + 1,
                "totalPages": math.ceil(total / page_size),
                "hasNextPage": offset + page_size < total,
                "hasPreviousPage": offset > 0,
            },
        }
    )


@router.get(
    "/{uid}",
    summary="Get a booking (or every occurrence of a recurring one)",
    **documented(OneOrSeries, example=examples.BOOKING, versions=VERSIONS),
)
async def get_booking(uid: str, uow: Uow, caller: OptionalUser) -> JSONResponse:
    outcome = await svc.get(uow, uid)
    return _respond(await _renderer(uow, caller, 200)(outcome))


@router.post(
    "/{uid}/cancel",
    summary="Cancel a booking, a seat, or a series",
    **documented(OneOrSeries, errors=(403, 409, 422), example=examples.BOOKING, versions=VERSIONS),
)
async def cancel_booking(
    request: Request,
    uid: str,
    body: CancelBookingInput,
    uow: Uow,
    now: Clock,
    settings: SettingsDep,
    caller: OptionalUser,
    idempotency_key: IdempotencyHeader = None,
) -> JSONResponse:
    ctx = _context(settings, now, caller)
    result = await run(
        uow,
        lambda: svc.cancel(
            uow,
            uid,
            ctx,
            reason=body.cancellation_reason,
            seat_uid=body.seat_uid,
            subsequent=body.cancel_subsequent_bookings,
        ),
        _renderer(uow, caller, 200),
        now=now,
        idempotency=await _idempotency(request, idempotency_key, caller),
    )
    return _respond(result)


@router.post(
    "/{uid}/reschedule",
    summary="Reschedule a booking",
    **documented(
        OneOrSeries, status=201, errors=(403, 409, 422), example=examples.BOOKING, versions=VERSIONS
    ),
)
async def reschedule_booking(
    request: Request,
    uid: str,
    body: RescheduleBookingInput,
    uow: Uow,
    now: Clock,
    settings: SettingsDep,
    caller: OptionalUser,
    idempotency_key: IdempotencyHeader = None,
) -> JSONResponse:
    ctx = _context(settings, now, caller)
    result = await run(
        uow,
        lambda: svc.reschedule(
            uow,
            uid,
            body.start,
            ctx,
            reason=body.rescheduling_reason,
            rescheduled_by=str(body.rescheduled_by) if body.rescheduled_by else None,
            seat_uid=body.seat_uid,
        ),
        _renderer(uow, caller, 201),
        now=now,
        idempotency=await _idempotency(request, idempotency_key, caller),
    )
    return _respond(result)


@router.post(
    "/{uid}/confirm",
    summary="Confirm a pending booking (hosts only)",
    **documented(OneOrSeries, errors=(403, 409, 422), example=examples.BOOKING, versions=VERSIONS),
)
async def confirm_booking(
    uid: str, uow: Uow, now: Clock, settings: SettingsDep, caller: CurrentUser
) -> JSONResponse:
    ctx = _context(settings, now, caller)
    result = await run(
        uow, lambda: svc.confirm(uow, uid, ctx), _renderer(uow, caller, 200), now=now
    )
    return _respond(result)


@router.post(
    "/{uid}/decline",
    summary="Decline a pending booking (hosts only)",
    **documented(OneOrSeries, errors=(403, 409, 422), example=examples.BOOKING, versions=VERSIONS),
)
async def decline_booking(
    uid: str,
    uow: Uow,
    now: Clock,
    settings: SettingsDep,
    caller: CurrentUser,
    body: DeclineBookingInput | None = None,
) -> JSONResponse:
    ctx = _context(settings, now, caller)
    reason = body.reason if body else None
    result = await run(
        uow,
        lambda: svc.decline(uow, uid, ctx, reason=reason),
        _renderer(uow, caller, 200),
        now=now,
    )
    return _respond(result)
