"""Which event type a public URL names, and who hosts it.

Pages resolve ``(owner, event type)`` through ``resolve``; a personal event type is
``/{username}/{slug}``, a team event type ``/team/{teamSlug}/{slug}`` (found as the API finds
``teamSlug`` with ``eventTypeSlug``). The booking form names the event type by id, so a page
booking goes through ``services.bookings.create`` exactly as ``POST /v2/bookings`` does.
"""

from __future__ import annotations

from dataclasses import dataclass

from rendezvous.domain.accounts import User
from rendezvous.domain.errors import NotFound
from rendezvous.domain.event_types import EventType
from rendezvous.domain.hosts import Host
from rendezvous.services.ports import UnitOfWork
from rendezvous.services.slots import load_hosts, resolve_hosted


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

    @property
    def host_names(self) -> list[str]:
        """The hosts shown on a team event type's page (a personal one's is its owner)."""
        return [h.user.name or h.user.username for h in self.hosts]


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
    """``/team/{teamSlug}/{slug}`` (the team event type's ``bookingUrl``): the event type as
    ``GET /v2/slots?teamSlug=…&eventTypeSlug=…`` resolves it, with every configured host
    (COLLECTIVE: all of them meet; ROUND_ROBIN: one free host is chosen at booking). NotFound
    for an unknown team or slug, a hidden event type, and a managed parent (its children are
    booked on their owners' pages)."""
    event_type, hosts = await resolve_hosted(uow, slug=slug, team_slug=team_slug)
    if event_type.hidden or event_type.scheduling_type == "MANAGED":
        raise NotFound(f"Event type '{slug}' of team '{team_slug}' not found")
    found = await uow.teams.get(event_type.team_id) if event_type.team_id else None
    return Target(
        event_type,
        hosts,
        owner_name=found.name if found else team_slug,
        path=f"/team/{found.slug if found else team_slug}/{event_type.slug}",
        team_slug=found.slug if found else team_slug,
    )


async def for_event_type(uow: UnitOfWork, event_type: EventType, *, path: str) -> Target:
    """The target of an event type already found (a booking's, to reschedule it at ``path``):
    its hosts now, named as its own page names them (the team, or the owner)."""
    hosts = await load_hosts(uow, event_type)
    found = await uow.teams.get(event_type.team_id) if event_type.team_id else None
    if found is not None:
        return Target(event_type, hosts, owner_name=found.name, path=path, team_slug=found.slug)
    user = hosts[0].user
    return Target(
        event_type, hosts, owner_name=user.name or user.username, path=path, username=user.username
    )


async def resolve(
    uow: UnitOfWork, *, slug: str, username: str | None = None, team_slug: str | None = None
) -> Target:
    """The target of a booking page URL (exactly one of ``username`` and ``team_slug``)."""
    if team_slug is not None:
        return await team(uow, team_slug, slug)
    assert username is not None
    return await personal(uow, username, slug)
