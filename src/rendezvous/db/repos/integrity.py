"""Turning a refused reference or a taken unique value into the domain's Conflict (a 409),
never a 500."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError

from rendezvous.domain.errors import Conflict

T = TypeVar("T")


def is_foreign_key_violation(exc: IntegrityError) -> bool:
    """PostgreSQL: 'violates foreign key constraint'; SQLite: 'FOREIGN KEY constraint failed'."""
    return "foreign key" in str(exc.orig).lower()


async def references_held(statement: Awaitable[T], message: str) -> T:
    """Await ``statement`` (a flush or an execute); a foreign key it breaks is a Conflict with
    ``message``: a row it points at was deleted meanwhile, or a row it deletes is still used."""
    try:
        return await statement
    except IntegrityError as exc:
        if not is_foreign_key_violation(exc):
            raise
        raise Conflict(message) from None


def is_unique_violation(exc: IntegrityError) -> bool:
    """PostgreSQL: 'duplicate key value violates unique constraint'; SQLite: 'UNIQUE constraint
    failed'."""
    text = str(exc.orig).lower()
    return "unique constraint" in text or "duplicate key" in text


async def unique_held(statement: Awaitable[T], message: str) -> T:
    """Await ``statement``; a unique value it takes that a concurrent transaction took first
    (the check before it could not see that one yet) is a Conflict with ``message``."""
    try:
        return await statement
    except IntegrityError as exc:
        if not is_unique_violation(exc):
            raise
        raise Conflict(message) from None
