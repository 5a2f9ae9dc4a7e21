"""Which event type a public URL names, and who hosts it.

Pages resolve ``(owner, event type)`` through ``resolve``; a personal event type is
``/{username}/{slug}``, a team event type ``/team/{teamSlug}/{slug}``. Team data comes with
teams (issue 14): until then a team URL names nothing (404), and ``Target.team_slug`` is passed
to the booking service exactly as the API passes ``teamSlug``.
"""

from __future__ import annotations

from dataclasses import dataclass

from rendezvous.domain.accounts import User
from rendezvous.domain.errors import NotFound
from rendezvous.domain.event_types import EventType
from rendezvous.domain.hosts import Host
from rendezvous.services.ports import UnitOfWork
from rendezvous.services.slots import resolve_hosted


@dataclass(frozen=True, slots=True)
class Target:
    """An event type found from a page URL: its hosts, the owner shown on the page, and how
    the booking service names it (``username`` or ``team_slug`` with ``slug``)."""

    event_type: EventType
    hosts: list[Host]
    owner_name: str
    path: str
    username: str | None = None
    team_slug: str | None = None

    @property
    def owner(self) -> User:
        return self.hosts[0].user


async def personal(uow: UnitOfWork, username: str, slug: str) -> Target:
    """``/{username}/{slug}``: NotFound for an unknown user or slug, and for a hidden event
    type (Cal.com serves hidden ones only by direct link; here they stay private)."""
    event_type, hosts = await resolve_hosted(uow, slug=slug, username=username)
    if event_type.hidden:
        raise NotFound(f"Event type '{slug}' of user '{username}' not found")
    user = hosts[0].user
    return Target(
        event_type,
        hosts,
        owner_name=user.name or user.username,
        path=f"/{user.username}/{event_type.slug}",
        username=user.username,
    )


async def team(uow: UnitOfWork, team_slug: str, slug: str) -> Target:
    """``/team/{teamSlug}/{slug}``: team event types come with teams (issue 14). Once teams
    are merged this becomes ``resolve_hosted(uow, slug=slug, team_slug=team_slug)`` (issue 14
    adds ``team_slug`` to it) and a Target with ``team_slug=team_slug``, the team's name as
    ``owner_name`` and ``path=f"/team/{team_slug}/{slug}"``. The team routes exist already and
    the booking form names the event type by id, so nothing else changes."""
    raise NotFound(f"Team '{team_slug}' not found")


async def resolve(
    uow: UnitOfWork, *, slug: str, username: str | None = None, team_slug: str | None = None
) -> Target:
    """The target of a booking page URL (exactly one of ``username`` and ``team_slug``)."""
    if team_slug is not None:
        return await team(uow, team_slug, slug)
    assert username is not None
    return await personal(uow, username, slug)
