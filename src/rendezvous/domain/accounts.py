"""Users and API keys as the rest of the code sees them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# Usernames that would hide a server path: the public pages live at /{username}, so a user
# named "docs" or "v2" could never be reached (or would shadow the API). Compared lower-case.
RESERVED_USERNAMES = frozenset(
    {
        "v2", "docs", "redoc", "openapi.json", "health", "booking", "team", "verify-email",
        "static", "favicon.ico", "robots.txt", "api", "apps", "auth", "settings", "admin",
        "login", "logout", "signup", "bookings", "event-types", "availability", "d", "org",
    }
)  # fmt: skip


def username_reserved(username: str) -> bool:
    """Whether ``username`` names a server path rather than a person (``RESERVED_USERNAMES``)."""
    return username.strip().lower() in RESERVED_USERNAMES


@dataclass(frozen=True, slots=True)
class User:
    id: int
    email: str
    username: str
    name: str | None
    time_zone: str
    week_start: str = "Monday"
    time_format: int = 24
    locale: str | None = "en"
    avatar_url: str | None = None
    bio: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    default_schedule_id: int | None = None
    organization_id: int | None = None
    # Whether ``email`` is verified. Only a verified address makes the user an attendee of the
    # bookings that name it (listing, seats, attendee-only answers): anyone can type an address.
    email_verified: bool = False

    def attendee_email(self) -> str | None:
        """The address by which this user is matched to booking attendees: the verified
        email, or None when it is unverified (then it matches nothing)."""
        return self.email if self.email_verified else None


@dataclass(frozen=True, slots=True)
class ApiKey:
    id: int
    user_id: int
    key_hash: str
    prefix: str
    note: str | None
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None

    def refusal(self, now: datetime) -> str | None:
        """Why this key may not be used at ``now``, or None when it may."""
        if self.revoked_at is not None:
            return "API key has been revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "API key has expired"
        return None
