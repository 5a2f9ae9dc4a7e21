"""Bounds on what one request may carry: free-form JSON, text, integers and instants.

Every limit here is listed with its source in ``docs/compatibility.md`` ("Input bounds"). The
checks walk JSON iteratively, so no input (however deep) can exhaust the interpreter's stack.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, EmailStr, Field

# Re-exported for the schemas: the engine's bounds are the API's bounds.
from rendezvous.domain.bounds import (
    MAX_BUFFER_MINUTES as MAX_BUFFER_MINUTES,
)
from rendezvous.domain.bounds import (
    MAX_DURATION_MINUTES as MAX_DURATION_MINUTES,
)
from rendezvous.domain.bounds import (
    MAX_NOTICE_MINUTES as MAX_NOTICE_MINUTES,
)
from rendezvous.domain.bounds import (
    MAX_OCCURRENCES as MAX_OCCURRENCES,
)
from rendezvous.domain.bounds import (
    MAX_OFFSET_MINUTES as MAX_OFFSET_MINUTES,
)
from rendezvous.domain.bounds import (
    MAX_RECURRENCE_INTERVAL as MAX_RECURRENCE_INTERVAL,
)
from rendezvous.domain.bounds import (
    MAX_SLOT_INTERVAL_MINUTES as MAX_SLOT_INTERVAL_MINUTES,
)
from rendezvous.domain.bounds import (
    MAX_WINDOW_DAYS as MAX_WINDOW_DAYS,
)
from rendezvous.domain.bounds import (
    MINUTES_PER_DAY as MINUTES_PER_DAY,
)

# --- Free-form JSON ------------------------------------------------------------------------------

#: Booking responses are a flat object of answers (strings, lists of strings, small objects such as
#: ``{"value": …, "optionValue": …}``); 8 levels leave ample room for that.
RESPONSES_MAX_DEPTH = 8
RESPONSES_MAX_ITEMS = 1_000
RESPONSES_MAX_BYTES = 64 * 1024
#: Output safety net: stored values deeper than this are cut when read (see ``readable``).
READ_MAX_DEPTH = 32
#: The largest integer free-form JSON may hold: JavaScript's ``Number.MAX_SAFE_INTEGER``, the
#: range Cal.com (a JavaScript server) and its clients can carry without losing digits. Larger
#: ones would also be unwritable by the JSON encoder (64-bit), failing every later read.
MAX_JSON_INTEGER = 2**53 - 1


Path = tuple[str | int, ...]


def dotted(path: Path) -> str:
    return ".".join(str(part) for part in path)


def walk_json(value: Any) -> Iterator[tuple[Any, int, Path]]:
    """(value, depth, path) for ``value`` and everything inside it, without recursion. The
    top-level value has depth 0 and path (); the items of a top-level object have depth 1."""
    stack: list[tuple[Any, int, Path]] = [(value, 0, ())]
    while stack:
        item, depth, path = stack.pop()
        yield item, depth, path
        if isinstance(item, dict):
            for key, child in item.items():
                stack.append((child, depth + 1, (*path, key)))
        elif isinstance(item, list | tuple):
            for index, child in enumerate(item):
                stack.append((child, depth + 1, (*path, index)))


def _size(value: Any) -> int:
    """The length of ``value`` as compact JSON, in UTF-8 bytes (an upper bound for escapes is not
    needed: strings are measured as their UTF-8 bytes plus quotes)."""
    total = 0
    for item, _, _ in walk_json(value):
        if isinstance(item, dict):
            total += 2 + max(0, len(item) - 1)
            total += sum(len(str(k).encode("utf-8", "surrogatepass")) + 3 for k in item)
        elif isinstance(item, list | tuple):
            total += 2 + max(0, len(item) - 1)
        elif isinstance(item, str):
            total += len(item.encode("utf-8", "surrogatepass")) + 2
        else:
            total += len(repr(item))
    return total


def json_problem(value: Any, *, max_depth: int, max_items: int, max_bytes: int) -> str | None:
    """Why ``value`` is outside the bounds (depth of nesting, number of keys and items in all,
    serialized size in bytes), or None. Non-finite numbers and integers beyond
    ``MAX_JSON_INTEGER`` are refused too: no field means them."""
    items = 0
    for item, depth, path in walk_json(value):
        if depth > max_depth:
            return f"may be nested at most {max_depth} levels deep (at {dotted(path)})"
        if isinstance(item, dict | list | tuple):
            items += len(item)
            if items > max_items:
                return f"may hold at most {max_items} keys and items in all"
        elif isinstance(item, float) and not math.isfinite(item):
            return f"must hold finite numbers only (at {dotted(path) or 'the top'})"
        elif isinstance(item, int) and abs(item) > MAX_JSON_INTEGER:
            return (
                f"must hold integers between -{MAX_JSON_INTEGER} and {MAX_JSON_INTEGER} only "
                f"(at {dotted(path) or 'the top'})"
            )
    if _size(value) > max_bytes:
        return f"may be at most {max_bytes} bytes as JSON"
    return None


def json_bounds(*, max_depth: int, max_items: int, max_bytes: int) -> BeforeValidator:
    """The one bound for every free-form JSON field: a before-validator (it runs before the
    field's own, possibly costly, validation) raising a 400 that names the field."""

    def check(value: Any) -> Any:
        problem = json_problem(value, max_depth=max_depth, max_items=max_items, max_bytes=max_bytes)
        if problem is not None:
            raise ValueError(problem)
        return value

    return BeforeValidator(check)


def readable(value: Any, max_depth: int = READ_MAX_DEPTH) -> Any:
    """A stored JSON value as it may be sent: unchanged when it is at most ``max_depth`` deep,
    else a copy with the deeper containers replaced by ``null``. Values stored before input was
    bounded (or written by other tools) can then never make a read fail."""
    if all(depth <= max_depth for _, depth, _ in walk_json(value)):
        return value

    def clip(item: Any, depth: int) -> Any:  # recursion bounded by max_depth
        if isinstance(item, dict):
            if depth >= max_depth:
                return None
            return {k: clip(v, depth + 1) for k, v in item.items()}
        if isinstance(item, list | tuple):
            if depth >= max_depth:
                return None
            return [clip(v, depth + 1) for v in item]
        return item

    return clip(value, 0)


# --- Text ----------------------------------------------------------------------------------------

# Unicode category Cc is exactly U+0000–U+001F and U+007F–U+009F; U+2028/U+2029 break lines too.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_BUT_BREAKS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")


def control_character(text: str, *, allow_breaks: bool) -> str | None:
    """The first control character (Unicode category Cc, also U+2028/U+2029) in ``text``, or
    None. Multi-line text may hold tab, line feed and carriage return."""
    found = (_CONTROL_BUT_BREAKS if allow_breaks else _CONTROL).search(text)
    return found.group() if found else None


def check_line(value: str) -> str:
    """Single-line text (names, titles, slugs, labels, uids, URLs): no control characters."""
    found = control_character(value, allow_breaks=False)
    if found is not None:
        raise ValueError(f"may not contain control characters (found U+{ord(found):04X})")
    return value


def text_problem(value: Any) -> tuple[Path, str] | None:
    """(path, character) of the first string or key anywhere in ``value`` holding a control
    character other than tab, line feed or carriage return, or None."""
    for item, _, path in walk_json(value):
        if isinstance(item, str):
            found = control_character(item, allow_breaks=True)
            if found is not None:
                return path, found
        elif isinstance(item, dict):
            for key in item:
                found = control_character(key, allow_breaks=True) if isinstance(key, str) else None
                if found is not None:
                    return (*path, key), found
    return None


# Maximum lengths, in characters (sources in docs/compatibility.md).
NAME_MAX = 255
TITLE_MAX = 255
SLUG_MAX = 255
LABEL_MAX = 255
EMAIL_MAX = 254  # RFC 5321: a forward path of 256 octets minus the angle brackets
URL_MAX = 2048
UID_MAX = 64
LOCATION_MAX = 1000
DESCRIPTION_MAX = 10_000
REASON_MAX = 5000
BIO_MAX = 5000
PHONE_MAX = 32
OPTION_MAX = 255
IDENTIFIER_MAX = 255  # integration names, external calendar ids, custom-name templates

Line = AfterValidator(check_line)


def _plain_address(value: Any) -> Any:
    """An email is the bare address: pydantic's EmailStr would also take ``"Jane <j@x.com>"``
    and surrounding spaces, and quietly keep only the address."""
    if isinstance(value, str) and (value != value.strip() or "<" in value or ">" in value):
        raise ValueError("must be a plain email address, e.g. jane@example.com")
    return value


Email = Annotated[EmailStr, Field(max_length=EMAIL_MAX), BeforeValidator(_plain_address)]
Name = Annotated[str, Field(min_length=1, max_length=NAME_MAX), Line]
Title = Annotated[str, Field(min_length=1, max_length=TITLE_MAX), Line]
Label = Annotated[str, Field(max_length=LABEL_MAX), Line]
Identifier = Annotated[str, Field(max_length=IDENTIFIER_MAX), Line]
Uid = Annotated[str, Field(max_length=UID_MAX), Line]
Description = Annotated[str, Field(max_length=DESCRIPTION_MAX)]
Reason = Annotated[str, Field(max_length=REASON_MAX)]

# --- Numbers and instants ------------------------------------------------------------------------


def _integral(value: Any) -> Any:
    """Contract §0 item 11: an integer may arrive as a float with a zero fraction (``30.0``)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


IntegralFloat = BeforeValidator(_integral)


_ISO_DATE_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}")


def _iso_text(value: Any) -> Any:
    """Instants arrive as ISO 8601 text; a number, or digits in a string (a Unix time?), is
    refused, not guessed at (pydantic's lax datetime would read both as Unix times)."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _ISO_DATE_TIME.match(value):
        raise ValueError("must be an ISO 8601 date-time string, e.g. 2050-09-05T07:00:00Z")
    return value


IsoText = BeforeValidator(_iso_text)

# Minutes, days and counts the engine handles (rendezvous.domain.bounds); the rest are API-only.
MAX_LIMIT_COUNT = 100_000  # bookings per day/week/month/year
MAX_LIMIT_DURATION = 366 * MINUTES_PER_DAY  # booked minutes per period
MAX_RESERVATION_MINUTES = MINUTES_PER_DAY
MAX_LENGTH_OPTIONS = 100
