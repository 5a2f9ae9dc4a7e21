"""An event type as the services see it: the engine's rules plus every setting in wire form."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from rendezvous.domain.event_type_settings import BookingSettings, parse_booking_settings
from rendezvous.domain.models import EventRules


@dataclass(frozen=True, slots=True)
class EventType:
    id: int
    owner_id: int | None
    slug: str
    title: str
    rules: EventRules
    # Every setting as the API stores and echoes it (camelCase wire form).
    settings: Mapping[str, Any] = field(default_factory=dict)
    team_id: int | None = None
    hidden: bool = False
    schedule_id: int | None = None
    position: int = 0
    # Team event types: COLLECTIVE, ROUND_ROBIN or MANAGED (None for personal ones); a managed
    # event type's children name it in ``parent_id``.
    scheduling_type: str | None = None
    parent_id: int | None = None
    # ``settings`` parsed once, for the booking code (not an argument: always derived).
    booking: BookingSettings = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "booking", parse_booking_settings(self.settings))

    @property
    def is_seated(self) -> bool:
        return self.rules.seats_per_slot is not None
