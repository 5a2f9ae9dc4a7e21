"""Stored schedules (as users wrote them) and their translation into the engine's Schedule."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from rendezvous.domain.models import Override, Rule, Schedule

WEEKDAY_NUMBERS = {
    "Monday": 1,
    "Tuesday": 2,
    "Wednesday": 3,
    "Thursday": 4,
    "Friday": 5,
    "Saturday": 6,
    "Sunday": 7,
}


def minutes(clock: str) -> int:
    """'09:30' → 570; '24:00' → 1440."""
    hours, mins = clock.split(":")
    return int(hours) * 60 + int(mins)


@dataclass(frozen=True, slots=True)
class StoredSchedule:
    id: int
    owner_id: int
    name: str
    time_zone: str
    # Wire form: [{"days": ["Monday", …], "startTime": "09:00", "endTime": "17:00"}]
    availability: Sequence[Mapping[str, Any]]
    # Wire form: [{"date": "2050-05-20", "startTime": "18:00", "endTime": "21:00"}]
    overrides: Sequence[Mapping[str, Any]]

    def to_engine(self) -> Schedule:
        return Schedule(
            time_zone=self.time_zone,
            rules=tuple(
                Rule(
                    days=frozenset(WEEKDAY_NUMBERS[d] for d in item["days"]),
                    start=minutes(item["startTime"]),
                    end=minutes(item["endTime"]),
                )
                for item in self.availability
            ),
            overrides=tuple(
                Override(
                    date=date.fromisoformat(item["date"]),
                    start=minutes(item["startTime"]),
                    end=minutes(item["endTime"]),
                )
                for item in self.overrides
            ),
        )
