"""An event type as the services see it: the engine's rules plus every setting in wire form."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

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

    @property
    def is_seated(self) -> bool:
        return self.rules.seats_per_slot is not None
