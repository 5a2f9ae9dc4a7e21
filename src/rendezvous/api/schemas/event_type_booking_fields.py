"""Booking-form fields of event types, cal-api-version 2024-06-14 (contract §4.4).

Input: default fields are addressed by ``type`` (name, splitName, email) or by ``slug`` (title,
notes, guests, rescheduleReason, location) and only adjust the built-in field; every other entry is
a custom field. The stored form is the list as sent; ``booking_fields_output`` merges it with the
built-in set in Cal.com's order: name, email, location, custom fields…, title, notes, guests,
rescheduleReason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field

from rendezvous.api.schemas.bounds import IDENTIFIER_MAX, OPTION_MAX, Label, Line
from rendezvous.api.schemas.common import Problem, WireModel, field_errors
from rendezvous.api.schemas.event_type_fields import dispatch

CUSTOM_TYPES = ("phone", "address", "text", "number", "textarea", "multiemail", "boolean", "url")
OPTION_TYPES = ("select", "multiselect", "checkbox", "radio")
SLUG_DEFAULTS = ("title", "notes", "guests", "rescheduleReason")
RESERVED_SLUGS = frozenset({"name", "email", "location", *SLUG_DEFAULTS})
MAX_OPTIONS = 100
FieldSlug = Annotated[str, Field(min_length=1, max_length=IDENTIFIER_MAX), Line]
PHONE_SLUG = "attendeePhoneNumber"  # with email {required:false, hidden:true}: phone-only booking


class NameField(WireModel):
    type: Literal["name"]
    label: Label | None = None
    placeholder: Label | None = None
    disable_on_prefill: bool | None = None


class SplitNameField(WireModel):
    type: Literal["splitName"]
    first_name_label: Label | None = None
    first_name_placeholder: Label | None = None
    last_name_label: Label | None = None
    last_name_placeholder: Label | None = None
    last_name_required: bool | None = None
    disable_on_prefill: bool | None = None


class EmailField(WireModel):
    type: Literal["email"]
    label: Label | None = None
    placeholder: Label | None = None
    required: bool | None = None
    hidden: bool | None = None
    disable_on_prefill: bool | None = None


class DefaultSlugField(WireModel):
    """title, notes, guests or rescheduleReason; a ``type`` sent with them is ignored (Cal.com)."""

    slug: Literal["title", "notes", "guests", "rescheduleReason"]
    required: bool | None = None
    hidden: bool | None = None
    label: Label | None = None
    placeholder: Label | None = None
    disable_on_prefill: bool | None = None


class LocationField(WireModel):
    slug: Literal["location"]
    label: Label | None = None


class CustomField(WireModel):
    type: Literal["phone", "address", "text", "number", "textarea", "multiemail", "boolean", "url"]
    slug: FieldSlug
    label: Label
    required: bool
    placeholder: Label | None = None
    hidden: bool | None = None
    disable_on_prefill: bool | None = None


class OptionsField(WireModel):
    type: Literal["select", "multiselect", "checkbox", "radio"]
    slug: FieldSlug
    label: Label
    required: bool
    options: list[Annotated[str, Field(min_length=1, max_length=OPTION_MAX), Line]] = Field(
        min_length=1, max_length=MAX_OPTIONS
    )
    placeholder: Label | None = None
    hidden: bool | None = None
    disable_on_prefill: bool | None = None


_BY_TYPE: dict[str, type[BaseModel]] = {
    "name": NameField,
    "splitName": SplitNameField,
    "email": EmailField,
    **dict.fromkeys(CUSTOM_TYPES, CustomField),
    **dict.fromkeys(OPTION_TYPES, OptionsField),
}


def _choose(value: Mapping[str, Any]) -> type[BaseModel] | str:
    slug, kind = value.get("slug"), value.get("type")
    if slug in SLUG_DEFAULTS:
        return DefaultSlugField
    if slug == "location":
        return LocationField
    if isinstance(kind, str) and kind in _BY_TYPE:
        return _BY_TYPE[kind]
    if kind is None:
        return "Field required (or a slug of title, notes, guests, rescheduleReason, location)"
    return "must be one of " + ", ".join(_BY_TYPE)


AnyBookingField = (
    NameField
    | SplitNameField
    | EmailField
    | DefaultSlugField
    | LocationField
    | CustomField
    | OptionsField
)


def _key(field: BaseModel) -> tuple[str, str]:
    """(identity, the field that carries it) for duplicate detection."""
    if isinstance(field, NameField | SplitNameField):
        return "name", "type"
    if isinstance(field, EmailField):
        return "email", "type"
    return str(getattr(field, "slug", "")), "slug"


def _check_fields(fields: list[AnyBookingField]) -> list[AnyBookingField]:
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for index, field in enumerate(fields):
        key, where = _key(field)
        if key in seen:
            message = f"duplicates bookingFields.{seen[key]}; each field may appear once"
            problems.append(((index, where), message, key))
            continue
        seen[key] = index
        if isinstance(field, CustomField | OptionsField) and field.slug in RESERVED_SLUGS:
            message = f"'{field.slug}' is the slug of a default field; choose another"
            problems.append(((index, "slug"), message, field.slug))
    email = next((f for f in fields if isinstance(f, EmailField)), None)
    if email is not None and (email.required is False or email.hidden is True):
        phone_ok = any(
            isinstance(f, CustomField)
            and f.type == "phone"
            and f.slug == PHONE_SLUG
            and f.required
            and not f.hidden
            for f in fields
        )
        if not phone_ok:
            where = "required" if email.required is False else "hidden"
            message = (
                "the email field must stay required and visible unless a required, visible "
                f"phone field with slug '{PHONE_SLUG}' is present"
            )
            problems.append(((fields.index(email), where), message, getattr(email, where)))
    if problems:
        raise field_errors(problems, "bookingFields")
    return fields


BookingField = Annotated[AnyBookingField, dispatch(_choose)]
BookingFields = Annotated[list[BookingField], Field(min_length=1), AfterValidator(_check_fields)]

# --- Output ---

_BUILT_IN: dict[str, dict[str, Any]] = {
    "name": {"isDefault": True, "type": "name", "slug": "name", "required": True},
    "email": {
        "isDefault": True,
        "type": "email",
        "slug": "email",
        "required": True,
        "hidden": False,
    },
    "location": {
        "isDefault": True,
        "type": "radioInput",
        "slug": "location",
        "required": False,
        "hidden": False,
    },
    # Cal.com's built-in title field is required but hidden (the booking title is generated).
    "title": {"isDefault": True, "type": "text", "slug": "title", "required": True, "hidden": True},
    "notes": {
        "isDefault": True,
        "type": "textarea",
        "slug": "notes",
        "required": False,
        "hidden": False,
    },
    "guests": {
        "isDefault": True,
        "type": "multiemail",
        "slug": "guests",
        "required": False,
        "hidden": False,
    },
    "rescheduleReason": {
        "isDefault": True,
        "type": "textarea",
        "slug": "rescheduleReason",
        "required": False,
        "hidden": False,
    },
}
_ADJUSTABLE = ("label", "placeholder", "required", "hidden", "disableOnPrefill")


def _default_output(key: str, given: Mapping[str, Any] | None) -> dict[str, Any]:
    if given is not None and given.get("type") == "splitName":
        out: dict[str, Any] = {"isDefault": True, "type": "splitName", "slug": "splitName"}
        out.update({k: v for k, v in given.items() if k != "type"})
        out["lastNameRequired"] = bool(given.get("lastNameRequired", False))
        return out
    out = dict(_BUILT_IN[key])
    if given is not None:
        allowed: tuple[str, ...] = _ADJUSTABLE
        if key == "location":
            allowed = ("label",)
        elif key == "name":
            allowed = ("label", "placeholder", "disableOnPrefill")
        out.update({k: v for k, v in given.items() if k in allowed})
    return out


def booking_fields_output(
    stored: Sequence[Mapping[str, Any]], *, location_count: int, disable_guests: bool
) -> list[dict[str, Any]]:
    """Stored fields (the list as sent) → the full §4.4 output list."""
    defaults: dict[str, Mapping[str, Any]] = {}
    custom: list[dict[str, Any]] = []
    for field in stored:
        kind, slug = field.get("type"), field.get("slug")
        if kind in ("name", "splitName"):
            defaults["name"] = field
        elif kind == "email" and slug is None:
            defaults["email"] = field
        elif kind is None and slug in (*SLUG_DEFAULTS, "location"):
            defaults[str(slug)] = field
        else:
            out = {"isDefault": False, "type": kind, "slug": slug}
            out.update(field)
            out["hidden"] = bool(field.get("hidden", False))
            custom.append(out)
    before = ["name", "email"]
    # Cal.com shows the location picker only when there is more than one location to pick from.
    if location_count > 1:
        before.append("location")
    result = [_default_output(key, defaults.get(key)) for key in before]
    result += custom
    result += [_default_output(key, defaults.get(key)) for key in SLUG_DEFAULTS]
    if disable_guests:
        next(f for f in result if f.get("slug") == "guests")["hidden"] = True
    return result
