"""Organizations, teams and memberships, and who may do what with them (pure rules).

Cal.com's model: an organization is a team with ``is_organization``; its teams name it as their
parent. Roles are MEMBER < ADMIN < OWNER. Organization admins and owners manage the
organization's teams; team admins and owners manage the team's memberships and event types;
accepted members read. Anyone else is told the object does not exist (404); a member who may see
an object but not change it is refused (403).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from rendezvous.domain import errors

Role = Literal["MEMBER", "ADMIN", "OWNER"]
ROLES: tuple[Role, ...] = ("MEMBER", "ADMIN", "OWNER")
MANAGERS: frozenset[str] = frozenset({"ADMIN", "OWNER"})

# A new team's default schedule (Cal.com: Mon–Fri 09:00–17:00 in the team's zone).
DEFAULT_TEAM_AVAILABILITY: tuple[Mapping[str, Any], ...] = (
    {
        "days": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"],
        "startTime": "09:00",
        "endTime": "17:00",
    },
)
DEFAULT_TEAM_TIME_ZONE = "Europe/London"
DEFAULT_TEAM_WEEK_START = "Sunday"


@dataclass(frozen=True, slots=True)
class Team:
    id: int
    parent_id: int | None
    name: str
    slug: str
    is_organization: bool
    time_zone: str
    week_start: str
    availability: Sequence[Mapping[str, Any]] = ()
    # Other Cal.com team fields as sent (camelCase): logoUrl, bio, metadata, …
    settings: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Membership:
    id: int
    team_id: int
    user_id: int
    role: str
    accepted: bool
    disable_impersonation: bool = False

    @property
    def manages(self) -> bool:
        """An accepted ADMIN or OWNER."""
        return self.accepted and self.role in MANAGERS


@dataclass(frozen=True, slots=True)
class HostSetting:
    """How a team event type names one host (Cal.com ``Host``)."""

    user_id: int
    mandatory: bool = False
    priority: int = 2
    weight: int = 100


def can_read(membership: Membership | None) -> bool:
    return membership is not None and membership.accepted


def require_read(membership: Membership | None, what: str) -> Membership:
    """The caller's accepted membership, else NotFound (never reveal that ``what`` exists)."""
    if membership is None or not membership.accepted:
        raise errors.NotFound(f"{what} not found")
    return membership


def require_manage(membership: Membership | None, what: str) -> Membership:
    """An accepted ADMIN or OWNER membership: NotFound for outsiders, Forbidden for members."""
    found = require_read(membership, what)
    if not found.manages:
        raise errors.Forbidden(f"Only admins and owners may change {what}")
    return found


def check_role_change(actor: Membership, role: str | None) -> None:
    """Only an OWNER may make someone an OWNER (Cal.com)."""
    if role == "OWNER" and actor.role != "OWNER":
        raise errors.Forbidden("Only owners may make a member an owner")
