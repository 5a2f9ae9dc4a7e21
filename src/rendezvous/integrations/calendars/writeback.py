"""Delivery of ``calendar`` outbox rows: the destination calendar gets the booking's event
created, moved or removed over CalDAV (RFC 4791 §5.3.2 PUT, RFC 4918 §9.6 DELETE).

The event carries the booking's iCalendar UID, so a retry replaces rather than duplicates, and
a removal of an event already gone is done. A credential disconnected since the row was
written leaves nothing to do. A provider that fails raises ``WriteBackFailed`` (retry later).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import icalendar
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rendezvous.db.repos.calendars import CalendarRepo
from rendezvous.domain.calendars import ICS_FEED
from rendezvous.integrations.calendars import providers
from rendezvous.integrations.calendars.cache import Calendars, account
from rendezvous.integrations.calendars.providers import ProviderError
from rendezvous.integrations.calendars.secrets import KeyProblem


class WriteBackFailed(Exception):
    """The provider could not be written now; the row should be retried."""


def _parse_instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def event_ics(event: dict[str, Any], *, sequence: int, now: datetime) -> str:
    """A VCALENDAR with the booking's VEVENT (RFC 5545 §3.6.1): UID, times in UTC, summary,
    description, location, organizer and attendees (mailto: addresses, CN parameters)."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Rendezvous//Calendar write-back//EN")
    calendar.add("version", "2.0")
    vevent = icalendar.Event()
    vevent.add("uid", event["uid"])
    vevent.add("dtstamp", now.astimezone(UTC))
    vevent.add("dtstart", _parse_instant(event["start"]))
    vevent.add("dtend", _parse_instant(event["end"]))
    vevent.add("summary", event.get("title") or "")
    if event.get("description"):
        vevent.add("description", event["description"])
    if event.get("location"):
        vevent.add("location", event["location"])
    vevent.add("status", event.get("status") or "CONFIRMED")
    vevent.add("sequence", sequence)
    organizer = event.get("organizer") or {}
    if organizer.get("email"):
        address = icalendar.vCalAddress(f"mailto:{organizer['email']}")
        if organizer.get("name"):
            address.params["cn"] = icalendar.vText(organizer["name"])
        vevent.add("organizer", address)
    for attendee in event.get("attendees") or []:
        address = icalendar.vCalAddress(f"mailto:{attendee['email']}")
        address.params["cn"] = icalendar.vText(attendee.get("name") or attendee["email"])
        address.params["role"] = icalendar.vText("REQ-PARTICIPANT")
        address.params["partstat"] = icalendar.vText("ACCEPTED")
        vevent.add("attendee", address)
    calendar.add_component(vevent)
    text: str = calendar.to_ical().decode()
    return text


async def write_back(
    payload: dict[str, Any],
    *,
    sessions: async_sessionmaker[AsyncSession],
    calendars: Calendars,
    now: datetime | None = None,
) -> str:
    """Apply one ``calendar`` row's ``payload`` (see services/calendar_rows.py). Returns what
    was done (for the attempt log); raises WriteBackFailed when the provider failed."""
    async with sessions() as session:
        credential = await CalendarRepo(session).credential(int(payload["credentialId"]))
    if credential is None:
        return "skipped: the calendar was disconnected"
    if credential.type == ICS_FEED:
        return "skipped: ICS feeds are read-only"
    if not calendars.enabled:
        return "skipped: RENDEZVOUS_CALENDARS_ENABLED is false"
    try:
        who = account(credential, calendars.unseal(credential.secret))
    except KeyProblem as exc:
        raise WriteBackFailed(str(exc)) from None
    target = str(payload["externalId"])
    limits = calendars.limits
    event = payload["event"]
    action = payload["action"]
    try:
        if action in ("move", "remove"):
            old_uid = payload.get("oldUid") if action == "move" else event["uid"]
            if old_uid:
                await providers.delete_event(who, target, str(old_uid), limits)
        if action in ("create", "move"):
            ics = event_ics(
                event, sequence=int(payload.get("sequence", 0)), now=now or datetime.now(UTC)
            )
            await providers.put_event(who, target, ics, limits)
    except ProviderError as exc:
        raise WriteBackFailed(str(exc)) from None
    return f"{action}: {event['uid']}"
