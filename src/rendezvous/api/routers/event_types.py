"""/v2/event-types (contract §4, cal-api-version 2024-06-14); the list also in the legacy shape."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from rendezvous.api import examples
from rendezvous.api import query as q
from rendezvous.api.deps import CurrentUser, Now, OptionalUser, SettingsDep, Uow
from rendezvous.api.errors import ApiError
from rendezvous.api.openapi import documented
from rendezvous.api.query import IdPath
from rendezvous.api.replies import success
from rendezvous.api.schemas.event_types import (
    CreateEventTypeInput,
    EventTypeSettingsError,
    UpdateEventTypeInput,
    event_type_output,
    legacy_event_type_item,
    merge_update,
    stored_from_create,
    validate_event_type_settings,
)
from rendezvous.api.schemas.outputs import (
    DeletedEventType,
    EventTypeOutput,
    LegacyEventTypeList,
    Success,
)
from rendezvous.config import Settings
from rendezvous.domain.accounts import User
from rendezvous.domain.event_types import EventType
from rendezvous.services import event_types as service
from rendezvous.services.team_event_types import TeamGroup, legacy_groups

router = APIRouter(prefix="/v2/event-types", tags=["Event types"])

# Header values that select the 2024-06-14 list shape. A missing or unknown header, or the legacy
# 2024-04-15, gets Cal.com's legacy eventTypeGroups shape, as Cal.com itself answers (§0 item 1).
CURRENT_VERSIONS = frozenset({"2024-06-11", "2024-06-14", "2024-08-13", "2024-09-04"})
VERSIONS = ("2024-06-14",)

Param = Annotated[str | None, Query()]


def _owner(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "name": user.name,
        "username": user.username,
        "avatarUrl": user.avatar_url,
        "weekStart": user.week_start,
        "metadata": user.metadata,
    }


def _output(event_type: EventType, owner: User, settings: Settings) -> dict[str, Any]:
    # The column wins over the stored document: a schedule removed under the event type leaves
    # it following the owner's default.
    stored = dict(event_type.settings) | {"scheduleId": event_type.schedule_id}
    return event_type_output(
        stored,
        id=event_type.id,
        owner_id=owner.id,
        users=[_owner(owner)],
        booking_url=f"{settings.public_url}/{owner.username}/{event_type.slug}",
    )


def _team_group(group: TeamGroup, settings: Settings) -> tuple[dict[str, Any], dict[str, Any]]:
    """A team's group in the legacy list, and its profile."""
    team = group.team
    profile = {"slug": team.slug, "name": team.name, "image": team.settings.get("logoUrl")}
    items = [
        legacy_event_type_item(et.settings, et.id, et.position)
        | {"schedulingType": et.scheduling_type, "teamId": team.id}
        for et in group.event_types
    ]
    meta = {"membershipCount": group.member_count, "readOnly": group.role == "MEMBER"}
    out = {
        "teamId": team.id,
        "bookerUrl": settings.public_url,
        "membershipRole": group.role,
        "profile": profile,
        "metadata": meta,
        "eventTypes": items,
    }
    return out, profile | {"teamId": team.id, "membershipRole": group.role} | meta


def _legacy(
    listing: service.Listing, settings: Settings, teams: list[TeamGroup] | None = None
) -> dict[str, Any]:
    owner = listing.owner
    if owner is None:
        return {"eventTypeGroups": [], "profiles": []}
    profile = {"slug": owner.username, "name": owner.name, "image": owner.avatar_url}
    group = {
        "teamId": None,
        "bookerUrl": settings.public_url,
        "membershipRole": None,
        "profile": profile,
        "metadata": {"membershipCount": 0, "readOnly": False},
        "eventTypes": [
            legacy_event_type_item(et.settings, et.id, et.position) for et in listing.event_types
        ],
    }
    extra = {"teamId": None, "membershipRole": None, "membershipCount": 0, "readOnly": False}
    groups, profiles = [group], [profile | extra]
    for team_group in teams or ():
        g, p = _team_group(team_group, settings)
        groups.append(g)
        profiles.append(p)
    return {"eventTypeGroups": groups, "profiles": profiles}


@router.get(
    "",
    summary="List event types: a user's public ones by username, or my own",
    description="Without a `cal-api-version` header (or with `2024-04-15` or an unknown value) "
    "the answer uses Cal.com's legacy `eventTypeGroups` shape; with `2024-06-14` (or "
    "`2024-06-11`, `2024-08-13`, `2024-09-04`) it is an array of event types.",
    **documented(
        Success[list[EventTypeOutput] | LegacyEventTypeList],
        examples={
            "cal-api-version 2024-06-14": examples.envelope([examples.EVENT_TYPE_DATA]),
            "no cal-api-version (legacy)": examples.LEGACY_EVENT_TYPES,
        },
        versions=("2024-04-15", *sorted(CURRENT_VERSIONS)),
        version_note="`2024-06-14` (and `2024-06-11`, `2024-08-13`, `2024-09-04`) select the "
        "array of event types; a missing, unknown or `2024-04-15` value selects Cal.com's legacy "
        "`eventTypeGroups` object.",
    ),
)
async def list_event_types(
    request: Request,
    uow: Uow,
    caller: OptionalUser,
    settings: SettingsDep,
    username: Param = None,
    eventSlug: Param = None,
    usernames: Param = None,
    sortCreatedAt: Annotated[str | None, Query(description="asc or desc (by id)")] = None,
) -> Response:
    if usernames and not username:
        # Cal.com compat: dynamic group event types (several users at once) are not offered.
        raise q.bad("usernames", "dynamic group event types are not supported; send username")
    sort = q.choice("sortCreatedAt", sortCreatedAt, ("asc", "desc"), "")
    listing = await service.list_event_types(
        uow,
        caller=caller,
        username=username or None,
        event_slug=eventSlug or None,
        newest_first=None if not sort else sort == "desc",
    )
    if request.headers.get("cal-api-version") not in CURRENT_VERSIONS:
        # The caller's own list also carries their teams' event types, one group per team.
        own = caller is not None and not username
        groups = await legacy_groups(uow, caller) if own and caller is not None else None
        return success(_legacy(listing, settings, groups))
    owner = listing.owner
    if owner is None:
        return success([])
    return success([_output(et, owner, settings) for et in listing.event_types])


@router.post(
    "",
    summary="Create an event type",
    **documented(
        Success[EventTypeOutput],
        status=201,
        errors=(404, 409),
        example=examples.EVENT_TYPE,
        versions=VERSIONS,
    ),
)
async def create_event_type(
    body: CreateEventTypeInput, user: CurrentUser, uow: Uow, now: Now, settings: SettingsDep
) -> Response:
    event_type = await service.create_event_type(uow, user, stored_from_create(body), now)
    return success(_output(event_type, user, settings), 201)


@router.get(
    "/{eventTypeId}",
    summary="Get one of my event types",
    **documented(Success[EventTypeOutput], example=examples.EVENT_TYPE, versions=VERSIONS),
)
async def get_event_type(
    eventTypeId: IdPath, user: CurrentUser, uow: Uow, settings: SettingsDep
) -> Response:
    event_type = await service.get_event_type(uow, user, eventTypeId)
    return success(_output(event_type, user, settings))


def _patcher(body: UpdateEventTypeInput) -> service.ApplyPatch:
    def apply(stored: Mapping[str, Any]) -> dict[str, Any]:
        merged = merge_update(stored, body)
        try:
            validate_event_type_settings(merged)
        except EventTypeSettingsError as exc:
            errors = [
                {"property": path, "location": "body", "message": text}
                for path, text in exc.problems
            ]
            raise ApiError(400, exc.message, {"errors": errors}) from None
        return merged

    return apply


@router.patch(
    "/{eventTypeId}",
    summary="Update one of my event types (only the fields sent)",
    **documented(
        Success[EventTypeOutput], errors=(409,), example=examples.EVENT_TYPE, versions=VERSIONS
    ),
)
async def update_event_type(
    eventTypeId: IdPath,
    body: UpdateEventTypeInput,
    user: CurrentUser,
    uow: Uow,
    now: Now,
    settings: SettingsDep,
) -> Response:
    event_type = await service.update_event_type(uow, user, eventTypeId, _patcher(body), now)
    return success(_output(event_type, user, settings))


@router.delete(
    "/{eventTypeId}",
    summary="Delete one of my event types",
    **documented(Success[DeletedEventType], versions=VERSIONS),
)
async def delete_event_type(eventTypeId: IdPath, user: CurrentUser, uow: Uow) -> Response:
    event_type = await service.delete_event_type(uow, user, eventTypeId)
    return success(
        {
            "id": event_type.id,
            "lengthInMinutes": event_type.rules.duration,
            "title": event_type.title,
            "slug": event_type.slug,
        }
    )
