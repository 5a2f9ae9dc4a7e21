"""Teams, memberships and team event types on the wire (contract §7): inputs, outputs and the
models that document them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, ValidationError, model_validator

from rendezvous.api.errors import caller_path
from rendezvous.api.schemas.bounds import (
    BIO_MAX,
    NAME_MAX,
    SLUG_MAX,
    URL_MAX,
    IntegralFloat,
    Line,
    json_bounds,
)
from rendezvous.api.schemas.common import Metadata, OutModel, WireModel
from rendezvous.api.schemas.event_type_locations import TeamLocation
from rendezvous.api.schemas.event_type_output import EventTypeOutput, event_type_output
from rendezvous.api.schemas.event_types import (
    MAX_LOCATIONS,
    CreateEventTypeInput,
    EventTypeSettingsError,
    UpdateEventTypeInput,
)
from rendezvous.domain.accounts import User
from rendezvous.domain.hosts import DEFAULT_PRIORITY, DEFAULT_WEIGHT, PRIORITIES
from rendezvous.domain.teams import HostSetting, Membership, Team
from rendezvous.services.team_event_types import TeamEventTypeView, TeamFields

TEAM_NAME_MAX = 155  # Cal.com: name 1–155 characters
Role = Literal["MEMBER", "ADMIN", "OWNER"]
Priority = Literal["lowest", "low", "medium", "high", "highest"]
Text = Annotated[str, Field(max_length=URL_MAX), Line]
WeekStart = Literal["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
# Cal.com's SchedulingType inputs (camelCase, lower-case or the database's upper-case forms).
SCHEDULING_INPUTS = {
    "collective": "COLLECTIVE",
    "COLLECTIVE": "COLLECTIVE",
    "roundRobin": "ROUND_ROBIN",
    "ROUND_ROBIN": "ROUND_ROBIN",
    "managed": "MANAGED",
    "MANAGED": "MANAGED",
}
SCHEDULING_OUTPUTS = {
    "COLLECTIVE": "collective",
    "ROUND_ROBIN": "roundRobin",
    "MANAGED": "managed",
}


def _scheduling(value: str) -> str:
    if value not in SCHEDULING_INPUTS:
        raise ValueError("must be one of collective, roundRobin, managed (or COLLECTIVE, "
                         "ROUND_ROBIN, MANAGED)")  # fmt: skip
    return value


# A string, not an enum, in the document: generated clients cannot tell apart enum values that
# differ only in case (collective / COLLECTIVE).
SchedulingInput = Annotated[
    str,
    Field(
        max_length=16,
        description="collective, roundRobin or managed (also COLLECTIVE, ROUND_ROBIN, MANAGED)",
    ),
    AfterValidator(_scheduling),
]
TeamSlug = Annotated[
    str, Field(min_length=1, max_length=SLUG_MAX, pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
]
UserId = Annotated[int, IntegralFloat, Field(ge=1, le=2**31 - 1)]


def _no_url(value: str) -> str:
    if "://" in value or value.lower().startswith("www."):
        raise ValueError("may not contain a URL")
    return value


class _TeamFields(WireModel):
    slug: TeamSlug | None = None
    logo_url: Text | None = None
    cal_video_logo: Text | None = None
    app_logo: Text | None = None
    app_icon_logo: Text | None = None
    banner_url: Text | None = None
    bio: Annotated[str, Field(max_length=BIO_MAX)] | None = None
    hide_branding: bool | None = None
    is_private: bool | None = None
    hide_book_a_team_member: bool | None = None
    metadata: Metadata | None = None
    theme: Annotated[str, Field(max_length=NAME_MAX), Line] | None = None
    brand_color: Annotated[str, Field(max_length=NAME_MAX), Line] | None = None
    dark_brand_color: Annotated[str, Field(max_length=NAME_MAX), Line] | None = None
    time_format: Literal[12, 24] | None = None
    time_zone: Annotated[str, Field(max_length=64), Line] | None = None
    week_start: WeekStart | None = None

    @model_validator(mode="after")
    def _zone(self) -> Any:
        if self.time_zone is not None:
            from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

            try:
                ZoneInfo(self.time_zone)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"timeZone: unknown time zone '{self.time_zone}'") from None
        return self

    def wire(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, exclude_unset=True, mode="json")


class CreateTeamInput(_TeamFields):
    name: Annotated[str, Field(min_length=1, max_length=TEAM_NAME_MAX), Line]
    auto_accept_creator: bool | None = None
    add_creator_as_owner: bool | None = None

    @model_validator(mode="after")
    def _name(self) -> CreateTeamInput:
        _no_url(self.name)
        return self


class UpdateTeamInput(_TeamFields):
    name: Annotated[str, Field(min_length=1, max_length=TEAM_NAME_MAX), Line] | None = None

    @model_validator(mode="after")
    def _name(self) -> UpdateTeamInput:
        if self.name is not None:
            _no_url(self.name)
        return self


class TeamOutput(OutModel):
    id: int
    parent_id: int | None
    name: str
    slug: str
    logo_url: str | None = None
    cal_video_logo: str | None = None
    app_logo: str | None = None
    app_icon_logo: str | None = None
    bio: str | None = None
    hide_branding: bool
    is_organization: bool
    is_private: bool | None = None
    hide_book_a_team_member: bool | None = None
    metadata: dict[str, Any] | None = None
    theme: str | None = None
    brand_color: str | None = None
    dark_brand_color: str | None = None
    banner_url: str | None = None
    time_format: int | None = None
    time_zone: str
    week_start: str


def team_output(team: Team) -> dict[str, Any]:
    s = team.settings
    out: dict[str, Any] = {
        "id": team.id,
        "parentId": team.parent_id,
        "name": team.name,
        "slug": team.slug,
        "isOrganization": team.is_organization,
        "timeZone": team.time_zone,
        "weekStart": team.week_start,
        "hideBranding": bool(s.get("hideBranding", False)),
    }
    for key in (
        "logoUrl", "calVideoLogo", "appLogo", "appIconLogo", "bio", "isPrivate",
        "hideBookATeamMember", "metadata", "theme", "brandColor", "darkBrandColor", "bannerUrl",
        "timeFormat",
    ):  # fmt: skip
        if s.get(key) is not None:
            out[key] = s[key]
    return out


# --- memberships ---------------------------------------------------------------------------


class CreateMembershipInput(WireModel):
    user_id: UserId
    role: Role = "MEMBER"
    accepted: bool = False
    disable_impersonation: bool = False


class UpdateMembershipInput(WireModel):
    role: Role | None = None
    accepted: bool | None = None
    disable_impersonation: bool | None = None


class MembershipUser(OutModel):
    email: str
    avatar_url: str | None
    username: str
    name: str | None
    bio: str | None
    metadata: dict[str, Any]


class MembershipOutput(OutModel):
    id: int
    user_id: int
    team_id: int
    accepted: bool
    role: str
    disable_impersonation: bool
    user: MembershipUser


def membership_output(membership: Membership, user: User) -> dict[str, Any]:
    return {
        "id": membership.id,
        "userId": membership.user_id,
        "teamId": membership.team_id,
        "accepted": membership.accepted,
        "role": membership.role,
        "disableImpersonation": membership.disable_impersonation,
        "user": {
            "email": user.email,
            "avatarUrl": user.avatar_url,
            "username": user.username,
            "name": user.name,
            "bio": user.bio,
            "metadata": user.metadata,
        },
    }


# --- team event types ----------------------------------------------------------------------


class HostInput(WireModel):
    user_id: UserId
    mandatory: bool = False
    priority: Priority = "medium"
    weight: Annotated[int, IntegralFloat, Field(ge=0, le=1000)] = DEFAULT_WEIGHT

    def setting(self) -> HostSetting:
        priority = PRIORITIES.index(self.priority)
        return HostSetting(self.user_id, self.mandatory, priority, self.weight)


class EmailSettings(WireModel):
    disable_emails_to_attendees: bool | None = None
    disable_emails_to_hosts: bool | None = None


class _TeamEventTypeExtras(WireModel):
    hosts: Annotated[list[HostInput], Field(max_length=500)] | None = None
    assign_all_team_members: bool | None = None
    reschedule_with_same_round_robin_host: bool | None = None
    email_settings: EmailSettings | None = None

    def _check_hosts(self) -> None:
        if self.assign_all_team_members and self.hosts:
            raise ValueError("hosts: send either assignAllTeamMembers or hosts, not both")

    def team_fields(self, scheduling: str | None) -> TeamFields:
        return TeamFields(
            scheduling_type=SCHEDULING_INPUTS[scheduling] if scheduling else None,
            hosts=None if self.hosts is None else [h.setting() for h in self.hosts],
            assign_all=self.assign_all_team_members,
        )


# Keys of the team input that are not event-type settings (kept in columns and rows).
NOT_SETTINGS = ("schedulingType", "hosts", "assignAllTeamMembers")


TeamLocations = Annotated[
    list[TeamLocation],
    json_bounds(max_depth=3, max_items=MAX_LOCATIONS * 8, max_bytes=64 * 1024),
    Field(min_length=1, max_length=MAX_LOCATIONS),
]


class CreateTeamEventTypeInput(CreateEventTypeInput, _TeamEventTypeExtras):
    scheduling_type: SchedulingInput
    locations: TeamLocations | None = None  # type: ignore[assignment]  # + organizersDefaultApp

    @model_validator(mode="after")
    def _team(self) -> CreateTeamEventTypeInput:
        self._check_hosts()
        return self


class UpdateTeamEventTypeInput(UpdateEventTypeInput, _TeamEventTypeExtras):
    locations: TeamLocations | None = None  # type: ignore[assignment]

    @model_validator(mode="after")
    def _team(self) -> UpdateTeamEventTypeInput:
        self._check_hosts()
        return self


class TeamEventTypeHost(OutModel):
    user_id: int
    name: str | None
    username: str
    avatar_url: str | None
    mandatory: bool
    priority: str
    weight: int


class TeamRef(OutModel):
    id: int
    slug: str
    name: str
    banner_url: str | None = None
    logo_url: str | None = None
    week_start: str
    brand_color: str | None = None
    dark_brand_color: str | None = None
    theme: str | None = None


class TeamEventTypeOutput(EventTypeOutput):
    owner_id: int | None  # type: ignore[assignment]
    team_id: int
    parent_event_type_id: int | None
    hosts: list[TeamEventTypeHost]
    assign_all_team_members: bool
    scheduling_type: str | None
    team: TeamRef
    reschedule_with_same_round_robin_host: bool | None = None
    email_settings: dict[str, Any] | None = None
    booking_url: str | None  # type: ignore[assignment]


def _host_out(setting: HostSetting, user: User) -> dict[str, Any]:
    return {
        "userId": user.id,
        "name": user.name,
        "username": user.username,
        "avatarUrl": user.avatar_url,
        "mandatory": setting.mandatory,
        "priority": PRIORITIES[setting.priority] if 0 <= setting.priority < 5 else "medium",
        "weight": setting.weight,
    }


def _team_ref(team: Team) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": team.id,
        "slug": team.slug,
        "name": team.name,
        "weekStart": team.week_start,
    }
    for key in ("bannerUrl", "logoUrl", "brandColor", "darkBrandColor", "theme"):
        if team.settings.get(key) is not None:
            out[key] = team.settings[key]
    return out


def team_event_type_output(view: TeamEventTypeView, public_url: str) -> dict[str, Any]:
    """The §7.2 TeamEventTypeOutput."""
    et = view.event_type
    stored = {k: v for k, v in et.settings.items() if k not in NOT_SETTINGS}
    stored |= {"scheduleId": et.schedule_id}
    users = [
        {"id": u.id, "name": u.name, "username": u.username, "avatarUrl": u.avatar_url,
         "weekStart": u.week_start, "metadata": u.metadata}
        for _, u in view.hosts
    ]  # fmt: skip
    managed = et.scheduling_type == "MANAGED"
    out = event_type_output(stored, id=et.id, owner_id=0, users=users, booking_url="")
    out |= {
        "ownerId": et.owner_id,
        "teamId": view.team.id,
        "parentEventTypeId": et.parent_id,
        "hosts": [_host_out(h, u) for h, u in view.hosts],
        "assignAllTeamMembers": bool(et.settings.get("assignAllTeamMembers")),
        "schedulingType": SCHEDULING_OUTPUTS.get(et.scheduling_type or ""),
        "team": _team_ref(view.team),
        "bookingUrl": None
        if managed or not view.team.slug
        else f"{public_url}/team/{view.team.slug}/{et.slug}",
    }
    for key in ("rescheduleWithSameRoundRobinHost", "emailSettings"):
        if et.settings.get(key) is not None:
            out[key] = et.settings[key]
    return out


def validate_team_settings(merged: Mapping[str, Any]) -> None:
    """``validate_event_type_settings`` for a team event type's merged settings document."""
    try:
        CreateTeamEventTypeInput.model_validate(dict(merged) | {"schedulingType": "collective"})
    except ValidationError as exc:
        problems = [
            (
                caller_path(("body", *err["loc"]), dict(merged)),
                str(err["msg"]).removeprefix("Value error, "),
            )
            for err in exc.errors()
        ]
        raise EventTypeSettingsError(problems) from None


def settings_from_create(body: CreateTeamEventTypeInput, stored: dict[str, Any]) -> dict[str, Any]:
    """The stored settings document of a new team event type (team fields in their columns)."""
    return {k: v for k, v in stored.items() if k not in NOT_SETTINGS}


DEFAULT_PRIORITY_NAME = PRIORITIES[DEFAULT_PRIORITY]
