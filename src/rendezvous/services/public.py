"""What the public pages read beyond the booking and slot services: a user's public profile."""

from __future__ import annotations

from rendezvous.domain.accounts import User, username_reserved
from rendezvous.domain.errors import NotFound
from rendezvous.domain.event_types import EventType
from rendezvous.services.ports import UnitOfWork


async def public_profile(uow: UnitOfWork, username: str) -> tuple[User, list[EventType]]:
    """The user ``username`` and their event types that are not hidden, in their order;
    NotFound for an unknown (or reserved) username."""
    user = None if username_reserved(username) else await uow.users.by_username(username)
    if user is None:
        raise NotFound(f"User '{username}' not found")
    return user, await uow.event_types.for_owner(user.id, include_hidden=False)
