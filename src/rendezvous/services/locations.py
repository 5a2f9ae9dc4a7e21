"""Where a booking happens: the booker's location choice checked against the event type's."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rendezvous.domain.errors import InvalidInput

DEFAULT_LOCATIONS: list[dict[str, Any]] = [{"type": "integration", "integration": "cal-video"}]


def _integration_value(name: str, uid: str, video_url_template: str) -> str:
    # Cal.com compat: cal-video becomes a meeting URL from a template (Jitsi by default).
    if name == "cal-video":
        return video_url_template.replace("{uid}", uid)
    return f"integrations:{name}"


def resolve_location(
    choice: Mapping[str, Any] | None,
    offered: Sequence[Mapping[str, Any]] | None,
    *,
    uid: str,
    video_url_template: str,
    meeting_url: str | None = None,
) -> str:
    """The booking's ``location`` string (a URL, an address, a phone number or an integration).

    ``choice`` is the 2024-08-13 booking location input; without one the event type's first
    location is used. A choice the event type does not offer is a 400."""
    offered = list(offered or DEFAULT_LOCATIONS)
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
