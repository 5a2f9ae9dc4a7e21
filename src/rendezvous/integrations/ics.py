"""iCalendar (RFC 5545) objects for bookings, with the iTIP method (RFC 5546) of a message.

Input is the JSON-ready VEVENT facts of ``domain.invitations.calendar_event``; output the bytes
of a VCALENDAR, made with the ``icalendar`` package.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from icalendar import Calendar, Event, vCalAddress, vText

PRODID = "-//Rendezvous//Rendezvous scheduling//EN"


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _address(person: Mapping[str, Any], role: str | None = None) -> vCalAddress:
    address = vCalAddress(f"mailto:{person['email']}")
    address.params["CN"] = vText(person.get("name") or person["email"])
    if role:
        address.params["ROLE"] = vText(role)
        address.params["PARTSTAT"] = vText("NEEDS-ACTION")
        address.params["RSVP"] = vText("FALSE")
    return address


def calendar_bytes(event: Mapping[str, Any], *, stamp: datetime, method: str | None) -> bytes:
    """A VCALENDAR with one VEVENT. ``method`` is the iTIP method (``REQUEST``/``CANCEL``) of a
    mailed invitation, or None for a plain download (``PUBLISH`` semantics, no METHOD line,
    RFC 5545 §3.7.2). ``stamp`` is DTSTAMP (§3.8.7.2), aware UTC."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    vevent = Event()
    vevent.add("uid", event["uid"])
    vevent.add("sequence", int(event["sequence"]))
    vevent.add("dtstamp", stamp)
    vevent.add("dtstart", _instant(event["start"]))
    vevent.add("dtend", _instant(event["end"]))
    vevent.add("summary", event["summary"])
    if event.get("description"):
        vevent.add("description", event["description"])
    if event.get("location"):
        vevent.add("location", event["location"])
    vevent.add("status", event["status"])
    vevent.add("organizer", _address(event["organizer"]))
    for person in [*event.get("coHosts", []), *event.get("attendees", [])]:
        vevent.add("attendee", _address(person, "REQ-PARTICIPANT"), encode=False)
    cal.add_component(vevent)
    return bytes(cal.to_ical())
