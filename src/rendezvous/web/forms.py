"""Form posts: the same-origin check that makes them CSRF-safe, the urlencoded body, and the
booking form read as the API's create body (so the page refuses what the API refuses)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import parse_qs, urlsplit

from starlette.requests import Request

from rendezvous.domain.locations import DEFAULT_LOCATIONS

MAX_FORM_FIELDS = 200


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def same_origin(request: Request, public_url: str) -> bool:
    """Whether a form post comes from one of our own pages: its ``Origin`` (or, when a browser
    sends none, its ``Referer``) is the public URL's origin or the origin the request was sent
    to. A post with neither header is refused: every current browser sends ``Origin`` with a
    form post (Fetch standard), so only a forged or scripted request lacks both."""
    sent = request.headers.get("origin") or request.headers.get("referer")
    if not sent or sent == "null":
        return False
    ours = {_origin(public_url), _origin(str(request.base_url))}
    return _origin(sent) in ours


async def form_fields(request: Request) -> dict[str, list[str]] | None:
    """The ``application/x-www-form-urlencoded`` body (its size is bounded by the body limit),
    each name with its values; None when it has more than MAX_FORM_FIELDS fields (no page of
    ours sends that many: the caller answers 400)."""
    body = (await request.body()).decode("utf-8", errors="replace")
    try:
        return parse_qs(body, keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS)
    except ValueError:  # "Max number of fields exceeded"
        return None


def first(fields: Mapping[str, Sequence[str]], name: str) -> str:
    values = fields.get(name) or [""]
    return values[0].strip()


def offered_locations(settings: Mapping[str, Any] | Sequence[Any] | None) -> list[dict[str, Any]]:
    return [dict(loc) for loc in (settings or DEFAULT_LOCATIONS) if isinstance(loc, Mapping)]


def location_label(loc: Mapping[str, Any]) -> str:
    """How a location option reads on the page."""
    kind = loc.get("type")
    if kind == "integration":
        name = str(loc.get("integration", ""))
        return "Video call" if name == "cal-video" else name.replace("-", " ").title()
    labels = {
        "address": f"In person: {loc.get('address', '')}",
        "link": f"Link: {loc.get('link', '')}",
        "phone": f"Phone: {loc.get('phone', '')}",
        "attendeeAddress": "In person at an address you give",
        "attendeePhone": "A phone number you give",
        "attendeeDefined": "A place you name",
    }
    return labels.get(str(kind), str(kind))


def needs_text(loc: Mapping[str, Any]) -> bool:
    return loc.get("type") in ("attendeeAddress", "attendeePhone", "attendeeDefined")


def location_choice(offered: Sequence[Mapping[str, Any]], index: str, text: str) -> Any:
    """The API's location object for the option numbered ``index`` (None: the default)."""
    if not (index.isascii() and index.isdigit()) or int(index) >= len(offered):
        return None
    loc = offered[int(index)]
    kind = loc.get("type")
    if kind == "integration":
        return {"type": "integration", "integration": loc.get("integration")}
    key = {"attendeeAddress": "address", "attendeePhone": "phone", "attendeeDefined": "location"}
    if kind in key:
        return {"type": kind, key[str(kind)]: text}
    return {"type": kind}


def custom_fields(fields: Sequence[Mapping[str, Any]] | None) -> list[Mapping[str, Any]]:
    """The event type's own booking fields the page asks for (not the default ones)."""
    from rendezvous.domain.booking_fields import DEFAULT_SLUGS

    return [
        f
        for f in fields or []
        if f.get("slug")
        and f.get("slug") not in DEFAULT_SLUGS
        and not f.get("isDefault")
        and not f.get("hidden")
    ]


def phone_field(fields: Sequence[Mapping[str, Any]] | None) -> Mapping[str, Any] | None:
    """The attendee phone field (``attendeePhoneNumber``) when the event type shows it."""
    return next(
        (f for f in fields or [] if f.get("slug") == "attendeePhoneNumber" and not f.get("hidden")),
        None,
    )


def _answer(field: Mapping[str, Any], values: list[str]) -> Any:
    kind = field.get("type")
    text = values[0].strip() if values else ""
    if kind in ("boolean", "checkbox"):
        return bool(values and values[0])
    if kind == "multiselect":
        return [v for v in values if v]
    if kind == "multiemail":
        return [v.strip() for v in text.replace("\n", ",").split(",") if v.strip()]
    if kind == "number":
        if not text:
            return None
        try:
            return int(text) if text.lstrip("-").isdigit() else float(text)
        except ValueError:
            return text  # the booking-field check names it: "must be a number"
    return text or None


def booking_body(
    fields: Mapping[str, list[str]],
    *,
    event_type_id: int,
    time_zone: str,
    offered: Sequence[Mapping[str, Any]],
    custom: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    """The ``POST /v2/bookings`` body the booking form stands for."""
    responses: dict[str, Any] = {}
    notes = first(fields, "notes")
    if notes:
        responses["notes"] = notes
    for field in custom:
        slug = str(field["slug"])
        answer = _answer(field, fields.get(f"field_{slug}", []))
        if answer is not None and answer != []:
            responses[slug] = answer
    guests = [g.strip() for g in first(fields, "guests").replace("\n", ",").split(",")]
    phone, email = first(fields, "phone"), first(fields, "email")
    body: dict[str, Any] = {
        "start": first(fields, "start"),
        "eventTypeId": event_type_id,
        "attendee": {"name": first(fields, "name"), "timeZone": time_zone}
        | ({"email": email} if email else {})  # none: a phone-only booking (or the API's 400)
        | ({"phoneNumber": phone} if phone else {}),
        "guests": [g for g in guests if g],
        "bookingFieldsResponses": responses,
    }
    location = location_choice(offered, first(fields, "location"), first(fields, "location_text"))
    if location is not None:
        body["location"] = location
    return body
