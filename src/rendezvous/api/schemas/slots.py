"""Slot reservation wire models (contract §2.3)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import Field, model_validator

from rendezvous.api.schemas.bounds import (
    MAX_DURATION_MINUTES,
    MAX_RESERVATION_MINUTES,
    IntegralFloat,
    Uid,
)
from rendezvous.api.schemas.common import MAX_ID, Instant, WireModel
from rendezvous.domain.reservations import Reservation

EventTypeId = Annotated[int, Field(ge=1, le=MAX_ID), IntegralFloat]


class ReserveSlotInput(WireModel):
    event_type_id: EventTypeId
    slot_start: Instant = Field(description="UTC ISO start of an available slot")
    slot_duration: Annotated[int, Field(ge=1, le=MAX_DURATION_MINUTES), IntegralFloat] | None = (
        Field(None, description="minutes; multi-length events")
    )
    reservation_duration: (
        Annotated[int, Field(ge=1, le=MAX_RESERVATION_MINUTES), IntegralFloat] | None
    ) = Field(None, description="minutes (default 5); only the event type's owner may set it")


def iso_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def reservation_output(reservation: Reservation, *, with_duration: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "eventTypeId": reservation.event_type_id,
        "slotStart": iso_utc(reservation.slot_start),
        "slotEnd": iso_utc(reservation.slot_end),
        "slotDuration": reservation.duration,
        "reservationUid": reservation.uid,
    }
    if with_duration:
        out["reservationDuration"] = reservation.minutes
    out["reservationUntil"] = iso_utc(reservation.until)
    return out


class LegacyReserveInput(WireModel):
    """Legacy ``POST /v2/slots/reserve`` (contract §2.2)."""

    event_type_id: EventTypeId
    slot_utc_start_date: Instant
    slot_utc_end_date: Instant
    booking_uid: Uid | None = Field(None, description="accepted and ignored (Cal.com: reschedules)")

    @model_validator(mode="after")
    def _ordered(self) -> LegacyReserveInput:
        if self.slot_utc_end_date <= self.slot_utc_start_date:
            raise ValueError("slotUtcEndDate must be after slotUtcStartDate")
        if self.minutes > MAX_DURATION_MINUTES:
            raise ValueError(f"the slot may be at most {MAX_DURATION_MINUTES} minutes long")
        return self

    @property
    def minutes(self) -> int:
        return round((self.slot_utc_end_date - self.slot_utc_start_date).total_seconds() / 60)
