"""/v2/me wire models (contract §6)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, HttpUrl

from rendezvous.api.schemas.bounds import BIO_MAX, URL_MAX, Email, IntegralFloat, Name
from rendezvous.api.schemas.common import (
    MAX_ID,
    Locale,
    Metadata,
    OutModel,
    TimeZoneName,
    Weekday,
    WireModel,
)
from rendezvous.domain.accounts import User


class UpdateMeInput(WireModel):
    email: Email | None = None
    name: Name | None = None
    time_format: Annotated[Literal[12, 24], IntegralFloat] | None = None
    default_schedule_id: Annotated[int, Field(ge=1, le=MAX_ID), IntegralFloat] | None = None
    week_start: Weekday | None = None
    time_zone: TimeZoneName | None = None
    locale: Locale | None = None
    avatar_url: Annotated[HttpUrl, Field(max_length=URL_MAX)] | None = None
    bio: Annotated[str, Field(max_length=BIO_MAX)] | None = None
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
