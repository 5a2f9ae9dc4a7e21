"""Booking emails as data: who is told what about a booking change, with the calendar event
each message carries (RFC 5545 VEVENT facts, RFC 5546 iTIP method).

Pure: the service stores each message as an outbox row (kind ``email``); the mail integration
renders and sends it later. One message per recipient, so a refused address is retried alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from rendezvous.domain.accounts import User
from rendezvous.domain.bookings import Attendee, Booking

Change = Literal["created", "requested", "confirmed", "rejected", "rescheduled", "cancelled"]
CHANGES: tuple[Change, ...] = (
    "created",
    "requested",
    "confirmed",
    "rejected",
    "rescheduled",
    "cancelled",
)
# RFC 5546 §3.2: REQUEST publishes or updates an event, CANCEL withdraws it.
_METHOD: dict[Change, str] = {
    "created": "REQUEST",
    "requested": "REQUEST",
    "confirmed": "REQUEST",
    "rescheduled": "REQUEST",
    "rejected": "CANCEL",
    "cancelled": "CANCEL",
}
# What the change adds to the stored SEQUENCE in the message: a move and a confirmation are
# stored (the new booking counts one more; confirming stores one more), a withdrawal — the
# booking's last revision — is counted here.
_BUMP: dict[Change, int] = {"rejected": 1, "cancelled": 1}


@dataclass(frozen=True, slots=True)
class Party:
    name: str
    email: str
    time_zone: str
    role: Literal["attendee", "guest", "host"]


def iso(moment: datetime) -> str:
    """``2030-01-08T10:00:00Z`` (UTC, seconds)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def main_attendees(booking: Booking) -> list[Attendee]:
    """The booking's attendees who are not its guests (Cal.com stores each guest as an
    attendee row too; pages, calendar events and mails name a guest once, as a guest)."""
    guests = {g.lower() for g in booking.guests}
    return [a for a in booking.attendees if (a.email or "").lower() not in guests]


def parties(
    booking: Booking, hosts: Iterable[User], *, attendees: Sequence[Attendee] | None = None
) -> list[Party]:
    """Everyone a change is mailed to: the attendees (or only ``attendees``, e.g. one seat),
    the guests, and every host; each address once, host first when a host also attends."""
    found: dict[str, Party] = {}
    for user in hosts:
        found.setdefault(
            user.email.lower(),
            Party(user.name or user.username, user.email, user.time_zone, "host"),
        )
    for person in booking.attendees if attendees is None else attendees:
        if person.email:
            found.setdefault(
                person.email.lower(), Party(person.name, person.email, person.time_zone, "attendee")
            )
    if attendees is None:
        zone = booking.attendees[0].time_zone if booking.attendees else "UTC"
        for guest in booking.guests:
            found.setdefault(guest.lower(), Party(guest, guest, zone, "guest"))
    return list(found.values())


def calendar_event(
    booking: Booking,
    organizer: User,
    *,
    change: Change,
    description: str = "",
    hosts: Iterable[User] = (),
) -> dict[str, Any]:
    """The VEVENT facts of ``booking`` after ``change`` (JSON-ready): ``uid`` and ``sequence``
    (RFC 5545 §3.8.4.7, §3.8.7.4), times in UTC, ``status`` (§3.8.1.11), organizer and
    attendees; ``hosts`` are the booking's other hosts (a team booking's: every collective host
    attends; each is an ATTENDEE of the event, listed apart as ``coHosts``)."""
    status = {"requested": "TENTATIVE", "rejected": "CANCELLED", "cancelled": "CANCELLED"}.get(
        change, "CONFIRMED"
    )
    people = [{"name": a.name, "email": a.email} for a in main_attendees(booking) if a.email]
    people += [{"name": g, "email": g} for g in booking.guests]
    return {
        "method": _METHOD[change],
        "uid": booking.ics_uid,
        "sequence": booking.ics_sequence + _BUMP.get(change, 0),
        "start": iso(booking.start),
        "end": iso(booking.end),
        "summary": booking.title,
        "description": description or booking.description,
        "location": booking.location,
        "status": status,
        "organizer": {"name": organizer.name or organizer.username, "email": organizer.email},
        "attendees": people,
        "coHosts": list(
            {
                h.id: {"name": h.name or h.username, "email": h.email}
                for h in hosts
                if h.id != organizer.id
            }.values()
        ),
    }


def messages(
    booking: Booking,
    *,
    change: Change,
    organizer: User,
    hosts: Iterable[User],
    public_url: str,
    event_title: str,
    attendees: Sequence[Attendee] | None = None,
    reason: str | None = None,
    previous: Booking | None = None,
) -> list[dict[str, Any]]:
    """One outbox payload per recipient of ``change`` (shape: ``{"template": "booking",
    "change", "to": {name, email, timeZone, role}, "bookingUid", "eventTitle", "manageUrl",
    "reason", "previousStart", "previousEnd", "event": calendar_event(...)}``)."""
    hosts = list(hosts)
    event = calendar_event(booking, organizer, change=change, hosts=hosts)
    manage = f"{public_url}/booking/{booking.uid}"
    return [
        {
            "template": "booking",
            "change": change,
            "to": {
                "name": party.name,
                "email": party.email,
                "timeZone": party.time_zone,
                "role": party.role,
            },
            "bookingUid": booking.uid,
            "eventTitle": event_title,
            "manageUrl": manage,
            "reason": reason or "",
            "previousStart": iso(previous.start) if previous else None,
            "previousEnd": iso(previous.end) if previous else None,
            "event": event,
        }
        for party in parties(booking, hosts, attendees=attendees)
    ]


def verification_message(user: User, link: str) -> dict[str, Any]:
    """The outbox payload of the mail that verifies ``user``'s changed address via ``link``."""
    return {
        "template": "verify-email",
        "to": {
            "name": user.name or user.username,
            "email": user.email,
            "timeZone": user.time_zone,
            "role": "host",
        },
        "link": link,
    }
