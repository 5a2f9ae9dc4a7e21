"""The migrations build the schema the models describe, from an empty database, on both engines."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from rendezvous.db.tables import Base


async def test_models_and_migrations_do_not_drift(db_engine):
    def diff(connection):
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)

    async with db_engine.connect() as conn:
        changes = await conn.run_sync(diff)
    assert changes == []


async def test_an_empty_database_is_upgraded_to_head(db_engine):
    async with db_engine.connect() as conn:
        tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
    assert {"alembic_version", *Base.metadata.tables} <= tables
