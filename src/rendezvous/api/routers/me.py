"""GET/PATCH /v2/me (contract §6)."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from rendezvous.api import examples
from rendezvous.api.deps import CurrentUser, Now, SettingsDep, Uow
from rendezvous.api.openapi import documented
from rendezvous.api.replies import success
from rendezvous.api.schemas.me import UpdateMeInput, me_output
from rendezvous.api.schemas.outputs import MeOutput, Success
from rendezvous.services.profile import update_profile

router = APIRouter(prefix="/v2/me", tags=["Me"])


@router.get("", summary="Get my profile", **documented(Success[MeOutput], example=examples.ME))
async def get_me(user: CurrentUser) -> Response:
    return success(me_output(user))


@router.patch(
    "",
    summary="Update my profile",
    # 409: the email address belongs to another user, or the new default schedule was deleted
    # meanwhile.
    **documented(Success[MeOutput], errors=(404, 409), example=examples.ME),
)
async def patch_me(
    body: UpdateMeInput, user: CurrentUser, uow: Uow, now: Now, settings: SettingsDep
) -> Response:
    changes = body.model_dump(exclude_unset=True)
    # null for a non-nullable field means "leave as is"; nullable ones may be cleared. A user
    # always has a default schedule, so defaultScheduleId: null changes nothing.
    nullable = {"name", "avatar_url", "bio"}
    changes = {k: v for k, v in changes.items() if v is not None or k in nullable}
    if "avatar_url" in changes and changes["avatar_url"] is not None:
        changes["avatar_url"] = str(changes["avatar_url"])
    updated = await update_profile(uow, user, changes, now, public_url=settings.public_url)
    return success(me_output(updated))
