"""The application factory: the one place where concrete pieces are wired together."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from fastapi import FastAPI

from rendezvous import __version__
from rendezvous.api import docs, errors, openapi
from rendezvous.api.body_limit import BodyLimit
from rendezvous.api.middleware import RateLimit, RequestContext, make_storage
from rendezvous.api.routers import (
    bookings,
    calendars,
    event_types,
    health,
    me,
    schedules,
    slots,
    teams,
    webhooks,
)
from rendezvous.config import Settings
from rendezvous.db.engine import AsyncEngine, create_engine, session_factory
from rendezvous.integrations.calendars import setup as calendar_setup
from rendezvous.web import routes as web_routes

DESCRIPTION = """A self-hostable scheduling server whose REST API is compatible with Cal.com's
API v2. Authenticate with `Authorization: Bearer cal_…`. Responses use Cal.com's envelopes:
`{"status": "success", "data": …}` and
`{"status": "error", "error": {"code", "message", "details"}}`.
"""


def utc_now() -> datetime:
    return datetime.now(UTC)


def create_app(
    settings: Settings,
    *,
    clock: Callable[[], datetime] = utc_now,
    engine: AsyncEngine | None = None,
) -> FastAPI:
    """Build the app. ``clock`` and ``engine`` are injectable so tests build their own world."""
    own_engine = engine is None
    engine = engine or create_engine(
        settings.database_url, pool_size=settings.db_pool_size, echo=settings.sql_echo
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await calendar_setup.check_key(app.state.calendars, app.state.sessions)
        background = None
        if settings.worker_in_serve:
            from rendezvous.worker.main import Background

            background = Background(settings, app.state.sessions, clock=clock)
        try:
            yield
        finally:
            if background is not None:
                await background.stop()
            await app.state.calendars.aclose()
            if own_engine:
                await engine.dispose()

    app = FastAPI(
        title="Rendezvous",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        # Served by docs.install from packaged assets: FastAPI's own pages load them from a CDN.
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = session_factory(engine)
    app.state.clock = clock
    app.state.calendars = calendar_setup.build(settings)

    errors.install(app)
    openapi.install(app)
    docs.install(app)
    app.include_router(health.router)
    app.include_router(me.router)
    app.include_router(schedules.router)
    app.include_router(event_types.router)
    app.include_router(slots.router)
    app.include_router(bookings.router)
    app.include_router(calendars.router)
    app.include_router(webhooks.router)
    app.include_router(teams.router)
    app.include_router(teams.mine)
    # Last: the public pages' /{username} paths must not shadow any route above.
    app.include_router(web_routes.router)

    # Innermost of the three: a flood of large bodies is throttled before any body is read.
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    if settings.rate_limit_enabled:
        app.add_middleware(
            RateLimit,
            limit=settings.rate_limit,
            window=settings.rate_limit_window,
            auth_failure_limit=settings.auth_failure_limit,
            storage=make_storage(settings.redis_url),
        )
    app.add_middleware(RequestContext)
    return app
