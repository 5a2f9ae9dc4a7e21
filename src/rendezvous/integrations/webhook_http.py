"""What a webhook delivery sends: the exact body bytes and the signed headers (contract §8.2).

Two signatures over the same bytes:

- ``X-Cal-Signature-256``: Cal.com's, hex HMAC-SHA256 keyed with the secret's UTF-8 bytes, or
  ``no-secret-provided``;
- Standard Webhooks (``webhook-id``, ``webhook-timestamp``, ``webhook-signature``), made with the
  ``standardwebhooks`` package. Its key is the same secret's UTF-8 bytes: a receiver verifies
  with ``Webhook(secret.encode())`` or ``Webhook("whsec_" + base64(secret))``. Without a secret
  there is nothing to sign with: ``webhook-signature`` is left out (id and timestamp are sent).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from standardwebhooks.webhooks import Webhook

from rendezvous.domain import webhooks as hooks


@dataclass(frozen=True, slots=True)
class Request:
    """One delivery's body bytes and headers."""

    body: bytes
    headers: dict[str, str]


def build_request(
    subscription: hooks.Subscription,
    message: Mapping[str, Any],
    *,
    message_id: str,
    now: datetime,
) -> Request:
    """The body (``message`` as compact JSON, or the rendered payloadTemplate, §8.3) and the
    headers for one attempt; ``now`` is the ``webhook-timestamp``."""
    content_type = "application/json"
    if subscription.payload_template:
        text, is_json = hooks.render_template(
            subscription.payload_template, hooks.template_data(message)
        )
        body = text.encode()
        if not is_json:
            content_type = "application/x-www-form-urlencoded"
    else:
        body = orjson.dumps(message)
    headers = {
        "content-type": content_type,
        "user-agent": "Rendezvous-Webhooks/1",
        "x-cal-signature-256": hooks.cal_signature(subscription.secret, body),
        "x-cal-webhook-version": subscription.version,
        "webhook-id": message_id,
        "webhook-timestamp": str(int(now.timestamp())),
    }
    if subscription.secret:
        signer = Webhook(subscription.secret.encode())
        headers["webhook-signature"] = signer.sign(message_id, now, body.decode())
    return Request(body=body, headers=headers)
