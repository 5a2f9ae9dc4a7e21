"""Programmatic Alembic: the migrations ship inside the package, no alembic.ini needed."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.ext.asyncio import AsyncEngine

from rendezvous.db.engine import create_engine

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade_sync(url: str, revision: str = "head") -> None:
    """Upgrade from a synchronous caller (the CLI); runs its own event loop."""
    asyncio.run(upgrade(url, revision))


async def upgrade(url: str, revision: str = "head", engine: AsyncEngine | None = None) -> None:
    own = engine is None
    # Foreign keys off on SQLite while migrating: a table rebuild must not cascade (see
    # create_engine); PostgreSQL alters constraints in place.
    engine = engine or create_engine(url, sqlite_foreign_keys=False)
    config = alembic_config(url)

    def _go(connection: object) -> None:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    try:
        async with engine.begin() as connection:
            await connection.run_sync(_go)
    finally:
        if own:
            await engine.dispose()
