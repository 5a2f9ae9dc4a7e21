"""Wire-model building blocks shared by every resource: camelCase, envelopes, common field types.

Input models are strict (``WireModel``); the one leniency, contract §0 item 11's integers sent as
floats with a zero fraction (``30.0``), is granted field by field with ``IntegralFloat``. Query
parameters are parsed by ``rendezvous.api.query`` with the same rule.
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
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)
from pydantic.alias_generators import to_camel
from pydantic_core import InitErrorDetails, PydanticCustomError

from rendezvous.api.schemas.bounds import (
    IntegralFloat,
    IsoText,
    json_bounds,
    text_problem,
    walk_json,
)
from rendezvous.domain.bounds import EARLIEST_YEAR as EARLIEST_YEAR
from rendezvous.domain.bounds import LATEST_YEAR as LATEST_YEAR

T = TypeVar("T")

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

Weekday = Literal["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

Locale = Literal[
    "ar", "ca", "de", "es", "eu", "he", "id", "ja", "lv", "pl", "ro", "sr", "th", "vi", "az",
    "cs", "el", "es-419", "fi", "hr", "it", "km", "nl", "pt", "ru", "sv", "tr", "zh-CN", "bg",
    "da", "en", "et", "fr", "hu", "iw", "ko", "no", "pt-BR", "sk", "ta", "uk", "zh-TW", "bn",
]  # fmt: skip


def _unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def nul_path(value: Any) -> tuple[str | int, ...] | None:
    """Where in a JSON value a string (or key) holds the NUL character, or None.

    PostgreSQL cannot store NUL in text, so such input is refused up front, on every engine.
    The walk is iterative: no nesting depth can exhaust the stack."""
    for item, _, where in walk_json(value):
        if isinstance(item, str) and "\x00" in item:
            return where
        if isinstance(item, dict):
            for key in item:
                if isinstance(key, str) and "\x00" in key:
                    return (*where, key)
    return None


def surrogate_path(value: Any) -> tuple[str | int, ...] | None:
    """Where in a JSON value a string (or key) holds a lone UTF-16 surrogate, or None.

    JSON allows ``"\\ud800"`` escapes that no UTF-8 text can hold, so nothing could store or
    echo them: such input is refused up front (issue 9 item 5). Iterative, like ``nul_path``."""
    for item, _, where in walk_json(value):
        if isinstance(item, str) and not _unicode(item):
            return where
        if isinstance(item, dict):
            for key in item:
                if isinstance(key, str) and not _unicode(key):
                    return (*where, key.encode("utf-8", "replace").decode())
    return None


class WireModel(BaseModel):
    """Input models: camelCase on the wire, unknown fields ignored (Cal.com strips them).

    Strict: ``"yes"``/``1`` are not booleans, ``true`` is not an integer, a number is not text.
    The only leniency is contract §0 item 11's (integers sent as ``30.0``), which every integer
    field grants with ``IntegralFloat``; instants are ``Instant`` (ISO text, never a number)."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="ignore",
        str_strip_whitespace=False,
        strict=True,
    )

    @model_validator(mode="before")
    @classmethod
    def _no_control_characters(cls, data: Any) -> Any:
        # Raised at the offending field's path, which pydantic prefixes with this model's own
        # (issue 9 item 10); a key holding the NUL is shown without it.
        found = nul_path(data)
        if found is not None:
            shown = tuple(k.replace("\x00", "") if isinstance(k, str) else k for k in found)
            named = ".".join(str(k) for k in shown) or "body"
            fail_at(shown, f"text may not contain the NUL character (\\u0000): {named}")
        lone = surrogate_path(data)
        if lone is not None:
            fail_at(lone, "text may not contain a lone UTF-16 surrogate (\\ud800–\\udfff)")
        control = text_problem(data)
        if control is not None:
            at, char = control
            fail_at(at, f"text may not contain control characters (U+{ord(char):04X})")
        return data


class OutModel(BaseModel):
    """Output models: serialised by alias (camelCase)."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, serialize_by_alias=True
    )


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


# tzdata ships these next to the real zones, but they name no place: "localtime" is whatever the
# server's /etc/localtime is, "Factory" is a placeholder zone with the abbreviation "-00".
_NOT_REGIONS = frozenset({"localtime", "Factory", "posixrules"})


def check_time_zone(value: str) -> str:
    """An IANA time zone name (Area/Location, or a backward-compatible alias such as ``UTC``)."""
    if (
        value in _NOT_REGIONS
        or value.startswith(("posix/", "right/", "SystemV/"))
        or value not in _zones()
    ):
        raise ValueError(f"'{value}' is not a valid IANA time zone")
    return value


TimeZoneName = Annotated[str, AfterValidator(check_time_zone)]


MAX_ID = 2_147_483_647  # ids are 32-bit integers in PostgreSQL (INTEGER, SERIAL)
# Instants outside EARLIEST_YEAR..LATEST_YEAR (domain.bounds) are refused, not overflowed.


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


Metadata = Annotated[
    dict[str, Any],
    # Cal.com's limits (check_metadata) already bound it; the shared JSON bound comes first so
    # that a huge or deep value is refused before anything else looks at it.
    # 50 keys of 40 and values of 500 characters, at up to 4 UTF-8 bytes each, plus syntax.
    json_bounds(max_depth=1, max_items=50, max_bytes=50 * (4 * (40 + 500) + 8)),
    AfterValidator(check_metadata),
]

# ISO 8601 text only (a Unix number is refused); lax parsing of the text itself; UTC, 1970–2200.
Instant = Annotated[AwareDatetime, Field(strict=False), IsoText, AfterValidator(check_instant)]

_HHMM = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]|24:00")


def check_hhmm(value: str) -> str:
    # fullmatch: "$" would also match before a final "\n", and \d would take non-ASCII digits.
    if not _HHMM.fullmatch(value):
        raise ValueError("must be a time of day as HH:MM (00:00–24:00)")
    return value


ClockTime = Annotated[str, AfterValidator(check_hhmm)]

Take = Annotated[int, Field(ge=1, le=250), IntegralFloat]
Skip = Annotated[int, Field(ge=0, le=MAX_ID), IntegralFloat]


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
