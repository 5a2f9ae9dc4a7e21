"""Connected calendars: ICS feeds and CalDAV accounts (credentials, encrypted) and their calendars

Revision ID: 0009_calendars
Revises: 0008_teams
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import rendezvous.db.types

revision: str = "0009_calendars"
down_revision: str | None = "0008_teams"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "calendar_credentials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("app_id", sa.String(length=64), nullable=False),
        sa.Column("server_url", sa.Text(), nullable=True),
        sa.Column("secret", sa.Text(), nullable=False),
        sa.Column("invalid", sa.Boolean(), nullable=False),
        sa.Column("created_at", rendezvous.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_calendar_credentials_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_credentials")),
    )
    with op.batch_alter_table("calendar_credentials", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_calendar_credentials_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "connected_calendars",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("credential_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=2048), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("read_only", sa.Boolean(), nullable=False),
        sa.Column("is_selected", sa.Boolean(), nullable=False),
        sa.Column("is_destination", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["credential_id"],
            ["calendar_credentials.id"],
            name=op.f("fk_connected_calendars_credential_id_calendar_credentials"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_connected_calendars_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_connected_calendars")),
        sa.UniqueConstraint(
            "credential_id",
            "external_id",
            name=op.f("uq_connected_calendars_credential_id_external_id"),
        ),
    )
    with op.batch_alter_table("connected_calendars", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_connected_calendars_user_id"), ["user_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("connected_calendars", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_connected_calendars_user_id"))
    op.drop_table("connected_calendars")
    with op.batch_alter_table("calendar_credentials", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calendar_credentials_user_id"))
    op.drop_table("calendar_credentials")
