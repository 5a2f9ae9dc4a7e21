"""A schedule in use cannot be deleted: references to schedules block deletion

Event types (``event_types.schedule_id``) and users (``users.default_schedule_id``) pointed at
schedules with ON DELETE SET NULL, so a schedule deleted while a concurrent PATCH pointed an event
type at it left both requests answered 200 and the event type silently following another
schedule. Now the references have no ON DELETE action (NO ACTION): the database refuses the
delete at the end of the statement (the API answers 409), while deleting a user together with
all their schedules still works. The wire settings document
no longer keeps its own copy of ``scheduleId``: the column is the one place it lives.

Revision ID: 0006_schedule_references
Revises: 0005_email_verified
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0006_schedule_references"
down_revision: str | None = "0005_email_verified"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REFERENCES = (
    ("event_types", "schedule_id", "fk_event_types_schedule_id_schedules"),
    ("users", "default_schedule_id", "fk_users_default_schedule_id_schedules"),
)


def _refer(ondelete: str | None) -> None:
    for table, column, name in REFERENCES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(name, type_="foreignkey")
            batch_op.create_foreign_key(
                name, "schedules", [column], ["id"], ondelete=ondelete, use_alter=table == "users"
            )


def upgrade() -> None:
    _refer(None)
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, settings FROM event_types")).all()
    for event_type_id, raw in rows:
        settings = json.loads(raw) if isinstance(raw, str) else raw
        if isinstance(settings, dict) and "scheduleId" in settings:
            settings.pop("scheduleId")
            connection.execute(
                sa.text("UPDATE event_types SET settings = :settings WHERE id = :id").bindparams(
                    sa.bindparam("settings", type_=sa.JSON().with_variant(JSONB(), "postgresql"))
                ),
                {"settings": settings, "id": event_type_id},
            )


def downgrade() -> None:
    _refer("SET NULL")
