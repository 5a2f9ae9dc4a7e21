"""Slots → the JSON-ready shapes of Cal.com's slot endpoints (plain dicts, no framework).

``render_slots``: 2024-09-04 ``GET /v2/slots`` — days of the requested zone → items with
``start`` (and ``end`` for the range format) written in that zone with milliseconds and an offset.
``render_legacy``: 2024-04-15 ``GET /v2/slots/available`` — ``{"slots": {day: [...]}}`` with
``time`` (or ``startTime``/``endTime``); like Cal.com it writes UTC (``…Z``) when no zone is asked
for and the requested zone otherwise.

Offsets follow luxon's ``toISO`` as Cal.com uses it: ``Z`` for the zone names ``UTC``/``GMT``,
``+00:00`` for IANA zones that merely sit at offset zero (``Europe/London`` in winter).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Literal

from rendezvous.domain.intervals import to_epoch
from rendezvous.domain.localtime import DAY, EPOCH_ORDINAL, offset_at, zone
from rendezvous.domain.models import Slot

_MIXED = -(1 << 40)  # marks a UTC day during which the zone's offset changes


class _Clock:
    """Formats instants of one zone fast: offsets cached per UTC day, strings per value."""

    __slots__ = ("_day_off", "_days", "_hms", "_offs", "_tz", "_utc")

    def __init__(self, time_zone: str | None) -> None:
        self._utc = time_zone is None or time_zone.upper() in ("UTC", "GMT")
        self._tz = None if time_zone is None else zone(time_zone)
        self._day_off: dict[int, int] = {}
        self._days: dict[int, str] = {}
        self._hms: dict[int, str] = {}
        self._offs: dict[int, str] = {}

    def offset(self, t: int) -> int:
        if self._tz is None:
            return 0
        d = t // DAY
        off = self._day_off.get(d)
        if off is None:
            first, last = offset_at(self._tz, d * DAY), offset_at(self._tz, d * DAY + DAY - 1)
            off = first if first == last else _MIXED
            self._day_off[d] = off
        return offset_at(self._tz, t) if off == _MIXED else off

    def day(self, local: int) -> str:
        d = local // DAY
        text = self._days.get(d)
        if text is None:
            text = self._days[d] = date.fromordinal(EPOCH_ORDINAL + d).isoformat()
        return text

    def iso(self, t: int) -> tuple[str, str]:
        """(local day key, ISO timestamp) for instant ``t``."""
        off = self.offset(t)
        local = t + off
        day = self.day(local)
        sec = local % DAY
        hms = self._hms.get(sec)
        if hms is None:
            h, rest = divmod(sec, 3600)
            hms = self._hms[sec] = f"T{h:02d}:{rest // 60:02d}:{rest % 60:02d}.000"
        suffix = self._offs.get(off)
        if suffix is None:
            suffix = self._offs[off] = _offset_text(off, self._utc)
        return day, day + hms + suffix


def _offset_text(off: int, utc_name: bool) -> str:
    if off == 0 and utc_name:
        return "Z"
    sign = "-" if off < 0 else "+"
    h, m = divmod(abs(off) // 60, 60)
    return f"{sign}{h:02d}:{m:02d}"


def _seat_fields(slot: Slot) -> dict[str, object]:
    booked = slot.seats_booked or 0
    fields: dict[str, object] = {
        "seatsBooked": booked,
        "seatsRemaining": slot.seats_remaining,
        "seatsTotal": slot.seats_total,
        # Cal.com compat: the docs name this attendeesCount, the source seatsBooked; send both.
        "attendeesCount": booked,
    }
    if slot.booking_uid is not None:
        fields["bookingUid"] = slot.booking_uid
    return fields


def render_slots(
    slots: Iterable[Slot], time_zone: str, fmt: Literal["time", "range"] = "time"
) -> dict[str, list[dict[str, object]]]:
    """The ``data`` object of 2024-09-04 ``GET /v2/slots``."""
    clock = _Clock(time_zone)
    out: dict[str, list[dict[str, object]]] = {}
    for slot in slots:
        day, start = clock.iso(to_epoch(slot.start))
        item: dict[str, object] = {"start": start}
        if fmt == "range":
            item["end"] = clock.iso(to_epoch(slot.end))[1]
        if slot.seats_total is not None:
            item.update(_seat_fields(slot))
        bucket = out.get(day)
        if bucket is None:
            out[day] = [item]
        else:
            bucket.append(item)
    return out


def render_legacy(
    slots: Iterable[Slot], time_zone: str | None, fmt: Literal["time", "range"] = "time"
) -> dict[str, dict[str, list[dict[str, object]]]]:
    """The ``data`` object of the legacy ``GET /v2/slots/available``."""
    clock = _Clock(time_zone)
    days: dict[str, list[dict[str, object]]] = {}
    for slot in slots:
        day, start = clock.iso(to_epoch(slot.start))
        item: dict[str, object]
        if fmt == "range":
            item = {"startTime": start, "endTime": clock.iso(to_epoch(slot.end))[1]}
        else:
            item = {"time": start}
        if slot.seats_booked:
            item["attendees"] = slot.seats_booked
        if slot.booking_uid is not None:
            item["bookingUid"] = slot.booking_uid
        days.setdefault(day, []).append(item)
    return {"slots": days}
