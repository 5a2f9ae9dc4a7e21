"""Connected calendars (Cal.com's credentials, selected and destination calendars).

A *credential* is one connected account: an ICS feed (read-only URLs) or a CalDAV account
(Apple iCloud or any CalDAV server). Each has calendars, identified as Cal.com does by an
``externalId`` (the feed URL, or the CalDAV collection URL). A calendar ``is_selected`` when its
busy times are checked for conflicts; at most one of a user's calendars is the destination that
bookings are written to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

ICS_FEED = "ics-feed_calendar"
APPLE = "apple_calendar"
CALDAV = "caldav_calendar"

#: Path name (``/v2/calendars/{calendar}/credentials``) → (credential type, Cal.com app id).
PROVIDERS: dict[str, tuple[str, str]] = {
    "apple": (APPLE, "apple"),
    "caldav": (CALDAV, "caldav"),
}
#: Apple iCloud's CalDAV endpoint, as Cal.com's Apple Calendar app uses it.
APPLE_CALDAV_URL = "https://caldav.icloud.com"

#: The iCalendar UIDs of Rendezvous's own bookings end so (domain/booking_draft.py). Events with
#: such a UID in a connected calendar are the write-back of a booking whose time the database
#: already holds, so they are not read as busy again (a seat could not join its own event).
OWN_UID_SUFFIX = "@rendezvous"

#: Cal.com's integration metadata for ``GET /v2/calendars`` (name, description, slug).
INTEGRATIONS: dict[str, dict[str, str]] = {
    ICS_FEED: {
        "name": "ICS Feed",
        "slug": "ics-feed",
        "description": "Check ICS feeds for conflicts (read-only).",
    },
    APPLE: {
        "name": "Apple Calendar",
        "slug": "apple-calendar",
        "description": "Apple iCloud calendars over CalDAV.",
    },
    CALDAV: {
        "name": "CalDav (Beta)",
        "slug": "caldav-calendar",
        "description": "Any CalDAV server: Nextcloud, Fastmail, Radicale…",
    },
}


@dataclass(frozen=True, slots=True)
class Credential:
    """One connected account. ``secret`` is stored encrypted (a Fernet token): the feed URLs, or
    the CalDAV username and password."""

    id: int
    user_id: int
    type: str
    app_id: str
    server_url: str | None
    secret: str
    invalid: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ConnectedCalendar:
    """One calendar of a credential."""

    id: int
    credential_id: int
    user_id: int
    external_id: str
    name: str | None
    read_only: bool
    is_selected: bool
    is_destination: bool
    integration: str


@dataclass(frozen=True, slots=True)
class Discovered:
    """A calendar found in an account when it is connected."""

    external_id: str
    name: str | None
    read_only: bool


@dataclass(frozen=True, slots=True)
class CalendarState:
    """What the cache knows of one calendar's provider: the last error, if the last fetch
    failed (its busy times then come from the last good fetch, or none)."""

    error: str | None
    fetched_at: datetime | None


class NotLoaded(Exception):
    """Raised inside a write transaction when the slot engine would have to wait for a
    calendar never fetched: the transaction is rolled back (the database's writer lock is
    released), the calendars are loaded (bounded wait) and the transaction runs again
    (services/transactions.py). ``calendars``: the (calendar, credential) pairs to load."""

    def __init__(self, calendars: list[tuple[ConnectedCalendar, Credential]]) -> None:
        super().__init__("calendars must be loaded before the write transaction")
        self.calendars = calendars
