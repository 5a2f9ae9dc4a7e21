"""webhook subscriptions, outbox rows per subscription, and every delivery attempt

Revision ID: 0007_webhooks
Revises: 0006_schedule_references
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import rendezvous.db.types
from rendezvous.db.types import JSONType

revision: str = "0007_webhooks"
down_revision: str | None = "0006_schedule_references"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "webhooks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("event_type_id", sa.Integer(), nullable=True),
        sa.Column("subscriber_url", sa.Text(), nullable=False),
        sa.Column("triggers", JSONType(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("payload_template", sa.Text(), nullable=True),
        sa.Column("secret", sa.Text(), nullable=True),
        sa.Column("version", sa.String(length=16), nullable=False),
        sa.Column("time", sa.Integer(), nullable=True),
        sa.Column("time_unit", sa.String(length=8), nullable=True),
        sa.Column("created_at", rendezvous.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", rendezvous.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_type_id"],
            ["event_types.id"],
            name=op.f("fk_webhooks_event_type_id_event_types"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_webhooks_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhooks")),
    )
    op.create_index(op.f("ix_webhooks_user_id"), "webhooks", ["user_id"], unique=False)
    op.create_index(op.f("ix_webhooks_event_type_id"), "webhooks", ["event_type_id"], unique=False)
    # Rows written before subscriptions existed named no subscriber: nothing can deliver them.
    op.execute("DELETE FROM outbox WHERE kind = 'webhook'")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("webhook_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_outbox_webhook_id"), ["webhook_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_outbox_webhook_id_webhooks"),
            "webhooks",
            ["webhook_id"],
            ["id"],
            ondelete="CASCADE",
        )
    op.create_table(
        "outbox_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("started_at", rendezvous.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["outbox_id"],
            ["outbox.id"],
            name=op.f("fk_outbox_attempts_outbox_id_outbox"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_attempts")),
    )
    op.create_index(
        op.f("ix_outbox_attempts_outbox_id"), "outbox_attempts", ["outbox_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_outbox_attempts_outbox_id"), table_name="outbox_attempts")
    op.drop_table("outbox_attempts")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_outbox_webhook_id_webhooks"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_outbox_webhook_id"))
        batch_op.drop_column("webhook_id")
    op.drop_index(op.f("ix_webhooks_event_type_id"), table_name="webhooks")
    op.drop_index(op.f("ix_webhooks_user_id"), table_name="webhooks")
    op.drop_table("webhooks")
