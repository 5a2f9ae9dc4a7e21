"""Wiring of the calendar cache from settings, and the start-up key check."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rendezvous.config import ConfigError, Settings
from rendezvous.db.repos.calendars import CalendarRepo
from rendezvous.integrations.calendars.cache import Calendars
from rendezvous.integrations.calendars.providers import Limits
from rendezvous.integrations.calendars.secrets import KeyProblem, Sealer


def build(settings: Settings) -> Calendars:
    """The app's calendar cache, as configured (RENDEZVOUS_CALENDAR_*, CREDENTIALS_KEY*)."""
    return Calendars(
        Sealer(settings.credentials_key, settings.credentials_key_file),
        ttl=settings.calendar_cache_ttl,
        wait=settings.calendar_wait,
        limits=Limits(
            timeout=settings.calendar_timeout,
            max_bytes=settings.calendar_max_bytes,
            allow_private=settings.allow_private_networks,
        ),
        enabled=settings.calendars_enabled,
    )


async def check_key(calendars: Calendars, sessions: async_sessionmaker[AsyncSession]) -> None:
    """ConfigError when calendar credentials are stored and the configured key (or its
    absence) cannot open them: the server refuses to start rather than fail every fetch."""
    try:
        async with sessions() as session:
            token = await CalendarRepo(session).any_secret()
    except DBAPIError:  # not migrated yet (serve --no-migrate): nothing stored to open
        return
    try:
        calendars.sealer.check_startup(token)
    except KeyProblem as exc:
        raise ConfigError(
            f"calendar credentials are stored but cannot be opened: {exc}. Set "
            "RENDEZVOUS_CREDENTIALS_KEY (or RENDEZVOUS_CREDENTIALS_KEY_FILE) to the key they "
            "were saved with"
        ) from None
