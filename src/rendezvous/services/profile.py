"""The caller's own profile (/v2/me)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rendezvous.domain.accounts import User
from rendezvous.domain.errors import Conflict, NotFound
from rendezvous.services.invitations import new_verification_token
from rendezvous.services.notifications import Notifications
from rendezvous.services.ports import UnitOfWork


async def update_profile(
    uow: UnitOfWork,
    user: User,
    changes: dict[str, Any],
    now: datetime,
    *,
    public_url: str = "http://127.0.0.1:8000",
) -> User:
    """Apply the named changes (snake_case field → value); fields not named stay as they are.

    A new email address is unverified: anyone can type any address, so until it is verified it
    matches no booking attendee (issue 9 item 1). A link to ``{public_url}/verify-email`` is
    mailed to it (an outbox row in this transaction); the operator can also vouch for it
    (``rendezvous users verify-email``)."""
    await uow.begin_write()
    if "email" in changes:
        changes["email"] = str(changes["email"]).strip().lower()
        if changes["email"] == user.email:
            del changes["email"]  # unchanged: stays as verified as it was
        else:
            if await uow.users.email_taken(changes["email"], except_id=user.id):
                raise Conflict(f"A user with email {changes['email']} already exists")
            changes["email_verified_at"] = None
            token, changes["email_verification_hash"] = new_verification_token()
    schedule_id = changes.get("default_schedule_id")
    if schedule_id is not None and not await uow.schedules.owned_by(schedule_id, user.id):
        raise NotFound(f"Schedule with id={schedule_id} not found")
    if not changes:
        return user
    updated = await uow.users.update(user.id, now=now, **changes)
    if "email_verification_hash" in changes:
        await Notifications(uow, now, public_url).email_verification(updated, token)
    await uow.commit()
    return updated
