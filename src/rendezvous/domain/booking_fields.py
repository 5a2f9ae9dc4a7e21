"""Booking-field responses checked against the event type's booking fields (contract §4.4)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from rendezvous.domain.errors import InvalidInput

PHONE_SLUG = "attendeePhoneNumber"

DEFAULT_SLUGS = {"name", "email", "title", "notes", "guests", "rescheduleReason", "location",
                 "splitName", "attendeePhoneNumber"}  # fmt: skip
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_URL = re.compile(r"https?://\S+")


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
    elif kind == "url" and not (isinstance(value, str) and _URL.fullmatch(value)):
        return "must be a URL"
    elif kind == "multiemail":
        if not isinstance(value, list) or not all(
            isinstance(v, str) and _EMAIL.fullmatch(v) for v in value
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
    bad += _missing_defaults(responses, fields or [])
    if bad:
        raise InvalidInput(
            "; ".join(f"bookingFieldsResponses.{slug} {problem}" for slug, problem in bad),
            {"fields": [f"bookingFieldsResponses.{slug}" for slug, _ in bad]},
        )
    return dict(responses)


def _default_field(fields: Sequence[Mapping[str, Any]], slug: str) -> Mapping[str, Any] | None:
    for field in fields:
        if field.get("slug") == slug or (slug == "email" and field.get("type") == "email"):
            return field
    return None


def _missing_defaults(
    responses: Mapping[str, Any], fields: Sequence[Mapping[str, Any]]
) -> list[tuple[str, str]]:
    """Built-in text fields (``title``, ``notes``) the event type made required and visible."""
    bad = []
    for slug in ("title", "notes"):
        field = _default_field(fields, slug)
        if field and field.get("required") and not field.get("hidden"):
            value = responses.get(slug)
            if value is None or (isinstance(value, str) and not value.strip()):
                bad.append((slug, "is required"))
    return bad


def phone_only(fields: Sequence[Mapping[str, Any]] | None) -> bool:
    """Contract §4.4: an ``attendeePhoneNumber`` field with the email field
    ``{required: false, hidden: true}`` lets attendees book with a phone number alone."""
    email = _default_field(fields or [], "email")
    phone = _default_field(fields or [], PHONE_SLUG)
    return bool(
        phone is not None
        and email is not None
        and email.get("required") is False
        and email.get("hidden") is True
    )


def check_contact(
    fields: Sequence[Mapping[str, Any]] | None, *, email: str, phone: str | None
) -> None:
    """The attendee can be reached as the event type asks: an email unless the event type is
    set up for phone-only booking; a phone number when the phone field is required."""
    if not email and not phone_only(fields):
        raise InvalidInput(
            "attendee.email is required: this event type does not allow phone-only booking",
            {"fields": ["attendee.email"]},
        )
    field = _default_field(fields or [], PHONE_SLUG)
    if field and field.get("required") and not field.get("hidden") and not phone:
        raise InvalidInput(
            "attendee.phoneNumber is required by this event type",
            {"fields": ["attendee.phoneNumber"]},
        )


def normalize_email(address: str) -> str:
    return address.strip().lower()


def clean_guests(guests: Sequence[str], attendee_email: str) -> tuple[str, ...]:
    """Guests in lower case, once each, never the attendee themselves."""
    seen = {normalize_email(attendee_email)} if attendee_email else set()
    out = []
    for guest in guests:
        key = normalize_email(guest)
        if key not in seen:
            seen.add(key)
            out.append(key)
    return tuple(out)


def guests_of(guests: Sequence[str], responses: Mapping[str, Any]) -> list[str]:
    """The guests of a booking request: the ``guests`` field, or else
    ``bookingFieldsResponses.guests`` (where Cal.com's booker sends them)."""
    if guests:
        return list(guests)
    given = responses.get("guests")
    if given is None or given == []:
        return []
    if not isinstance(given, list) or not all(
        isinstance(g, str) and _EMAIL.fullmatch(g) for g in given
    ):
        raise InvalidInput(
            "bookingFieldsResponses.guests must be a list of email addresses",
            {"fields": ["bookingFieldsResponses.guests"]},
        )
    return list(given)
