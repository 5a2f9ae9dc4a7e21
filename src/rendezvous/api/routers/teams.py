"""Organizations' teams, memberships and team event types (contract §7; no version header), and
Cal.com's caller-centred /v2/teams routes that integrations call."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette.responses import Response

from rendezvous.api import query as q
from rendezvous.api.deps import CurrentUser, Now, SettingsDep, Uow
from rendezvous.api.errors import ApiError
from rendezvous.api.openapi import documented
from rendezvous.api.query import IdPath
from rendezvous.api.replies import success
from rendezvous.api.schemas.event_types import (
    EventTypeSettingsError,
    merge_update,
    stored_from_create,
)
from rendezvous.api.schemas.outputs import DeletedEventType, Success
from rendezvous.api.schemas.teams import (
    NOT_SETTINGS,
    CreateMembershipInput,
    CreateTeamEventTypeInput,
    CreateTeamInput,
    MembershipOutput,
    TeamEventTypeOutput,
    TeamOutput,
    UpdateMembershipInput,
    UpdateTeamEventTypeInput,
    UpdateTeamInput,
    membership_output,
    team_event_type_output,
    team_output,
    validate_team_settings,
)
from rendezvous.config import Settings
from rendezvous.domain.event_types import EventType
from rendezvous.services import team_event_types as tet
from rendezvous.services import teams as service

router = APIRouter(prefix="/v2/organizations/{orgId}/teams", tags=["Organizations / Teams"])
mine = APIRouter(prefix="/v2/teams", tags=["Teams"])

MAX_TAKE = 250
Param = Annotated[str | None, Query()]
Take = Annotated[str | None, Query(description="1–250, default 250")]
Skip = Annotated[str | None, Query(description="≥ 0, default 0")]


def _page(take: str | None, skip: str | None) -> tuple[int, int]:
    size = q.integer("take", take, minimum=1)
    if size is not None and size > MAX_TAKE:
        raise q.bad("take", f"must be at most {MAX_TAKE}")
    return size or MAX_TAKE, q.integer("skip", skip, minimum=0) or 0


def _deleted(event_type: EventType) -> dict[str, Any]:
    return {
        "id": event_type.id,
        "lengthInMinutes": event_type.rules.duration,
        "title": event_type.title,
        "slug": event_type.slug,
    }


# --- teams -----------------------------------------------------------------------------------


@router.get(
    "/event-types",
    summary="List the event types of every team of an organization (org admins)",
    **documented(Success[list[TeamEventTypeOutput]], errors=(403,)),
)
async def list_org_event_types(
    orgId: IdPath, user: CurrentUser, uow: Uow, settings: SettingsDep, take: Take = None,
    skip: Skip = None,
) -> Response:  # fmt: skip
    size, offset = _page(take, skip)
    views = await tet.list_org_event_types(uow, user, orgId, take=size, skip=offset)
    return success([team_event_type_output(v, settings.public_url) for v in views])


@router.get(
    "",
    summary="List an organization's teams (org admins)",
    **documented(Success[list[TeamOutput]], errors=(403,)),
)
async def list_teams(
    orgId: IdPath, user: CurrentUser, uow: Uow, take: Take = None, skip: Skip = None
) -> Response:
    size, offset = _page(take, skip)
    teams = await service.list_org_teams(uow, user, orgId, take=size, skip=offset)
    return success([team_output(t) for t in teams])


@router.post(
    "",
    summary="Create a team in an organization (org admins); the caller becomes its owner",
    **documented(Success[TeamOutput], status=201, errors=(403, 409)),
)
async def create_team(
    orgId: IdPath, body: CreateTeamInput, user: CurrentUser, uow: Uow, now: Now
) -> Response:
    team = await service.create_team(uow, user, orgId, body.wire(), now)
    return success(team_output(team), 201)


@router.get("/{teamId}", summary="Get a team", **documented(Success[TeamOutput], errors=(403,)))
async def get_team(orgId: IdPath, teamId: IdPath, user: CurrentUser, uow: Uow) -> Response:
    return success(team_output(await service.get_team(uow, user, teamId, org_id=orgId)))


@router.patch(
    "/{teamId}",
    summary="Update a team (org admins, team admins and owners)",
    **documented(Success[TeamOutput], errors=(403, 409)),
)
async def update_team(
    orgId: IdPath, teamId: IdPath, body: UpdateTeamInput, user: CurrentUser, uow: Uow, now: Now
) -> Response:
    team = await service.update_team(uow, user, orgId, teamId, body.wire(), now)
    return success(team_output(team))


@router.delete(
    "/{teamId}",
    summary="Delete a team with its memberships and event types (org admins, team owners)",
    **documented(Success[TeamOutput], errors=(403,)),
)
async def delete_team(orgId: IdPath, teamId: IdPath, user: CurrentUser, uow: Uow) -> Response:
    return success(team_output(await service.delete_team(uow, user, orgId, teamId)))


# --- memberships -----------------------------------------------------------------------------


@router.get(
    "/{teamId}/memberships",
    summary="List a team's memberships (members)",
    **documented(Success[list[MembershipOutput]], errors=(403,)),
)
async def list_memberships(
    orgId: IdPath, teamId: IdPath, user: CurrentUser, uow: Uow, take: Take = None,
    skip: Skip = None,
) -> Response:  # fmt: skip
    size, offset = _page(take, skip)
    found = await service.list_memberships(uow, user, orgId, teamId, take=size, skip=offset)
    return success([membership_output(m, u) for m, u in found])


@router.post(
    "/{teamId}/memberships",
    summary="Add a member of the organization to the team (team admins and owners)",
    **documented(Success[MembershipOutput], status=201, errors=(403, 409)),
)
async def create_membership(
    orgId: IdPath,
    teamId: IdPath,
    body: CreateMembershipInput,
    user: CurrentUser,
    uow: Uow,
    now: Now,
) -> Response:
    fields = body.model_dump(by_alias=True)
    membership, member = await service.add_membership(uow, user, orgId, teamId, fields, now)
    return success(membership_output(membership, member), 201)


@router.get(
    "/{teamId}/memberships/{membershipId}",
    summary="Get a membership (members)",
    **documented(Success[MembershipOutput], errors=(403,)),
)
async def get_membership(
    orgId: IdPath, teamId: IdPath, membershipId: IdPath, user: CurrentUser, uow: Uow
) -> Response:
    found = await service.get_membership(uow, user, orgId, teamId, membershipId)
    return success(membership_output(*found))


@router.patch(
    "/{teamId}/memberships/{membershipId}",
    summary="Change a membership's role or acceptance (team admins and owners)",
    **documented(Success[MembershipOutput], errors=(403,)),
)
async def update_membership(
    orgId: IdPath,
    teamId: IdPath,
    membershipId: IdPath,
    body: UpdateMembershipInput,
    user: CurrentUser,
    uow: Uow,
) -> Response:
    fields = body.model_dump(by_alias=True, exclude_unset=True)
    found = await service.update_membership(uow, user, orgId, teamId, membershipId, fields)
    return success(membership_output(*found))


@router.delete(
    "/{teamId}/memberships/{membershipId}",
    summary="Remove a membership (team admins and owners)",
    **documented(Success[MembershipOutput], errors=(403,)),
)
async def delete_membership(
    orgId: IdPath, teamId: IdPath, membershipId: IdPath, user: CurrentUser, uow: Uow
) -> Response:
    found = await service.delete_membership(uow, user, orgId, teamId, membershipId)
    return success(membership_output(*found))


# --- team event types ------------------------------------------------------------------------


def _patcher(body: UpdateTeamEventTypeInput) -> Any:
    def apply(stored: Mapping[str, Any]) -> dict[str, Any]:
        merged = merge_update(stored, body)
        for key in NOT_SETTINGS:
            if key != "assignAllTeamMembers":
                merged.pop(key, None)
        if "assignAllTeamMembers" in body.model_fields_set:
            merged.pop("assignAllTeamMembers", None)
            if stored.get("assignAllTeamMembers"):
                merged["assignAllTeamMembers"] = True
        try:
            validate_team_settings(merged)
        except EventTypeSettingsError as exc:
            errors = [
                {"property": path, "location": "body", "message": text}
                for path, text in exc.problems
            ]
            raise ApiError(400, exc.message, {"errors": errors}) from None
        return merged

    return apply


async def _create_event_type(
    uow: Uow, user: Any, teamId: int, body: CreateTeamEventTypeInput, now: Any,
    settings: Settings, org_id: int | None,
) -> Response:  # fmt: skip
    stored = {k: v for k, v in stored_from_create(body).items() if k not in NOT_SETTINGS}
    view, children = await tet.create_team_event_type(
        uow, user, teamId, stored, body.team_fields(body.scheduling_type), now, org_id=org_id
    )
    out = team_event_type_output(view, settings.public_url)
    if view.event_type.scheduling_type != "MANAGED":
        return success(out, 201)
    child_views = [tet.TeamEventTypeView(c, view.team, []) for c in children]
    outs = [team_event_type_output(c, settings.public_url) for c in child_views]
    return success([out, *outs], 201)


@router.get(
    "/{teamId}/event-types",
    summary="List a team's event types (members)",
    **documented(Success[list[TeamEventTypeOutput]], errors=(403,)),
)
async def list_team_event_types(
    orgId: IdPath, teamId: IdPath, user: CurrentUser, uow: Uow, settings: SettingsDep,
    eventSlug: Param = None,
) -> Response:  # fmt: skip
    views = await tet.list_team_event_types(
        uow, user, teamId, org_id=orgId, event_slug=eventSlug or None
    )
    return success([team_event_type_output(v, settings.public_url) for v in views])


@router.post(
    "/{teamId}/event-types",
    summary="Create a team event type (team admins and owners)",
    description="`data` is an object, or for `managed` an array: the managed event type, then "
    "one child per assigned member.",
    **documented(
        Success[TeamEventTypeOutput | list[TeamEventTypeOutput]], status=201, errors=(403, 409)
    ),
)
async def create_team_event_type(
    orgId: IdPath,
    teamId: IdPath,
    body: CreateTeamEventTypeInput,
    user: CurrentUser,
    uow: Uow,
    now: Now,
    settings: SettingsDep,
) -> Response:
    return await _create_event_type(uow, user, teamId, body, now, settings, orgId)


@router.get(
    "/{teamId}/event-types/{eventTypeId}",
    summary="Get a team event type (members)",
    **documented(Success[TeamEventTypeOutput], errors=(403,)),
)
async def get_team_event_type(
    orgId: IdPath, teamId: IdPath, eventTypeId: IdPath, user: CurrentUser, uow: Uow,
    settings: SettingsDep,
) -> Response:  # fmt: skip
    view = await tet.get_team_event_type(uow, user, teamId, eventTypeId, org_id=orgId)
    return success(team_event_type_output(view, settings.public_url))


@router.patch(
    "/{teamId}/event-types/{eventTypeId}",
    summary="Update a team event type (team admins and owners)",
    **documented(Success[TeamEventTypeOutput], errors=(403, 409)),
)
async def update_team_event_type(
    orgId: IdPath,
    teamId: IdPath,
    eventTypeId: IdPath,
    body: UpdateTeamEventTypeInput,
    user: CurrentUser,
    uow: Uow,
    now: Now,
    settings: SettingsDep,
) -> Response:
    view = await tet.update_team_event_type(
        uow, user, teamId, eventTypeId, _patcher(body), body.team_fields(None), now, org_id=orgId
    )
    return success(team_event_type_output(view, settings.public_url))


@router.delete(
    "/{teamId}/event-types/{eventTypeId}",
    summary="Delete a team event type (team admins and owners)",
    **documented(Success[DeletedEventType], errors=(403,)),
)
async def delete_team_event_type(
    orgId: IdPath, teamId: IdPath, eventTypeId: IdPath, user: CurrentUser, uow: Uow
) -> Response:
    event_type = await tet.delete_team_event_type(uow, user, teamId, eventTypeId, org_id=orgId)
    return success(_deleted(event_type))


# --- caller-centred ------------------------------------------------------------------------


@mine.get(
    "", summary="List the teams I belong to", **documented(Success[list[TeamOutput]], errors=(403,))
)
async def my_teams(user: CurrentUser, uow: Uow, take: Take = None, skip: Skip = None) -> Response:
    size, offset = _page(take, skip)
    found = await service.my_teams(uow, user, take=size, skip=offset)
    return success([team_output(t) for t in found])


@mine.get(
    "/{teamId}", summary="Get a team I belong to", **documented(Success[TeamOutput], errors=(403,))
)
async def my_team(teamId: IdPath, user: CurrentUser, uow: Uow) -> Response:
    return success(team_output(await service.get_team(uow, user, teamId, org_id=None)))


@mine.get(
    "/{teamId}/event-types",
    summary="List the event types of a team I belong to",
    **documented(Success[list[TeamEventTypeOutput]], errors=(403,)),
)
async def my_team_event_types(
    teamId: IdPath, user: CurrentUser, uow: Uow, settings: SettingsDep, eventSlug: Param = None
) -> Response:
    views = await tet.list_team_event_types(
        uow, user, teamId, org_id=None, event_slug=eventSlug or None
    )
    return success([team_event_type_output(v, settings.public_url) for v in views])
