"""Webhook subscriptions and their deliveries (outbox rows of kind "webhook")."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from rendezvous.db import tables as t
from rendezvous.domain.webhooks import AttemptView, DeliveryView, Subscription


def _subscription(row: t.Webhook) -> Subscription:
    return Subscription(
        id=row.id,
        user_id=row.user_id,
        event_type_id=row.event_type_id,
        subscriber_url=row.subscriber_url,
        triggers=tuple(row.triggers),
        active=row.active,
        payload_template=row.payload_template,
        secret=row.secret,
        version=row.version,
        time=row.time,
        time_unit=row.time_unit,
    )


# Column name per Subscription field a PATCH may change.
COLUMNS = {
    "subscriber_url": "subscriber_url",
    "triggers": "triggers",
    "active": "active",
    "payload_template": "payload_template",
    "secret": "secret",
    "version": "version",
    "time": "time",
    "time_unit": "time_unit",
}


class WebhookRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self,
        *,
        user_id: int,
        event_type_id: int | None,
        fields: Mapping[str, Any],
        now: datetime,
    ) -> Subscription:
        row = t.Webhook(
            user_id=user_id,
            event_type_id=event_type_id,
            created_at=now,
            updated_at=now,
            **{COLUMNS[k]: v for k, v in fields.items()},
        )
        self.session.add(row)
        await self.session.flush()
        return _subscription(row)

    async def get(self, webhook_id: int) -> Subscription | None:
        row = await self.session.get(t.Webhook, webhook_id)
        return _subscription(row) if row else None

    async def list_for(
        self, user_id: int, event_type_id: int | None, *, take: int, skip: int
    ) -> list[Subscription]:
        """A user's own subscriptions (``event_type_id`` None) or one event type's, by id."""
        query = select(t.Webhook).where(t.Webhook.user_id == user_id)
        if event_type_id is None:
            query = query.where(t.Webhook.event_type_id.is_(None))
        else:
            query = query.where(t.Webhook.event_type_id == event_type_id)
        rows = await self.session.scalars(query.order_by(t.Webhook.id).offset(skip).limit(take))
        return [_subscription(r) for r in rows]

    async def update(
        self, webhook_id: int, changes: Mapping[str, Any], now: datetime
    ) -> Subscription | None:
        await self.session.execute(
            update(t.Webhook)
            .where(t.Webhook.id == webhook_id)
            .values(updated_at=now, **{COLUMNS[k]: v for k, v in changes.items()})
        )
        self.session.expire_all()
        return await self.get(webhook_id)

    async def delete(self, webhook_id: int) -> None:
        """Delete a subscription; its deliveries (owed or done) go with it."""
        await self.session.execute(delete(t.Outbox).where(t.Outbox.webhook_id == webhook_id))
        await self.session.execute(delete(t.Webhook).where(t.Webhook.id == webhook_id))

    async def subscribed(
        self, user_id: int, event_type_id: int | None, trigger: str
    ) -> list[Subscription]:
        """Active subscriptions to ``trigger`` that a booking of ``user_id`` (of the event type
        ``event_type_id``) fires: the user's own and the event type's."""
        scope: ColumnElement[bool] = t.Webhook.event_type_id.is_(None)
        if event_type_id is not None:
            scope = or_(scope, t.Webhook.event_type_id == event_type_id)
        rows = await self.session.scalars(
            select(t.Webhook)
            .where(t.Webhook.user_id == user_id, t.Webhook.active.is_(True), scope)
            .order_by(t.Webhook.id)
        )
        return [_subscription(r) for r in rows if trigger in r.triggers]

    async def deliveries(self, webhook_id: int, *, take: int, skip: int) -> list[DeliveryView]:
        """A subscription's deliveries, newest first, each with its attempts."""
        rows = (
            await self.session.scalars(
                select(t.Outbox)
                .where(t.Outbox.webhook_id == webhook_id)
                .order_by(t.Outbox.id.desc())
                .offset(skip)
                .limit(take)
            )
        ).all()
        return await self._views(rows)

    async def delivery(self, webhook_id: int, delivery_id: int) -> DeliveryView | None:
        row = await self.session.scalar(
            select(t.Outbox).where(t.Outbox.id == delivery_id, t.Outbox.webhook_id == webhook_id)
        )
        return (await self._views([row]))[0] if row else None

    async def _views(self, rows: Any) -> list[DeliveryView]:
        ids = [r.id for r in rows]
        log: dict[int, list[AttemptView]] = {i: [] for i in ids}
        if ids:
            attempts = await self.session.scalars(
                select(t.OutboxAttempt)
                .where(t.OutboxAttempt.outbox_id.in_(ids))
                .order_by(t.OutboxAttempt.id)
            )
            for a in attempts:
                log[a.outbox_id].append(
                    AttemptView(
                        a.attempt, a.started_at, a.duration_ms, a.outcome, a.status_code, a.error
                    )
                )
        return [
            DeliveryView(
                id=r.id,
                webhook_id=r.webhook_id or 0,
                trigger=r.topic,
                status={"done": "delivered"}.get(r.status, r.status),
                message_id=str(r.payload.get("messageId", "")),
                booking_uid=r.booking_uid,
                attempts=r.attempts,
                due_at=r.due_at,
                created_at=r.created_at,
                updated_at=r.updated_at,
                last_error=r.last_error,
                log=tuple(log[r.id]),
            )
            for r in rows
        ]

    async def redeliver(self, webhook_id: int, delivery_id: int, now: datetime) -> bool:
        """Make a delivery due now with a fresh round of attempts (same ``messageId``, so the
        same ``webhook-id``); return whether it exists."""
        result = await self.session.execute(
            update(t.Outbox)
            .where(t.Outbox.id == delivery_id, t.Outbox.webhook_id == webhook_id)
            .values(status="pending", attempts=0, due_at=now, updated_at=now, last_error=None)
        )
        return bool(getattr(result, "rowcount", 0))
