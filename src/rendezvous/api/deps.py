"""Named dependencies: the wiring every router uses."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from rendezvous.api.errors import ApiError
from rendezvous.config import Settings
from rendezvous.db.engine import ping
from rendezvous.db.uow import UnitOfWork
from rendezvous.domain.accounts import User
from rendezvous.services import accounts


# Dependencies are ``async def`` even when they do not await: FastAPI runs a plain ``def``
# dependency in a worker thread, a thread hop per request for a single attribute read.
async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def database_answers(request: Request) -> bool:
    """Whether the app's database answers ``SELECT 1`` in time (``db.engine.ping``)."""
    return await ping(request.app.state.engine)


DatabaseAnswers = Annotated[bool, Depends(database_answers)]


async def get_now(request: Request) -> datetime:
    clock: Callable[[], datetime] = request.app.state.clock
    return clock()


async def get_uow(request: Request) -> AsyncIterator[UnitOfWork]:
    async with UnitOfWork(request.app.state.sessions, feeds=request.app.state.calendars) as uow:
        yield uow


SettingsDep = Annotated[Settings, Depends(get_settings)]
# The request's instant (aware UTC), from the app's clock: a datetime, not a clock.
Now = Annotated[datetime, Depends(get_now)]
Uow = Annotated[UnitOfWork, Depends(get_uow)]


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "Invalid Authorization header: expected 'Bearer <API key>'")
    return token.strip()


async def _resolve(uow: UnitOfWork, token: str, now: datetime) -> User:
    try:
        user, _key = await accounts.authenticate(uow, token, now)
    except accounts.Unauthenticated as exc:
        raise ApiError(401, exc.reason) from None
    return user


# Declares the bearer scheme in the OpenAPI document; parsing and errors are ours (always 401).
_scheme = HTTPBearer(auto_error=False, description="API key: Authorization: Bearer cal_…")
Scheme = Annotated[HTTPAuthorizationCredentials | None, Depends(_scheme)]


async def require_user(request: Request, uow: Uow, now: Now, _s: Scheme) -> User:
    token = _bearer(request)
    if token is None:
        raise ApiError(401, "Missing Authorization header: send 'Authorization: Bearer <API key>'")
    user = await _resolve(uow, token, now)
    request.state.user = user
    return user


async def optional_user(request: Request, uow: Uow, now: Now, _s: Scheme) -> User | None:
    """For public endpoints: no header means anonymous; a header that is present must be valid."""
    token = _bearer(request)
    if token is None:
        return None
    user = await _resolve(uow, token, now)
    request.state.user = user
    return user


CurrentUser = Annotated[User, Depends(require_user)]
OptionalUser = Annotated[User | None, Depends(optional_user)]
