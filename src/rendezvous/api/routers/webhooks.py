"""/v2/webhooks and /v2/event-types/{eventTypeId}/webhooks (contract §8.1; no cal-api-version),
and the delivery log Rendezvous adds (§0 item 7)."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from starlette.responses import Response

from rendezvous.api import examples
from rendezvous.api import query as q
from rendezvous.api.deps import CurrentUser, Now, SettingsDep, Uow
from rendezvous.api.openapi import documented
from rendezvous.api.query import IdPath
from rendezvous.api.replies import success
from rendezvous.api.schemas.outputs import Success
from rendezvous.api.schemas.webhooks import (
    CreateWebhookInput,
    DeliveryOutput,
    UpdateWebhookInput,
    WebhookOutput,
    delivery_output,
    webhook_output,
)
from rendezvous.config import Settings
from rendezvous.integrations.outbound import check_url
from rendezvous.services import webhooks

router = APIRouter(tags=["Webhooks"])

MAX_TAKE = 250  # Cal.com's webhooks take: 1–250, default 250 (§8.1)


class Page:
    """``take`` (1–250, default 250) and ``skip`` (≥ 0, default 0) query parameters."""

    def __init__(
        self,
        take: Annotated[str | None, Query(description="1–250, default 250")] = None,
        skip: Annotated[str | None, Query(description="≥ 0, default 0")] = None,
    ) -> None:
        page = q.integer("take", take, minimum=1)
        if page is not None and page > MAX_TAKE:
            raise q.bad("take", f"must be at most {MAX_TAKE}")
        self.take = MAX_TAKE if page is None else page
        self.skip = q.integer("skip", skip, minimum=0) or 0


PageDep = Annotated[Page, Depends(Page)]
EventTypeId = IdPath
WebhookId = IdPath


def _guard(settings: Settings) -> webhooks.UrlCheck:
    return partial(
        check_url,
        allow_private=settings.allow_private_networks,
        field="subscriberUrl",
        resolve_names=settings.outbound_resolve_names,
    )


# --- user webhooks --------------------------------------------------------------------------


@router.get(
    "/v2/webhooks",
    summary="List my webhooks",
    **documented(Success[list[WebhookOutput]], example=examples.WEBHOOKS),
)
async def list_webhooks(user: CurrentUser, uow: Uow, page: PageDep) -> Response:
    found = await webhooks.list_(uow, user, None, take=page.take, skip=page.skip)
    return success([webhook_output(s) for s in found])


@router.post(
    "/v2/webhooks",
    summary="Create a webhook",
    description="`subscriberUrl` must be http(s); a target that is or resolves to a loopback, "
    "private, link-local or metadata address is a 400 unless "
    "RENDEZVOUS_ALLOW_PRIVATE_NETWORKS=true (metadata addresses: always).",
    **documented(Success[WebhookOutput], status=201, example=examples.WEBHOOK),
)
async def create_webhook(
    body: CreateWebhookInput, user: CurrentUser, uow: Uow, now: Now, settings: SettingsDep
) -> Response:
    created = await webhooks.create(
        uow, user, None, body.fields(), now=now, check_url=_guard(settings)
    )
    return success(webhook_output(created), 201)


@router.get(
    "/v2/webhooks/{webhookId}",
    summary="Get a webhook",
    **documented(Success[WebhookOutput], example=examples.WEBHOOK),
)
async def get_webhook(webhookId: WebhookId, user: CurrentUser, uow: Uow) -> Response:
    return success(webhook_output(await webhooks.get(uow, user, None, webhookId)))


@router.patch(
    "/v2/webhooks/{webhookId}",
    summary="Update a webhook (only the fields sent)",
    **documented(Success[WebhookOutput], example=examples.WEBHOOK),
)
async def update_webhook(
    webhookId: WebhookId,
    body: UpdateWebhookInput,
    user: CurrentUser,
    uow: Uow,
    now: Now,
    settings: SettingsDep,
) -> Response:
    updated = await webhooks.update(
        uow, user, None, webhookId, body.changes(), now=now, check_url=_guard(settings)
    )
    return success(webhook_output(updated))


@router.delete(
    "/v2/webhooks/{webhookId}",
    summary="Delete a webhook (its owed deliveries are not sent)",
    **documented(Success[WebhookOutput], example=examples.WEBHOOK),
)
async def delete_webhook(webhookId: WebhookId, user: CurrentUser, uow: Uow) -> Response:
    return success(webhook_output(await webhooks.delete(uow, user, None, webhookId)))


@router.get(
    "/v2/webhooks/{webhookId}/deliveries",
    summary="List a webhook's deliveries, newest first, with every attempt",
    description="Rendezvous addition: user and event-type webhooks alike. A delivery is "
    "`pending` (an attempt is due at `nextAttemptAt`), `delivered` or `failed`.",
    **documented(Success[list[DeliveryOutput]], example=examples.DELIVERIES),
)
async def list_deliveries(
    webhookId: WebhookId, user: CurrentUser, uow: Uow, page: PageDep
) -> Response:
    found = await webhooks.deliveries(uow, user, webhookId, take=page.take, skip=page.skip)
    return success([delivery_output(d) for d in found])


@router.post(
    "/v2/webhooks/{webhookId}/deliveries/{deliveryId}/redeliver",
    summary="Send a delivery again (same webhook-id), with a fresh round of attempts",
    **documented(Success[DeliveryOutput], example=examples.DELIVERY),
)
async def redeliver(
    webhookId: WebhookId, deliveryId: IdPath, user: CurrentUser, uow: Uow, now: Now
) -> Response:
    view = await webhooks.redeliver(uow, user, webhookId, deliveryId, now=now)
    return success(delivery_output(view))


# --- event-type webhooks --------------------------------------------------------------------

ET = "/v2/event-types/{eventTypeId}/webhooks"


@router.get(
    ET,
    summary="List an event type's webhooks",
    **documented(Success[list[WebhookOutput]], example=examples.EVENT_TYPE_WEBHOOKS),
)
async def list_event_type_webhooks(
    eventTypeId: EventTypeId, user: CurrentUser, uow: Uow, page: PageDep
) -> Response:
    found = await webhooks.list_(uow, user, eventTypeId, take=page.take, skip=page.skip)
    return success([webhook_output(s) for s in found])


@router.post(
    ET,
    summary="Create a webhook that fires only for this event type",
    **documented(Success[WebhookOutput], status=201, example=examples.EVENT_TYPE_WEBHOOK),
)
async def create_event_type_webhook(
    eventTypeId: EventTypeId,
    body: CreateWebhookInput,
    user: CurrentUser,
    uow: Uow,
    now: Now,
    settings: SettingsDep,
) -> Response:
    created = await webhooks.create(
        uow, user, eventTypeId, body.fields(), now=now, check_url=_guard(settings)
    )
    return success(webhook_output(created), 201)


@router.get(
    ET + "/{webhookId}",
    summary="Get an event type's webhook",
    **documented(Success[WebhookOutput], example=examples.EVENT_TYPE_WEBHOOK),
)
async def get_event_type_webhook(
    eventTypeId: EventTypeId, webhookId: WebhookId, user: CurrentUser, uow: Uow
) -> Response:
    return success(webhook_output(await webhooks.get(uow, user, eventTypeId, webhookId)))


@router.patch(
    ET + "/{webhookId}",
    summary="Update an event type's webhook (only the fields sent)",
    **documented(Success[WebhookOutput], example=examples.EVENT_TYPE_WEBHOOK),
)
async def update_event_type_webhook(
    eventTypeId: EventTypeId,
    webhookId: WebhookId,
    body: UpdateWebhookInput,
    user: CurrentUser,
    uow: Uow,
    now: Now,
    settings: SettingsDep,
) -> Response:
    updated = await webhooks.update(
        uow, user, eventTypeId, webhookId, body.changes(), now=now, check_url=_guard(settings)
    )
    return success(webhook_output(updated))


@router.delete(
    ET + "/{webhookId}",
    summary="Delete an event type's webhook",
    **documented(Success[WebhookOutput], example=examples.EVENT_TYPE_WEBHOOK),
)
async def delete_event_type_webhook(
    eventTypeId: EventTypeId, webhookId: WebhookId, user: CurrentUser, uow: Uow
) -> Response:
    return success(webhook_output(await webhooks.delete(uow, user, eventTypeId, webhookId)))
