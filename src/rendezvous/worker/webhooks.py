"""The "webhook" outbox kind: POST one delivery to its subscription's URL (contract §8.2).

2xx: delivered. Any other status, a timeout or a connection error: retried with backoff. A
subscription that is inactive, or a target now refused by the outbound guard (DNS rebinding),
gives up at once. Redirects are not followed (a 3xx is a failed attempt). One attempt lasts at
most connect (5 s) + ``RENDEZVOUS_WEBHOOK_TIMEOUT_SECONDS`` in all; the response body is never
read.

The subscription is loaded when the attempt is made, so its current URL, secret, template and
version are used: a secret changed after the booking committed (but before delivery) signs with
the new secret, and a retry after a rotation is signed with the new one too. The body itself
(its JSON) was fixed when the change committed.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import httpx

from rendezvous.db.uow import UnitOfWork
from rendezvous.domain.webhooks import Subscription, TemplateTooLarge
from rendezvous.integrations.outbound import OutboundRefused, check_url
from rendezvous.integrations.webhook_http import build_request
from rendezvous.worker.handlers import GiveUp, OutboxItem, Retry, WorkerContext, register

KIND = "webhook"
CONNECT_TIMEOUT_SECONDS = 5.0


async def _load(ctx: WorkerContext, webhook_id: int) -> Subscription | None:
    async with UnitOfWork(ctx.sessions) as uow:
        return await uow.webhooks.get(webhook_id)


async def _subscription(ctx: WorkerContext, webhook_id: int) -> Subscription | None:
    """The subscription as it is now, loaded once per round for all its rows."""
    key = (KIND, webhook_id)
    loading = ctx.cache.get(key)
    if loading is None:
        loading = ctx.cache[key] = asyncio.ensure_future(_load(ctx, webhook_id))
    found: Subscription | None = await asyncio.shield(loading)
    return found


async def deliver(item: OutboxItem, ctx: WorkerContext) -> int | None:
    """Send one attempt of a webhook delivery; see the module docstring for the outcomes."""
    if item.webhook_id is None:
        raise GiveUp("the row names no subscription")
    subscription = await _subscription(ctx, item.webhook_id)
    if subscription is None:
        raise GiveUp("the subscription was deleted")
    if not subscription.active:
        raise GiveUp("the subscription is inactive")
    allow_private = ctx.settings.allow_private_networks
    try:
        await check_url(
            subscription.subscriber_url,
            allow_private=allow_private,
            resolve_names=ctx.settings.outbound_resolve_names,
        )
    except OutboundRefused as exc:
        raise GiveUp(exc.message) from None
    try:
        request = build_request(
            subscription,
            item.payload.get("body", {}),
            message_id=str(item.payload.get("messageId", f"msg_{item.id}")),
            # The wall clock, not ctx.clock: receivers compare webhook-timestamp with theirs.
            now=datetime.now(UTC),
        )
    except TemplateTooLarge as exc:
        raise GiveUp(str(exc)) from None
    read = ctx.settings.webhook_timeout_seconds
    timeout = httpx.Timeout(read, connect=CONNECT_TIMEOUT_SECONDS)
    try:
        # The whole attempt has a deadline (a receiver trickling its answer a byte at a time
        # never trips the read timeout), and only the status line and headers are read: the
        # response body is never read, so a huge or endless one costs nothing.
        async with asyncio.timeout(CONNECT_TIMEOUT_SECONDS + read):
            async with ctx.http.stream(
                "POST",
                subscription.subscriber_url,
                content=request.body,
                headers=request.headers,
                timeout=timeout,
            ) as response:
                status = response.status_code
    except (httpx.TimeoutException, TimeoutError) as exc:
        raise Retry(f"timed out: {type(exc).__name__}") from None
    except httpx.HTTPError as exc:
        raise Retry(f"{type(exc).__name__}: {exc}") from None
    if 200 <= status < 300:
        return status
    raise Retry(f"the receiver answered {status}", status=status)


register(KIND, deliver)
