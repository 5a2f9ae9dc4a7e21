"""Booking-field responses checked against the event type's booking fields (contract §4.4)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from rendezvous.domain.errors import InvalidInput

DEFAULT_SLUGS = {"name", "email", "title", "notes", "guests", "rescheduleReason", "location",
                 "splitName", "attendeePhoneNumber"}  # fmt: skip
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URL = re.compile(r"^https?://\S+$")


def _problem(field: Mapping[str, Any], value: Any) -> str | None:
    kind = field.get("type")
    options = [o if isinstance(o, str) else o.get("value") for o in field.get("options") or []]
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            return "must be a number"
    elif kind in ("boolean", "checkbox") and not isinstance(value, bool | list):
        return "must be a boolean"
    elif kind in ("text", "textarea", "address", "phone") and not isinstance(value, str):
        return "must be a string"
    elif kind == "url" and not (isinstance(value, str) and _URL.match(value)):
        return "must be a URL"
    elif kind == "multiemail":
        if not isinstance(value, list) or not all(
            isinstance(v, str) and _EMAIL.match(v) for v in value
        ):
            return "must be a list of email addresses"
    elif kind in ("select", "radio"):
        if value not in options:
            return f"must be one of {options}"
    elif kind == "multiselect" and (
        not isinstance(value, list) or any(v not in options for v in value)
    ):
        return f"must be a list of values from {options}"
    return None


def check_responses(
    responses: Mapping[str, Any], fields: Sequence[Mapping[str, Any]] | None
) -> dict[str, Any]:
    """The custom responses, validated: every required visible custom field answered, every
    answer of the field's type. Responses to unknown slugs are kept (Cal.com keeps them too)."""
    bad: list[tuple[str, str]] = []
    for text_slug in ("title", "notes", "rescheduleReason"):
        if responses.get(text_slug) is not None and not isinstance(responses[text_slug], str):
            bad.append((text_slug, "must be a string"))
    for field in fields or []:
        slug = field.get("slug")
        if not slug or slug in DEFAULT_SLUGS or field.get("isDefault"):
            continue
        value = responses.get(slug)
        if value is None or value == "" or value == []:
            if field.get("required") and not field.get("hidden"):
                bad.append((slug, "is required"))
            continue
        problem = _problem(field, value)
        if problem:
            bad.append((slug, problem))
    if bad:
        raise InvalidInput(
            "; ".join(f"bookingFieldsResponses.{slug} {problem}" for slug, problem in bad),
            {"fields": [f"bookingFieldsResponses.{slug}" for slug, _ in bad]},
        )
    return dict(responses)
