"""GET /v2/slots (2024-09-04), the legacy GET /v2/slots/available, and slot reservations."""

from __future__ import annotations

import contextlib
from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from rendezvous.api import examples
from rendezvous.api import query as q
from rendezvous.api.deps import Now, OptionalUser, Uow
from rendezvous.api.errors import ApiError
from rendezvous.api.openapi import documented
from rendezvous.api.replies import reply, success
from rendezvous.api.schemas.outputs import LegacySlots, Reservation, Slot, StatusOnly, Success
from rendezvous.api.schemas.slots import (
    LegacyReserveInput,
    ReserveSlotInput,
    reservation_output,
)
from rendezvous.domain.errors import NotFound
from rendezvous.domain.render import render_legacy, render_slots
from rendezvous.services import reservations
from rendezvous.services.slots import find_slots, resolve_hosted

router = APIRouter(prefix="/v2/slots", tags=["Slots"])

Param = Annotated[str | None, Query()]
# Cal.com's slots version, which a missing or unknown header also selects (contract §0 item 1).
VERSIONS = ("2024-09-04",)


@router.get(
    "",
    summary="Get available time slots for an event type",
    description="Slots by day (in `timeZone`). Name the event type by `eventTypeId`, or by "
    "`eventTypeSlug` with `username` or `teamSlug` (and `organizationSlug`).",
    **documented(
        Success[dict[str, list[Slot]]],
        example=examples.SLOTS,
        errors=(404,),
        versions=VERSIONS,
        required=("start", "end"),
        aliases={"startTime": "start", "endTime": "end", "slotFormat": "format"},
    ),
)
async def get_slots(
    request: Request,
    uow: Uow,
    now: Now,
    caller: OptionalUser,
    start: Annotated[str | None, Query(description="UTC ISO date or date-time")] = None,
    end: Annotated[str | None, Query(description="UTC ISO date or date-time")] = None,
    startTime: Annotated[str | None, Query(description="alias of start")] = None,
    endTime: Annotated[str | None, Query(description="alias of end")] = None,
    eventTypeId: Param = None,
    eventTypeSlug: Param = None,
    username: Param = None,
    teamSlug: Annotated[str | None, Query(description="the team owning eventTypeSlug")] = None,
    organizationSlug: Annotated[str | None, Query(description="the team's organization")] = None,
    timeZone: Annotated[str | None, Query(description="output zone, default UTC")] = None,
    duration: Param = None,
    format: Annotated[str | None, Query(description="time (default) or range")] = None,
    slotFormat: Annotated[str | None, Query(description="alias of format")] = None,
    bookingUidToReschedule: Param = None,
) -> Response:
    zone = q.time_zone("timeZone", timeZone)
    range_start = q.instant("start", q.required("start", start or startTime), zone=zone)
    range_end = q.instant("end", q.required("end", end or endTime), end_of_day=True, zone=zone)
    fmt = q.choice("format", format or slotFormat, ("time", "range"), "time")
    event_type, hosts = await resolve_hosted(
        uow,
        event_type_id=q.integer("eventTypeId", eventTypeId, minimum=1),
        slug=eventTypeSlug or None,
        username=username or None,
        team_slug=teamSlug or None,
        organization_slug=organizationSlug or None,
    )
    slots = await find_slots(
        uow,
        event_type,
        hosts,
        start=range_start,
        end=range_end,
        now=now,
        display_time_zone=zone,
        duration=q.integer("duration", duration, minimum=1),
        reschedule_uid=bookingUidToReschedule or None,
        caller_id=caller.id if caller else None,
    )
    return success(render_slots(slots, zone, "range" if fmt == "range" else "time"))


@router.get(
    "/available",
    summary="Legacy (2024-04-15): available slots",
    description="`usernameList` may also be sent as `usernameList[]`.",
    **documented(
        Success[LegacySlots],
        errors=(404,),
        required=("startTime", "endTime"),
        aliases={"usernameList[]": "usernameList"},
    ),
)
async def get_slots_legacy(
    request: Request,
    uow: Uow,
    now: Now,
    caller: OptionalUser,
    startTime: Param = None,
    endTime: Param = None,
    eventTypeId: Param = None,
    eventTypeSlug: Param = None,
    duration: Param = None,
    rescheduleUid: Param = None,
    timeZone: Param = None,
    slotFormat: Param = None,
    # Declared for the document (read below as lists, since clients repeat them).
    usernameList: Annotated[
        str | None, Query(description="the owner of eventTypeSlug (the first one is used)")
    ] = None,
    usernameListItems: Annotated[str | None, Query(alias="usernameList[]")] = None,
) -> Response:
    params = request.query_params
    usernames = params.getlist("usernameList") or params.getlist("usernameList[]")
    zone = q.time_zone("timeZone", timeZone)
    try:
        range_start = q.instant("startTime", q.required("startTime", startTime))
        range_end = q.instant("endTime", q.required("endTime", endTime))
    except ApiError:
        range_start = range_end = None  # type: ignore[assignment]
    if range_start is None or range_end is None or range_end <= range_start:
        raise ApiError(
            400,
            "Invalid time range given - check the 'startTime' and 'endTime' query parameters.",
        )
    fmt = q.choice("slotFormat", slotFormat, ("time", "range"), "time")
    event_type, hosts = await resolve_hosted(
        uow,
        event_type_id=q.integer("eventTypeId", eventTypeId, minimum=1),
        slug=eventTypeSlug or None,
        username=usernames[0] if usernames else None,
    )
    slots = await find_slots(
        uow,
        event_type,
        hosts,
        start=range_start,
        end=range_end,
        now=now,
        display_time_zone=zone,
        duration=q.integer("duration", duration, minimum=1),
        reschedule_uid=rescheduleUid or None,
        caller_id=caller.id if caller else None,
    )
    return success(render_legacy(slots, zone, "range" if fmt == "range" else "time"))


@router.post(
    "/reservations",
    summary="Reserve a slot",
    **documented(
        Success[Reservation],
        status=201,
        errors=(403, 404, 409, 422),
        example=examples.RESERVATION,
        versions=VERSIONS,
    ),
)
async def reserve_slot(
    body: ReserveSlotInput, uow: Uow, now: Now, caller: OptionalUser
) -> Response:
    if body.reservation_duration is not None and caller is None:
        raise ApiError(401, "reservationDuration can only be set by an authenticated caller")
    reservation = await reservations.reserve(
        uow,
        event_type_id=body.event_type_id,
        slot_start=body.slot_start,
        slot_duration=body.slot_duration,
        reservation_minutes=body.reservation_duration,
        caller=caller,
        now=now,
    )
    return success(reservation_output(reservation), 201)


@router.get(
    "/reservations/{uid}",
    summary="Get a slot reservation",
    **documented(Success[Reservation], versions=VERSIONS),
)
async def get_reservation(uid: str, uow: Uow, now: Now, _caller: OptionalUser) -> Response:
    reservation = await reservations.get_live(uow, uid, now)
    return success(reservation_output(reservation, with_duration=False))


@router.patch(
    "/reservations/{uid}",
    summary="Move or extend a slot reservation",
    **documented(
        Success[Reservation],
        errors=(403, 409, 422),
        example=examples.RESERVATION,
        versions=VERSIONS,
    ),
)
async def patch_reservation(
    uid: str, body: ReserveSlotInput, uow: Uow, now: Now, caller: OptionalUser
) -> Response:
    if body.reservation_duration is not None and caller is None:
        raise ApiError(401, "reservationDuration can only be set by an authenticated caller")
    reservation = await reservations.change(
        uow,
        uid,
        event_type_id=body.event_type_id,
        slot_start=body.slot_start,
        slot_duration=body.slot_duration,
        reservation_minutes=body.reservation_duration,
        caller=caller,
        now=now,
    )
    return success(reservation_output(reservation))


@router.delete(
    "/reservations/{uid}",
    summary="Release a slot reservation",
    **documented(StatusOnly, example={"status": "success"}, versions=VERSIONS),
)
async def delete_reservation(uid: str, uow: Uow, now: Now, _caller: OptionalUser) -> Response:
    await reservations.release(uow, uid, now)
    return reply({"status": "success"})


# --- legacy reservations (contract §2.2) ---------------------------------------------------------


@router.post(
    "/reserve",
    summary="Legacy: reserve a slot (returns its uid)",
    **documented(Success[str], status=201, errors=(404, 409, 422)),
)
async def reserve_slot_legacy(
    body: LegacyReserveInput, uow: Uow, now: Now, caller: OptionalUser
) -> Response:
    """Cal.com's older reservation call: the same hold as ``POST /v2/slots/reservations``
    (default length), answered with the bare uid and a ``uid`` cookie."""
    reservation = await reservations.reserve(
        uow,
        event_type_id=body.event_type_id,
        slot_start=body.slot_utc_start_date,
        slot_duration=body.minutes,
        reservation_minutes=None,
        caller=caller,
        now=now,
    )
    response = success(reservation.uid, 201)
    response.set_cookie("uid", reservation.uid, httponly=True, samesite="lax")
    return response


@router.delete(
    "/selected-slot",
    summary="Legacy: release a reserved slot",
    **documented(StatusOnly, example={"status": "success"}),
)
async def delete_selected_slot(
    request: Request, uow: Uow, now: Now, _caller: OptionalUser, uid: Param = None
) -> Response:
    """Releases the reservation named by ``uid`` (or the ``uid`` cookie). Like Cal.com's, it
    succeeds when there is nothing (left) to release."""
    target = uid or request.cookies.get("uid")
    if not target:
        raise q.bad("uid", "uid is required (query parameter or cookie)")
    if "\x00" in target:
        # A quoted cookie may spell NUL as "\000" (the middleware only sees the URL), and
        # PostgreSQL cannot compare text holding NUL: a 400 like the query parameter's.
        raise ApiError(
            400,
            "uid: text may not contain the NUL character",
            {"errors": [{"property": "uid", "location": "cookie", "message": "contains NUL"}]},
        )
    with contextlib.suppress(NotFound):
        await reservations.release(uow, target, now)
    return reply({"status": "success"})
