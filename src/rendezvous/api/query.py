"""Query-string parsing with Cal.com's leniency and 400s that name the parameter."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Path

from rendezvous.api.errors import ApiError
from rendezvous.api.schemas.common import MAX_ID, check_instant, check_time_zone

# A numeric path id (scheduleId, eventTypeId): outside 1..MAX_ID it names no row that can exist,
# and is a 400 naming the parameter rather than an overflow in the database driver.
IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# Digits, optionally a zero fraction (contract §0 item 11: "10.0"); nothing else ("1e3", " 10",
# "١٠", "1_0" and "nan" are all things float() or int() would take).
_INTEGER = re.compile(r"-?[0-9]+(\.0*)?")


def bad(field: str, message: str) -> ApiError:
    return ApiError(
        400,
        f"{field}: {message}",
        {"errors": [{"property": field, "location": "query", "message": message}]},
    )


def required(field: str, value: str | None) -> str:
    if value is None or value == "":
        raise bad(field, "is required")
    return value


def integer(
    field: str, value: str | None, *, minimum: int | None = None, maximum: int = MAX_ID
) -> int | None:
    """'10' and '10.0' are 10 (contract §0 item 11); '10.5' and 'ten' are 400s."""
    if value is None or value == "":
        return None
    if len(value) > 40 or not _INTEGER.fullmatch(value):
        raise bad(field, "must be an integer")
    result = int(value.split(".", 1)[0])
    if abs(result) > maximum:
        raise bad(field, f"must be at most {maximum}")
    if minimum is not None and result < minimum:
        raise bad(field, f"must be at least {minimum}")
    return result


def time_zone(field: str, value: str | None, default: str = "UTC") -> str:
    if value is None or value == "":
        return default
    try:
        return check_time_zone(value)
    except ValueError as exc:
        raise bad(field, str(exc)) from None


def instant(field: str, value: str, *, end_of_day: bool = False, zone: str = "UTC") -> datetime:
    """An ISO date-time (UTC when no offset is given) or a bare date.

    A bare date means that day in ``zone``: its start, or with ``end_of_day`` the start of the
    next day (so the whole day is included, as Cal.com's "23:59:59 of that day" intends).
    """
    if not value.isascii() or not value.isprintable():
        raise bad(field, "must be an ISO 8601 date or date-time")
    try:
        if _DATE.fullmatch(value):
            day = date.fromisoformat(value)
            if end_of_day:
                day += timedelta(days=1)
            parsed = datetime.combine(day, time(), ZoneInfo(zone))
        else:
            parsed = datetime.fromisoformat(value.replace(" ", "+") if " " in value else value)
    except (ValueError, OverflowError):
        raise bad(field, "must be an ISO 8601 date or date-time") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return check_instant(parsed)
    except ValueError as exc:
        raise bad(field, str(exc)) from None


def choice(field: str, value: str | None, options: tuple[str, ...], default: str) -> str:
    if value is None or value == "":
        return default
    lowered = value.lower()
    if lowered not in options:
        raise bad(field, f"must be one of {', '.join(options)}")
    return lowered
