"""Where a booking happens: the booker's location choice checked against the event type's."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from rendezvous.domain.errors import InvalidInput

DEFAULT_LOCATIONS: list[dict[str, Any]] = [{"type": "integration", "integration": "cal-video"}]


def _integration_value(name: str, uid: str, video_url_template: str) -> str:
    # Cal.com compat: cal-video becomes a meeting URL from a template (Jitsi by default).
    if name == "cal-video":
        return video_url_template.replace("{uid}", uid)
    return f"integrations:{name}"


_PHONE = re.compile(r"^\+[1-9]\d{6,14}$")
_PHONE_NOISE = re.compile(r"[\s().-]")


def choice_of_text(text: str, offered: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The location object a ``location`` string stands for, among the event type's locations.

    Cal.com compat: Cal.com stores a string location as it comes, unchecked (kept for clients
    from before location objects). Here it must name something the event type offers, as the
    object form must (issue 9 item 10): an integration by name (``"cal-video"``, ``"zoom"``,
    also ``"integrations:zoom"``); the event type's own address, link or phone, verbatim; or
    else the booker's own text where the event type lets the booker give one (an
    ``attendeeDefined``, ``attendeePhone`` for a phone number, or ``attendeeAddress``
    location). Anything else is returned as an integration or type of that name, which
    ``resolve_location`` refuses with a 400 listing what is offered."""
    value = text.strip()
    name = value.removeprefix("integrations:")
    kinds = {str(loc.get("type")) for loc in offered}
    for loc in offered:
        if loc.get("type") == "integration" and loc.get("integration") == name:
            return {"type": "integration", "integration": name}
    for loc in offered:
        kind = loc.get("type")
        if kind in ("address", "link", "phone") and loc.get(str(kind)) == value:
            return {"type": kind}
    if value and value == name:
        if "attendeePhone" in kinds and _PHONE.match(_PHONE_NOISE.sub("", value)):
            return {"type": "attendeePhone", "phone": value}
        if "attendeeDefined" in kinds:
            return {"type": "attendeeDefined", "location": value}
        if "attendeeAddress" in kinds:
            return {"type": "attendeeAddress", "address": value}
    # Not offered: an integration of that name, so the refusal names it.
    return {"type": "integration", "integration": name}


def resolve_location(
    choice: Mapping[str, Any] | str | None,
    offered: Sequence[Mapping[str, Any]] | None,
    *,
    uid: str,
    video_url_template: str,
    meeting_url: str | None = None,
) -> str:
    """The booking's ``location`` string (a URL, an address, a phone number or an integration).

    ``choice`` is the 2024-08-13 booking location input, or its string form (read by
    ``choice_of_text``); without one the event type's first location is used. A choice the
    event type does not offer is a 400 naming ``location``."""
    offered = list(offered or DEFAULT_LOCATIONS)
    if isinstance(choice, str):
        # An empty string chooses nothing, as an absent location (Cal.com: `location || …`).
        choice = choice_of_text(choice, offered) if choice.strip() else None
    if choice is None:
        if meeting_url:
            return meeting_url
        choice = {"type": offered[0].get("type", "")} | (
            {"integration": offered[0]["integration"]}
            if offered[0].get("type") == "integration"
            else {}
        )
    kind = choice.get("type")
    matching = [loc for loc in offered if loc.get("type") == kind]
    if kind == "integration":
        matching = [loc for loc in matching if loc.get("integration") == choice.get("integration")]
    if not matching:
        kinds = ", ".join(
            str(loc.get("integration") if loc.get("type") == "integration" else loc.get("type"))
            for loc in offered
        )
        raise InvalidInput(
            f"Location '{choice.get('integration') or kind}' is not offered by this event type "
            f"(offered: {kinds})",
            {"fields": ["location"]},
        )
    event_location = matching[0]
    if kind == "integration":
        return _integration_value(str(choice["integration"]), uid, video_url_template)
    if kind in ("address", "link", "phone"):
        return str(event_location.get(str(kind), ""))
    if kind == "attendeeAddress":
        return str(choice.get("address", ""))
    if kind == "attendeePhone":
        return str(choice.get("phone", ""))
    if kind == "attendeeDefined":
        return str(choice.get("location", ""))
    return ""
