"""/v2/me wire models (contract §6)."""

from __future__ import annotations

from typing import Literal

from pydantic import EmailStr, Field, HttpUrl

from rendezvous.api.schemas.common import (
    Id,
    Locale,
    Metadata,
    OutModel,
    TimeZoneName,
    Weekday,
    WireModel,
)
from rendezvous.domain.accounts import User


class UpdateMeInput(WireModel):
    email: EmailStr | None = None
    name: str | None = Field(None, min_length=1, max_length=255)
    time_format: Literal[12, 24] | None = None
    default_schedule_id: Id | None = None
    week_start: Weekday | None = None
    time_zone: TimeZoneName | None = None
    locale: Locale | None = None
    avatar_url: HttpUrl | None = None
    bio: str | None = Field(None, max_length=5000)
    metadata: Metadata | None = None


class OrganizationRef(OutModel):
    is_platform: bool
    id: int


class MeOutput(OutModel):
    id: int
    username: str
    email: str
    name: str | None
    avatar_url: str | None
    bio: str | None
    time_format: int
    default_schedule_id: int | None
    week_start: str
    time_zone: str
    locale: str | None
    organization_id: int | None
    organization: OrganizationRef | None = None


def me_output(user: User) -> dict[str, object]:
    out = MeOutput(
        id=user.id,
        username=user.username,
        email=user.email,
        name=user.name,
        avatar_url=user.avatar_url,
        bio=user.bio,
        time_format=user.time_format,
        default_schedule_id=user.default_schedule_id,
        week_start=user.week_start,
        time_zone=user.time_zone,
        locale=user.locale,
        organization_id=user.organization_id,
        organization=(
            OrganizationRef(is_platform=False, id=user.organization_id)
            if user.organization_id is not None
            else None
        ),
    )
    # The organization object is only present for organization members.
    return out.model_dump(by_alias=True, exclude_none=False, exclude={"organization"}) | (
        {"organization": out.organization.model_dump(by_alias=True)} if out.organization else {}
    )
