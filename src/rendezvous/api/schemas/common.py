"""Wire-model building blocks shared by every resource: camelCase, envelopes, common field types.

Pydantic's lax mode already accepts integers sent as floats with a zero fraction (``30.0``) and
integer strings in query parameters, and rejects ``30.5``: the leniency of contract §0 item 11.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import lru_cache
from typing import Annotated, Any, Generic, Literal, NoReturn, TypeVar
from zoneinfo import available_timezones

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)
from pydantic.alias_generators import to_camel
from pydantic_core import InitErrorDetails, PydanticCustomError

T = TypeVar("T")

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

Weekday = Literal["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

Locale = Literal[
    "ar", "ca", "de", "es", "eu", "he", "id", "ja", "lv", "pl", "ro", "sr", "th", "vi", "az",
    "cs", "el", "es-419", "fi", "hr", "it", "km", "nl", "pt", "ru", "sv", "tr", "zh-CN", "bg",
    "da", "en", "et", "fr", "hu", "iw", "ko", "no", "pt-BR", "sk", "ta", "uk", "zh-TW", "bn",
]  # fmt: skip


def _text_fault(text: str) -> str | None:
    if "\x00" in text:
        return "text may not contain the NUL character (\\u0000)"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # JSON allows "\ud800" escapes that no UTF-8 text can hold: nothing could store or echo it.
        return "text may not contain a lone UTF-16 surrogate (\\ud800–\\udfff)"
    return None


def text_fault(value: Any, path: str = "") -> tuple[str, str] | None:
    """Where in a JSON value a string (or key) holds text no database can store, and why, or None.

    PostgreSQL cannot store NUL in text, and a lone surrogate (JSON's ``"\ud800"``) is not
    Unicode text at all, so such input is refused up front, on every engine."""
    if isinstance(value, str):
        fault = _text_fault(value)
        return (path, fault) if fault else None
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{path}.{key}" if path else str(key)
            fault = _text_fault(key) if isinstance(key, str) else None
            if fault:
                return here.encode("utf-8", "replace").decode(), fault
            found = text_fault(item, here)
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = text_fault(item, f"{path}[{index}]")
            if found is not None:
                return found
    return None


class WireModel(BaseModel):
    """Input models: camelCase on the wire, unknown fields ignored (Cal.com strips them)."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="ignore", str_strip_whitespace=False
    )

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        found = text_fault(data)
        if found is not None:
            path, fault = found
            raise ValueError(f"{fault}: {path}" if path else fault)
        return data


class OutModel(BaseModel):
    """Output models: serialised by alias (camelCase)."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, serialize_by_alias=True
    )


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def check_time_zone(value: str) -> str:
    if value not in _zones():
        raise ValueError(f"'{value}' is not a valid IANA time zone")
    return value


TimeZoneName = Annotated[str, AfterValidator(check_time_zone)]


MAX_ID = 2_147_483_647  # ids are 32-bit integers in PostgreSQL (INTEGER, SERIAL)

# Every integer id the caller sends (path, query, body) is bounded to the id columns' range, so
# an id no row can have is a 400 naming the field, never an overflow inside the database driver.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
EARLIEST_YEAR, LATEST_YEAR = 1970, 2200  # instants outside this are refused, not overflowed


def check_finite(value: Any, path: str = "value") -> Any:
    """JSON parsers accept NaN and Infinity (and 1e400 becomes inf); no field here means them."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{path} must be a finite number")
    if isinstance(value, dict):
        for key, item in value.items():
            check_finite(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_finite(item, f"{path}.{index}")
    return value


def check_instant(value: datetime) -> datetime:
    """An aware instant in a sane range, as UTC."""
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValueError(f"must be between the years {EARLIEST_YEAR} and {LATEST_YEAR}")
    try:
        return value.astimezone(UTC)
    except (OverflowError, ValueError):
        raise ValueError("is out of range") from None


def check_metadata(value: dict[str, Any]) -> dict[str, Any]:
    """Cal.com's metadata limits: at most 50 keys, keys up to 40 characters, values up to 500."""
    if len(value) > 50:
        raise ValueError("metadata may have at most 50 keys")
    for key, item in value.items():
        if len(key) > 40:
            raise ValueError(f"metadata key '{key[:40]}…' is longer than 40 characters")
        if isinstance(item, str) and len(item) > 500:
            raise ValueError(f"metadata value of '{key}' is longer than 500 characters")
        if not isinstance(item, str | int | float | bool):
            raise ValueError(f"metadata value of '{key}' must be a string, number or boolean")
        check_finite(item, f"metadata value of '{key}'")
    return value


Metadata = Annotated[dict[str, Any], AfterValidator(check_metadata)]

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")


def check_hhmm(value: str) -> str:
    if not _HHMM.match(value):
        raise ValueError("must be a time of day as HH:MM (00:00–24:00)")
    return value


ClockTime = Annotated[str, AfterValidator(check_hhmm)]

Take = Annotated[int, Field(ge=1, le=250)]
Skip = Annotated[int, Field(ge=0)]


class Envelope(BaseModel, Generic[T]):
    status: Literal["success"] = "success"
    data: T


def success(data: Any) -> dict[str, Any]:
    return {"status": "success", "data": data}


# --- Field-addressed validation errors ---
# Validators that look at more than one field (or at list items together) raise these, so that every
# error names the exact field path (e.g. ``availability.0.endTime``) instead of the whole object.
# Pydantic prefixes the location of a ValidationError raised inside a validator with the location of
# the value being validated, so nested models report full paths.

Loc = tuple[str | int, ...]
Problem = tuple[Loc, str, Any]


def field_errors(problems: Iterable[Problem], title: str = "Input") -> ValidationError:
    """One ValidationError listing each (location, message, offending value)."""
    details = [
        InitErrorDetails(
            type=PydanticCustomError("value_error", "{message}", {"message": message}),
            loc=loc,
            input=value,
        )
        for loc, message, value in problems
    ]
    return ValidationError.from_exception_data(title, details)


def fail_at(loc: Loc, message: str, value: Any = None) -> NoReturn:
    raise field_errors([(loc, message, value)])
