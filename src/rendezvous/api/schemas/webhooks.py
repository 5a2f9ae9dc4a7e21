"""Webhook wire models (contract §8.1, §0 item 6): subscriptions and their delivery log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, model_validator

from rendezvous.api.schemas.bounds import URL_MAX, IntegralFloat, Line
from rendezvous.api.schemas.common import OutModel, WireModel
from rendezvous.domain import webhooks as hooks

TEMPLATE_MAX = 64 * 1024
SECRET_MAX = 1024
MAX_TIME = 100_000
# The two triggers that need time and timeUnit (Cal.com's AFTER_*_CAL_VIDEO_NO_SHOW).
TIMED_TRIGGERS = ("AFTER_HOSTS_CAL_VIDEO_NO_SHOW", "AFTER_GUESTS_CAL_VIDEO_NO_SHOW")

TriggerName = Literal[
    "BOOKING_CREATED",
    "BOOKING_PAYMENT_INITIATED",
    "BOOKING_PAID",
    "BOOKING_RESCHEDULED",
    "BOOKING_REQUESTED",
    "BOOKING_CANCELLED",
    "BOOKING_REJECTED",
    "BOOKING_NO_SHOW_UPDATED",
    "BOOKING_LOCATION_UPDATED",
    "BOOKING_REASSIGNED",
    "BOOKING_CONFIRMED",
    "FORM_SUBMITTED",
    "MEETING_ENDED",
    "MEETING_STARTED",
    "RECORDING_READY",
    "INSTANT_MEETING",
    "INSTANT_MEETING_ACCEPTED",
    "RECORDING_TRANSCRIPTION_GENERATED",
    "OOO_CREATED",
    "AFTER_HOSTS_CAL_VIDEO_NO_SHOW",
    "AFTER_GUESTS_CAL_VIDEO_NO_SHOW",
    "FORM_SUBMITTED_NO_EVENT",
    "ROUTING_FORM_FALLBACK_HIT",
    "DELEGATION_CREDENTIAL_ERROR",
    "WRONG_ASSIGNMENT_REPORT",
    "DELEGATION_CREDENTIAL_SECRET_ROTATION_FAILED",
    "DELEGATION_CREDENTIAL_ROTATION_REQUIRED",
    "DELEGATION_CREDENTIAL_SECRET_ROTATED",
    "CALENDAR_ENTRY_REJECTED",
]


def _one_or_many(value: Any) -> Any:
    """Contract §0 item 6: a bare string is a one-element list."""
    return [value] if isinstance(value, str) else value


def _unique(value: list[str]) -> list[str]:
    return list(dict.fromkeys(value))


Triggers = Annotated[
    list[TriggerName],
    BeforeValidator(_one_or_many),
    Field(min_length=1, max_length=len(hooks.TRIGGERS)),
]
SubscriberUrl = Annotated[str, Field(min_length=1, max_length=URL_MAX), Line]
Template = Annotated[str, Field(max_length=TEMPLATE_MAX)]
Secret = Annotated[str, Field(max_length=SECRET_MAX), Line]
Version = Literal["2021-10-20", "2026-07-27"]
Time = Annotated[int, Field(ge=1, le=MAX_TIME), IntegralFloat]
TimeUnit = Literal["DAY", "HOUR", "MINUTE"]


class _Timed(WireModel):
    @model_validator(mode="after")
    def _time_with_unit(self) -> Any:
        time, unit = getattr(self, "time", None), getattr(self, "time_unit", None)
        if (time is None) != (unit is None):
            raise ValueError("time and timeUnit are given together")
        return self


class CreateWebhookInput(_Timed):
    """POST /v2/webhooks and /v2/event-types/{eventTypeId}/webhooks."""

    subscriber_url: SubscriberUrl = Field(description="http(s) URL the deliveries are POSTed to")
    triggers: Triggers = Field(description="triggers to receive; a bare string is one trigger")
    active: bool
    payload_template: Template | None = Field(
        None, description="Handlebars-style template of the body (§8.3); null: the default body"
    )
    secret: Secret | None = Field(
        None, description="HMAC key of X-Cal-Signature-256 and of the Standard Webhooks signature"
    )
    version: Version = "2021-10-20"
    time: Time | None = None
    time_unit: TimeUnit | None = None

    @model_validator(mode="after")
    def _timed_triggers_need_time(self) -> Any:
        if self.time is None and any(t in TIMED_TRIGGERS for t in self.triggers):
            raise ValueError("time and timeUnit are required with " + " or ".join(TIMED_TRIGGERS))
        return self

    def fields(self) -> dict[str, Any]:
        return {
            "subscriber_url": self.subscriber_url,
            "triggers": _unique(list(self.triggers)),
            "active": self.active,
            "payload_template": self.payload_template,
            "secret": self.secret,
            "version": self.version,
            "time": self.time,
            "time_unit": self.time_unit,
        }


class UpdateWebhookInput(_Timed):
    """PATCH: every field optional; only the fields sent change (null clears the optional
    ones: payloadTemplate, secret, time with timeUnit)."""

    subscriber_url: SubscriberUrl | None = None
    triggers: Triggers | None = None
    active: bool | None = None
    payload_template: Template | None = None
    secret: Secret | None = None
    version: Version | None = None
    time: Time | None = None
    time_unit: TimeUnit | None = None

    @model_validator(mode="after")
    def _no_null_where_required(self) -> Any:
        for name in ("subscriber_url", "triggers", "active", "version"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{_camel(name)} may not be null")
        return self

    def changes(self) -> dict[str, Any]:
        changes = {name: getattr(self, name) for name in self.model_fields_set}
        if changes.get("triggers") is not None:
            changes["triggers"] = _unique(list(changes["triggers"]))
        return changes


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


class WebhookOutput(OutModel):
    id: int
    user_id: int
    event_type_id: int | None = Field(None, description="set for event-type webhooks")
    subscriber_url: str
    triggers: list[str]
    active: bool
    payload_template: str | None
    secret: str | None
    version: str
    time: int | None = None
    time_unit: str | None = None


def webhook_output(s: hooks.Subscription) -> dict[str, Any]:
    """A subscription on the wire (§8.1): ``eventTypeId`` for event-type webhooks, ``time`` and
    ``timeUnit`` only when set."""
    out: dict[str, Any] = {
        "id": s.id,
        "userId": s.user_id,
        "subscriberUrl": s.subscriber_url,
        "triggers": list(s.triggers),
        "active": s.active,
        "payloadTemplate": s.payload_template,
        "secret": s.secret,
        "version": s.version,
    }
    if s.event_type_id is not None:
        out["eventTypeId"] = s.event_type_id
    if s.time is not None:
        out["time"] = s.time
        out["timeUnit"] = s.time_unit
    return out


class AttemptOutput(OutModel):
    attempt: int = Field(description="from 1; a redelivery starts again at 1")
    started_at: datetime
    duration_ms: int
    outcome: Literal["delivered", "retry", "failed"]
    status_code: int | None = Field(description="the receiver's HTTP status; null: no answer")
    error: str | None


class DeliveryOutput(OutModel):
    id: int = Field(description="the delivery id (redeliver takes it)")
    webhook_id: int
    trigger_event: str
    status: Literal["pending", "delivered", "failed"]
    webhook_message_id: str = Field(description="the webhook-id header, the same on every attempt")
    booking_uid: str | None
    attempts: int
    next_attempt_at: datetime | None = Field(description="when pending: the next attempt's time")
    created_at: datetime
    updated_at: datetime
    last_error: str | None
    attempts_log: list[AttemptOutput]


def _iso(moment: datetime) -> str:
    return hooks.iso_ms(moment)


def delivery_output(d: hooks.DeliveryView) -> dict[str, Any]:
    return {
        "id": d.id,
        "webhookId": d.webhook_id,
        "triggerEvent": d.trigger,
        "status": d.status,
        "webhookMessageId": d.message_id,
        "bookingUid": d.booking_uid,
        "attempts": d.attempts,
        "nextAttemptAt": _iso(d.due_at) if d.status == "pending" else None,
        "createdAt": _iso(d.created_at),
        "updatedAt": _iso(d.updated_at),
        "lastError": d.last_error,
        "attemptsLog": [
            {
                "attempt": a.attempt,
                "startedAt": _iso(a.started_at),
                "durationMs": a.duration_ms,
                "outcome": a.outcome,
                "statusCode": a.status_code,
                "error": a.error,
            }
            for a in d.log
        ],
    }
