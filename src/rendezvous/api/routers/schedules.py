"""/v2/schedules (contract §5, cal-api-version 2024-06-11; the header is not needed)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.convertors import Convertor, register_url_convertor
from starlette.responses import Response

from rendezvous.api import examples
from rendezvous.api.deps import CurrentUser, Now, Uow
from rendezvous.api.openapi import documented
from rendezvous.api.query import IdPath
from rendezvous.api.replies import reply, success
from rendezvous.api.schemas.outputs import ScheduleOutput, StatusOnly, Success
from rendezvous.api.schemas.schedules import (
    CreateScheduleInput,
    UpdateScheduleInput,
    availability_items,
    override_items,
    schedule_output,
)
from rendezvous.services import schedules
from rendezvous.services.schedules import ScheduleView

router = APIRouter(prefix="/v2/schedules", tags=["Schedules"])

# Cal.com's schedules version; the header is not needed (a missing or other value is the same).
VERSIONS = ("2024-06-11",)


class ScheduleIdSegment(Convertor[str]):
    """Any path segment but ``default``: that name belongs to the GET /default route, so PATCH or
    DELETE on it is a 405 (with ``Allow: GET``), not an id that failed to parse."""

    regex = "(?!default$)[^/]+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("schedule_id", ScheduleIdSegment())


def _output(view: ScheduleView) -> dict[str, Any]:
    s = view.schedule
    return schedule_output(
        id=s.id,
        owner_id=s.owner_id,
        name=s.name,
        time_zone=s.time_zone,
        is_default=view.is_default,
        availability=s.availability,
        overrides=s.overrides,
    )


@router.get(
    "",
    summary="List my schedules",
    **documented(Success[list[ScheduleOutput]], example=examples.SCHEDULES, versions=VERSIONS),
)
async def list_schedules(user: CurrentUser, uow: Uow) -> Response:
    return success([_output(v) for v in await schedules.list_schedules(uow, user)])


@router.post(
    "",
    summary="Create a schedule",
    **documented(Success[ScheduleOutput], status=201, example=examples.SCHEDULE, versions=VERSIONS),
)
async def create_schedule(
    body: CreateScheduleInput, user: CurrentUser, uow: Uow, now: Now
) -> Response:
    new = schedules.NewSchedule(
        name=body.name,
        time_zone=body.time_zone,
        is_default=body.is_default,
        availability=availability_items(body.availability),
        overrides=override_items(body.overrides),
    )
    return success(_output(await schedules.create_schedule(uow, user, new, now)), 201)


# Declared before /{scheduleId}, which would otherwise take "default" for an id.
@router.get(
    "/default",
    summary="Get my default schedule",
    **documented(Success[ScheduleOutput | None], example=examples.SCHEDULE, versions=VERSIONS),
)
async def get_default_schedule(user: CurrentUser, uow: Uow) -> Response:
    view = await schedules.default_schedule(uow, user)
    return success(_output(view) if view else None)


@router.get(
    "/{scheduleId:schedule_id}",
    summary="Get a schedule",
    **documented(Success[ScheduleOutput], example=examples.SCHEDULE, versions=VERSIONS),
)
async def get_schedule(scheduleId: IdPath, user: CurrentUser, uow: Uow) -> Response:
    return success(_output(await schedules.get_schedule(uow, user, scheduleId)))


@router.patch(
    "/{scheduleId:schedule_id}",
    summary="Update a schedule (only the fields sent)",
    # 409: made the default while a concurrent request deleted it.
    **documented(
        Success[ScheduleOutput], errors=(409,), example=examples.SCHEDULE, versions=VERSIONS
    ),
)
async def update_schedule(
    scheduleId: IdPath, body: UpdateScheduleInput, user: CurrentUser, uow: Uow, now: Now
) -> Response:
    changes: dict[str, Any] = {
        name: getattr(body, name)
        for name in ("name", "time_zone", "is_default")
        if name in body.model_fields_set
    }
    if body.availability is not None:
        changes["availability"] = availability_items(body.availability)
    if body.overrides is not None:
        changes["overrides"] = override_items(body.overrides)
    view = await schedules.update_schedule(uow, user, scheduleId, changes, now)
    return success(_output(view))


@router.delete(
    "/{scheduleId:schedule_id}",
    summary="Delete a schedule",
    **documented(StatusOnly, errors=(409,), example={"status": "success"}, versions=VERSIONS),
)
async def delete_schedule(scheduleId: IdPath, user: CurrentUser, uow: Uow, now: Now) -> Response:
    await schedules.delete_schedule(uow, user, scheduleId, now)
    return reply({"status": "success"})
