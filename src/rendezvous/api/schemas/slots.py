"""Slot reservation wire models (contract §2.3)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import AwareDatetime, Field, field_validator, model_validator

from rendezvous.api.schemas.common import MAX_ID, WireModel, check_instant
from rendezvous.domain.reservations import Reservation


class ReserveSlotInput(WireModel):
    event_type_id: int = Field(ge=1, le=MAX_ID)
    slot_start: AwareDatetime = Field(description="UTC ISO start of an available slot")
    slot_duration: int | None = Field(
        None, ge=1, le=1440, description="minutes; multi-length events"
    )
    reservation_duration: int | None = Field(
        None, ge=1, description="minutes (default 5); only the event type's owner may set it"
    )

    @field_validator("slot_start")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return check_instant(value)


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

    event_type_id: int = Field(ge=1, le=MAX_ID)
    slot_utc_start_date: AwareDatetime
    slot_utc_end_date: AwareDatetime
    booking_uid: str | None = Field(None, description="accepted and ignored (Cal.com: reschedules)")

    @field_validator("slot_utc_start_date", "slot_utc_end_date")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return check_instant(value)

    @model_validator(mode="after")
    def _ordered(self) -> LegacyReserveInput:
        if self.slot_utc_end_date <= self.slot_utc_start_date:
            raise ValueError("slotUtcEndDate must be after slotUtcStartDate")
        return self

    @property
    def minutes(self) -> int:
        return round((self.slot_utc_end_date - self.slot_utc_start_date).total_seconds() / 60)
