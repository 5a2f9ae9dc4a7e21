"""Bookings, 2024-08-13 (contract §3): create, list, get, cancel, reschedule, confirm, decline."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request
from starlette.responses import Response

from rendezvous.api import examples
from rendezvous.api.deps import CurrentUser, Now, OptionalUser, SettingsDep, Uow
from rendezvous.api.openapi import documented
from rendezvous.api.replies import reply
from rendezvous.api.schemas.booking_list import (
    BookingListQuery,
    booking_list_query,
    booking_page_output,
)
from rendezvous.api.schemas.bookings import (
    CancelBookingInput,
    CreateBookingInput,
    DeclineBookingInput,
    RescheduleBookingInput,
    booking_output,
)
from rendezvous.api.schemas.outputs import BookingList, BookingOutput, Success
from rendezvous.domain.accounts import User
from rendezvous.domain.bookings import Attendee
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
# Cal.com's bookings version, which a missing or unknown header also selects (contract §0 item 1).
VERSIONS = ("2024-08-13",)
# One booking, or every occurrence of a recurring one.
OneOrSeries = Success[BookingOutput | list[BookingOutput]]


def new_booking(body: CreateBookingInput) -> svc.NewBooking:
    """The booking request a create body asks for (also used by the public booking page,
    which validates its form as this body, so page and API refuse the same input)."""
    location = body.location
    return svc.NewBooking(
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
        organization_slug=body.organization_slug,
        guests=tuple(str(g) for g in body.guests),
        # The string form is checked against the event type's locations like the object form.
        location=location
        if isinstance(location, str | None)
        else location.model_dump(exclude_none=True),
        meeting_url=body.meeting_url,
        metadata=body.metadata,
        duration=body.length_in_minutes,
        responses=body.booking_fields_responses,
        recurrence_count=body.recurrence_count,
        reservation_uid=body.reservation_uid,
    )


def context(settings: Any, now: Any, caller: User | None) -> svc.Context:
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


def renderer(caller: User | None, status: int) -> Callable[[svc.Outcome], Rendered]:
    """The answer to a booking use case: its booking, or the list of a series."""

    def render(outcome: svc.Outcome) -> Rendered:
        items = [
            booking_output(
                b,
                outcome.hosts,
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


def _respond(result: Rendered) -> Response:
    # The one encoder every route answers through (orjson, with the fallback for stored values
    # it refuses), rather than starlette's stdlib JSONResponse.
    status, body = result
    return reply(body, status)


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
    now: Now,
    settings: SettingsDep,
    caller: OptionalUser,
    idempotency_key: IdempotencyHeader = None,
) -> Response:
    new = new_booking(body)
    ctx = context(settings, now, caller)
    result = await run(
        uow,
        lambda: svc.create(uow, new, ctx),
        renderer(caller, 201),
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
    uow: Uow,
    now: Now,
    caller: CurrentUser,
    query: Annotated[BookingListQuery, Depends(booking_list_query)],
) -> Response:
    page = await svc.list_visible(
        uow, caller, query.filters, now=now, take=query.take, skip=query.skip
    )
    return reply(booking_page_output(page, query, caller))


@router.get(
    "/{uid}",
    summary="Get a booking (or every occurrence of a recurring one)",
    **documented(OneOrSeries, example=examples.BOOKING, versions=VERSIONS),
)
async def get_booking(uid: str, uow: Uow, caller: OptionalUser) -> Response:
    outcome = await svc.get(uow, uid)
    return _respond(renderer(caller, 200)(outcome))


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
    now: Now,
    settings: SettingsDep,
    caller: OptionalUser,
    idempotency_key: IdempotencyHeader = None,
) -> Response:
    ctx = context(settings, now, caller)
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
        renderer(caller, 200),
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
    now: Now,
    settings: SettingsDep,
    caller: OptionalUser,
    idempotency_key: IdempotencyHeader = None,
) -> Response:
    ctx = context(settings, now, caller)
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
        renderer(caller, 201),
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
    uid: str, uow: Uow, now: Now, settings: SettingsDep, caller: CurrentUser
) -> Response:
    ctx = context(settings, now, caller)
    result = await run(uow, lambda: svc.confirm(uow, uid, ctx), renderer(caller, 200), now=now)
    return _respond(result)


@router.post(
    "/{uid}/decline",
    summary="Decline a pending booking (hosts only)",
    **documented(OneOrSeries, errors=(403, 409, 422), example=examples.BOOKING, versions=VERSIONS),
)
async def decline_booking(
    uid: str,
    uow: Uow,
    now: Now,
    settings: SettingsDep,
    caller: CurrentUser,
    body: DeclineBookingInput | None = None,
) -> Response:
    ctx = context(settings, now, caller)
    reason = body.reason if body else None
    result = await run(
        uow,
        lambda: svc.decline(uow, uid, ctx, reason=reason),
        renderer(caller, 200),
        now=now,
    )
    return _respond(result)
