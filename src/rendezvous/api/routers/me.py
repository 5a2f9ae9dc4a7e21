"""GET/PATCH /v2/me (contract §6)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from rendezvous.api.deps import Clock, CurrentUser, Uow
from rendezvous.api.schemas.common import success
from rendezvous.api.schemas.me import UpdateMeInput, me_output
from rendezvous.services.profile import update_profile

router = APIRouter(prefix="/v2/me", tags=["Me"])


@router.get("", summary="Get my profile")
async def get_me(user: CurrentUser) -> dict[str, Any]:
    return success(me_output(user))


@router.patch("", summary="Update my profile")
async def patch_me(body: UpdateMeInput, user: CurrentUser, uow: Uow, now: Clock) -> dict[str, Any]:
    changes = body.model_dump(exclude_unset=True)
    # null for a non-nullable field means "leave as is"; nullable ones may be cleared. A user
    # always has a default schedule, so defaultScheduleId: null changes nothing.
    nullable = {"name", "avatar_url", "bio"}
    changes = {k: v for k, v in changes.items() if v is not None or k in nullable}
    if "avatar_url" in changes and changes["avatar_url"] is not None:
        changes["avatar_url"] = str(changes["avatar_url"])
    updated = await update_profile(uow, user, changes, now)
    return success(me_output(updated))
