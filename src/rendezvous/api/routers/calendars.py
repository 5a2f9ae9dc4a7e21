"""Connected calendars (contract §9, §0 items 9 and 11; no cal-api-version): /v2/calendars,
/v2/selected-calendars and /v2/destination-calendars, as Cal.com names them."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response

from rendezvous.api import query as q
from rendezvous.api.deps import CurrentUser, Now, Uow
from rendezvous.api.openapi import documented
from rendezvous.api.replies import success
from rendezvous.api.schemas.bookings import iso
from rendezvous.api.schemas.calendars import (
    BusyTime,
    CalendarCredentialsInput,
    CalendarsOutput,
    CredentialOutput,
    DestinationCalendarInput,
    DisconnectInput,
    IcsCheckOutput,
    IcsFeedInput,
    SelectedCalendarInput,
    SelectedCalendarOutput,
    calendars_output,
    credential_output,
    selected_output,
)
from rendezvous.api.schemas.outputs import Success
from rendezvous.services import calendars

router = APIRouter(tags=["Calendars"])

MAX_CALENDARS_TO_LOAD = 50
MAX_BUSY_RANGE = timedelta(days=366)
_BRACKET = re.compile(r"calendarsToLoad\[([0-9]{1,3})\]\[(credentialId|externalId)\]")

Provider = Annotated[
    Literal["apple", "caldav"],
    Path(description="`apple` (iCloud, as Cal.com) or `caldav` (any CalDAV server: give `url`)"),
]


@router.get(
    "/v2/calendars",
    summary="Get all calendars",
    description="Connected calendars with `isSelected` (checked for conflicts) and the "
    "destination calendar. A calendar whose provider failed at the last fetch carries "
    "`error.message` (its busy times then come from the last good fetch).",
    **documented(Success[CalendarsOutput]),
)
async def list_calendars(user: CurrentUser, uow: Uow) -> Response:
    return success(calendars_output(await calendars.connections(uow, user), user.id))


@router.get(
    "/v2/calendars/busy-times",
    summary="Get busy times",
    description="Busy times of the named calendars. Name them in bracket notation "
    "(`calendarsToLoad[0][credentialId]=1&calendarsToLoad[0][externalId]=…`) or with flat "
    "`credentialId`/`externalId` (repeat both for several). `timeZone` (or the deprecated "
    "`loggedInUsersTz`) reads bare dates and all-day events.",
    **documented(
        Success[list[BusyTime]],
        errors=(400,),
        required=("dateFrom", "dateTo"),
        aliases={"loggedInUsersTz": "timeZone"},
    ),
)
async def busy_times(
    request: Request,
    user: CurrentUser,
    uow: Uow,
    dateFrom: Annotated[str | None, Query(description="YYYY-MM-DD or ISO date-time")] = None,
    dateTo: Annotated[str | None, Query(description="YYYY-MM-DD (inclusive) or ISO")] = None,
    timeZone: Annotated[str | None, Query(description="IANA zone, default UTC")] = None,
    loggedInUsersTz: Annotated[str | None, Query(description="deprecated alias")] = None,
    credentialId: Annotated[str | None, Query(description="flat spelling")] = None,
    externalId: Annotated[str | None, Query(description="flat spelling")] = None,
) -> Response:
    zone = q.time_zone("timeZone", timeZone or loggedInUsersTz)
    start = q.instant("dateFrom", q.required("dateFrom", dateFrom), zone=zone)
    end = q.instant("dateTo", q.required("dateTo", dateTo), end_of_day=True, zone=zone)
    if end <= start:
        raise q.bad("dateTo", "must be after dateFrom")
    if end - start > MAX_BUSY_RANGE:
        raise q.bad("dateTo", "the range may span at most 366 days")
    wanted = _calendars_to_load(request)
    found = await calendars.busy_times(uow, user, wanted, start, end, time_zone=zone)
    return success([{"start": iso(b.start), "end": iso(b.end), "source": None} for b in found])


def _calendars_to_load(request: Request) -> list[tuple[int, str]]:
    """(credentialId, externalId) pairs from bracket notation or the flat spelling."""
    indexed: dict[int, dict[str, str]] = {}
    for name, value in request.query_params.multi_items():
        match = _BRACKET.fullmatch(name)
        if match:
            indexed.setdefault(int(match[1]), {})[match[2]] = value
    items = [indexed[i] for i in sorted(indexed)]
    flat_ids = request.query_params.getlist("credentialId")
    flat_external = request.query_params.getlist("externalId")
    if len(flat_ids) != len(flat_external):
        raise q.bad("externalId", "give credentialId and externalId together, once each")
    items += [
        {"credentialId": c, "externalId": e} for c, e in zip(flat_ids, flat_external, strict=True)
    ]
    if not items:
        raise q.bad("calendarsToLoad", "name at least one calendar (credentialId, externalId)")
    if len(items) > MAX_CALENDARS_TO_LOAD:
        raise q.bad("calendarsToLoad", f"at most {MAX_CALENDARS_TO_LOAD} calendars")
    pairs = []
    for index, item in enumerate(items):
        field = f"calendarsToLoad[{index}]"
        credential_id = q.integer(f"{field}[credentialId]", item.get("credentialId"), minimum=1)
        external_id = item.get("externalId")
        if credential_id is None:
            raise q.bad(f"{field}[credentialId]", "is required")
        if not external_id or len(external_id) > 2048:
            raise q.bad(f"{field}[externalId]", "is required (at most 2048 characters)")
        pairs.append((credential_id, external_id))
    return pairs


@router.post(
    "/v2/calendars/ics-feed/save",
    summary="Save an ICS feed",
    description="Each URL is fetched and parsed first; one that fails is a 400.",
    **documented(Success[CredentialOutput], status=201, errors=(400,)),
)
async def save_ics_feed(body: IcsFeedInput, user: CurrentUser, uow: Uow, now: Now) -> Response:
    credential = await calendars.save_ics_feed(
        uow, user, body.urls, read_only=body.read_only, now=now
    )
    return success(credential_output(credential), status=201)


@router.get(
    "/v2/calendars/ics-feed/check",
    summary="Check an ICS feed",
    description="`valid` is false when one of the caller's feeds failed at its last fetch.",
    **documented(Success[IcsCheckOutput]),
)
async def check_ics_feed(user: CurrentUser, uow: Uow) -> Response:
    return success(await calendars.check_ics_feeds(uow, user))


@router.post(
    "/v2/calendars/{calendar}/credentials",
    summary="Save Apple or CalDAV calendar credentials",
    description="Connects the account and discovers its calendars (all selected for conflict "
    "checks; the first becomes the destination when there is none). A connection that fails "
    "is a 400. Credentials are stored encrypted.",
    **documented(Success[CredentialOutput], status=201, errors=(400,)),
)
async def save_credentials(
    calendar: Provider, body: CalendarCredentialsInput, user: CurrentUser, uow: Uow, now: Now
) -> Response:
    credential = await calendars.connect_caldav(
        uow,
        user,
        calendar,
        username=body.username,
        password=body.password,
        url=body.url,
        now=now,
    )
    return success(credential_output(credential), status=201)


@router.post(
    "/v2/calendars/{calendar}/disconnect",
    summary="Disconnect a calendar",
    **documented(Success[CredentialOutput]),
)
async def disconnect(
    request: Request,
    calendar: Annotated[
        Literal["apple", "caldav", "ics-feed"], Path(description="the credential's provider")
    ],
    body: DisconnectInput,
    user: CurrentUser,
    uow: Uow,
) -> Response:
    credential = await calendars.disconnect(uow, user, calendar, body.id)
    request.app.state.calendars.forget(credential.id)
    return success(credential_output(credential))


@router.post(
    "/v2/selected-calendars",
    summary="Add a selected calendar",
    description="Check this calendar's busy times for conflicts.",
    tags=["Selected Calendars"],
    **documented(Success[SelectedCalendarOutput], status=201),
)
async def add_selected(body: SelectedCalendarInput, user: CurrentUser, uow: Uow) -> Response:
    found = await calendars.select(
        uow,
        user,
        integration=body.integration,
        external_id=body.external_id,
        credential_id=body.credential_id,
        selected=True,
    )
    return success(selected_output(found), status=201)


@router.delete(
    "/v2/selected-calendars",
    summary="Delete a selected calendar",
    description="Stop checking this calendar for conflicts (it stays connected).",
    tags=["Selected Calendars"],
    **documented(
        Success[SelectedCalendarOutput],
        errors=(400,),
        required=("integration", "externalId", "credentialId"),
    ),
)
async def remove_selected(
    user: CurrentUser,
    uow: Uow,
    integration: Annotated[str | None, Query()] = None,
    externalId: Annotated[str | None, Query()] = None,
    credentialId: Annotated[str | None, Query()] = None,
) -> Response:
    credential_id = q.integer("credentialId", q.required("credentialId", credentialId), minimum=1)
    assert credential_id is not None
    found = await calendars.select(
        uow,
        user,
        integration=q.required("integration", integration)[:255],
        external_id=q.required("externalId", externalId)[:2048],
        credential_id=credential_id,
        selected=False,
    )
    return success(selected_output(found))


@router.put(
    "/v2/destination-calendars",
    summary="Update destination calendars",
    description="The calendar new bookings are written to (not an ICS feed: those are read-only).",
    tags=["Destination Calendars"],
    **documented(Success[SelectedCalendarOutput], errors=(400,)),
)
async def set_destination(body: DestinationCalendarInput, user: CurrentUser, uow: Uow) -> Response:
    found = await calendars.set_destination(
        uow, user, integration=body.integration, external_id=body.external_id
    )
    return success(selected_output(found))
