"""Slot reservations: a start held for one booker for a few minutes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

DEFAULT_MINUTES = 5
MAX_MINUTES = 60


@dataclass(frozen=True, slots=True)
class Reservation:
    id: int
    uid: str
    event_type_id: int
    slot_start: datetime
    slot_end: datetime
    duration: int
    until: datetime
    created_at: datetime
    user_id: int | None = None

    @property
    def minutes(self) -> int:
        return round((self.until - self.created_at).total_seconds() / 60)

    def live(self, now: datetime) -> bool:
        return self.until > now
