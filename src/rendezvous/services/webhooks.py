"""Webhook subscriptions (contract §8.1) and their delivery log: one use case per function.

A subscription belongs to a user (``event_type_id`` None) or to one of the user's event types.
Another user's subscription, or one of another scope, is "not found". ``check_url`` is the
outbound guard (``integrations.outbound.check_url`` bound to the setting), passed in by the
caller so services stay free of network code.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from rendezvous.domain.accounts import User
from rendezvous.domain.errors import NotFound, RuleViolation
from rendezvous.domain.webhooks import DeliveryView, Subscription
from rendezvous.services.event_types import get_event_type
from rendezvous.services.ports import UnitOfWork

UrlCheck = Callable[[str], Awaitable[Any]]


def not_found(webhook_id: int) -> NotFound:
    return NotFound(f"Webhook with id={webhook_id} not found")


async def _scope(uow: UnitOfWork, user: User, event_type_id: int | None) -> None:
    if event_type_id is not None:
        await get_event_type(uow, user, event_type_id)  # 404 unless the caller's


async def _own(
    uow: UnitOfWork, user: User, event_type_id: int | None, webhook_id: int
) -> Subscription:
    await _scope(uow, user, event_type_id)
    found = await uow.webhooks.get(webhook_id)
    if found is None or found.user_id != user.id or found.event_type_id != event_type_id:
        raise not_found(webhook_id)
    return found


async def create(
    uow: UnitOfWork,
    user: User,
    event_type_id: int | None,
    fields: Mapping[str, Any],
    *,
    now: datetime,
    check_url: UrlCheck,
) -> Subscription:
    """Create a subscription; ``fields`` are validated wire values (snake_case names of
    ``Subscription``). Raises NotFound (event type), OutboundRefused (subscriberUrl)."""
    await check_url(fields["subscriber_url"])
    await uow.begin_write()
    await _scope(uow, user, event_type_id)
    created = await uow.webhooks.add(
        user_id=user.id, event_type_id=event_type_id, fields=fields, now=now
    )
    await uow.commit()
    return created


async def list_(
    uow: UnitOfWork, user: User, event_type_id: int | None, *, take: int, skip: int
) -> list[Subscription]:
    """The caller's subscriptions of one scope, oldest first."""
    await _scope(uow, user, event_type_id)
    return await uow.webhooks.list_for(user.id, event_type_id, take=take, skip=skip)


async def get(
    uow: UnitOfWork, user: User, event_type_id: int | None, webhook_id: int
) -> Subscription:
    return await _own(uow, user, event_type_id, webhook_id)


async def update(
    uow: UnitOfWork,
    user: User,
    event_type_id: int | None,
    webhook_id: int,
    changes: Mapping[str, Any],
    *,
    now: datetime,
    check_url: UrlCheck,
) -> Subscription:
    """Change only the fields sent. A new subscriberUrl is checked as at creation."""
    if "subscriber_url" in changes:
        await check_url(changes["subscriber_url"])
    await uow.begin_write()
    await _own(uow, user, event_type_id, webhook_id)
    updated = await uow.webhooks.update(webhook_id, changes, now) if changes else None
    result = updated or await _own(uow, user, event_type_id, webhook_id)
    await uow.commit()
    return result


async def delete(
    uow: UnitOfWork, user: User, event_type_id: int | None, webhook_id: int
) -> Subscription:
    """Delete a subscription and its deliveries (owed ones are not sent); return it."""
    await uow.begin_write()
    found = await _own(uow, user, event_type_id, webhook_id)
    await uow.webhooks.delete(webhook_id)
    await uow.commit()
    return found


async def deliveries(
    uow: UnitOfWork, user: User, webhook_id: int, *, take: int, skip: int
) -> list[DeliveryView]:
    """A subscription's deliveries (of either scope), newest first, with every attempt."""
    found = await uow.webhooks.get(webhook_id)
    if found is None or found.user_id != user.id:
        raise not_found(webhook_id)
    return await uow.webhooks.deliveries(webhook_id, take=take, skip=skip)


async def redeliver(
    uow: UnitOfWork, user: User, webhook_id: int, delivery_id: int, *, now: datetime
) -> DeliveryView:
    """Send a delivery again, now, with a fresh round of attempts and the same ``webhook-id``.

    Raises NotFound (another user's webhook, a delivery of another webhook), RuleViolation
    (422) for a delivery never attempted and not yet due: there is nothing to send "again",
    and sending a MEETING_STARTED before the meeting starts would be false."""
    await uow.begin_write()
    found = await uow.webhooks.get(webhook_id)
    if found is None or found.user_id != user.id:
        raise not_found(webhook_id)
    before = await uow.webhooks.delivery(webhook_id, delivery_id)
    if before is None:
        raise NotFound(f"Delivery with id={delivery_id} not found")
    if before.status == "pending" and before.attempts == 0 and before.due_at > now:
        raise RuleViolation(
            f"Delivery with id={delivery_id} has not been sent yet: it is due at "
            f"{before.due_at.astimezone(UTC).isoformat()}"
        )
    if not await uow.webhooks.redeliver(webhook_id, delivery_id, now):
        raise NotFound(f"Delivery with id={delivery_id} not found")
    view = await uow.webhooks.delivery(webhook_id, delivery_id)
    await uow.commit()
    assert view is not None
    return view
