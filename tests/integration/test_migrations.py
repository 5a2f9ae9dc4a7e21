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


async def _upgrade_with_rows_at_0004(url: str) -> dict[str, object]:
    """Migrate to 0004, write a user with a schedule, an event type using it (its settings
    holding the old copy of scheduleId), a booking and a reservation of it; then upgrade."""
    from datetime import UTC, datetime

    from sqlalchemy import insert, select

    from rendezvous.db import tables as t
    from rendezvous.db.engine import create_engine
    from rendezvous.db.migrate import upgrade

    await upgrade(url, "0004")
    now = datetime(2030, 1, 7, tzinfo=UTC)
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                insert(t.User).values(
                    id=1, email="a@example.com", username="a", time_format=24,
                    week_start="Monday", time_zone="UTC", metadata_={}, created_at=now,
                    updated_at=now,
                )
            )  # fmt: skip
            await conn.execute(
                insert(t.Schedule).values(
                    id=7, user_id=1, name="s", time_zone="UTC", availability=[], overrides=[],
                    created_at=now, updated_at=now,
                )
            )  # fmt: skip
            await conn.execute(t.User.__table__.update().values(default_schedule_id=7))
            await conn.execute(
                insert(t.EventType).values(
                    id=3, owner_id=1, slug="x", title="X", hidden=False, position=0,
                    schedule_id=7, length=30, length_options=[], minimum_notice=0,
                    before_buffer=0, after_buffer=0, offset_start=0, only_first_slot=False,
                    settings={"slug": "x", "title": "X", "lengthInMinutes": 30, "scheduleId": 7},
                    created_at=now, updated_at=now,
                )
            )  # fmt: skip
            await conn.execute(
                insert(t.Booking).values(
                    id=5, uid="b5", user_id=1, event_type_id=3, title="B", status="accepted",
                    start_at=now, end_at=now, ics_uid="b5", created_at=now, updated_at=now,
                )
            )  # fmt: skip
            await conn.execute(
                insert(t.SlotReservation).values(
                    id=9, uid="r9", event_type_id=3, slot_start=now, slot_end=now, duration=30,
                    until=now, created_at=now,
                )
            )  # fmt: skip
        await upgrade(url)
        async with engine.connect() as conn:
            return {
                "event_type": (
                    await conn.execute(select(t.EventType.schedule_id, t.EventType.settings))
                ).one(),
                "booking_event_type": await conn.scalar(select(t.Booking.event_type_id)),
                "reservations": await conn.scalar(select(t.SlotReservation.uid)),
                "default": await conn.scalar(select(t.User.default_schedule_id)),
            }
    finally:
        await engine.dispose()


async def test_the_schedule_reference_migration_keeps_every_row(tmp_path):
    """SQLite rebuilds event_types and users for 0006: nothing that points at them may cascade."""
    from tests.integration.live_server import pg_problem, throwaway_pg_database

    results = [await _upgrade_with_rows_at_0004(f"sqlite+aiosqlite:///{tmp_path / 'm.db'}")]
    if await pg_problem() is None:
        async with throwaway_pg_database("rendezvous_migrate") as url:
            results.append(await _upgrade_with_rows_at_0004(url))
    for found in results:
        schedule_id, settings = found["event_type"]
        assert schedule_id == 7
        assert "scheduleId" not in settings
        assert found["booking_event_type"] == 3
        assert found["reservations"] == "r9"
        assert found["default"] == 7
