"""Organizations and teams: teams, memberships, event type hosts; team event types

Organizations are ``teams`` rows with ``is_organization``; teams point at their organization with
``parent_id``. ``users.organization_id`` names a user's one organization. Team event types carry
``scheduling_type`` (COLLECTIVE, ROUND_ROBIN, MANAGED) and managed children ``parent_id``; their
hosts are ``event_type_hosts`` rows. A round-robin booking records why its host was chosen in
``bookings.assignment_reason``.

Revision ID: 0008_teams
Revises: 0007_webhooks
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import rendezvous.db.types

revision: str = "0008_teams"
down_revision: str | None = "0007_webhooks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "teams",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("slug", sa.String(length=255), nullable=False),
        sa.Column("is_organization", sa.Boolean(), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("week_start", sa.String(length=10), nullable=False),
        sa.Column("availability", rendezvous.db.types.JSONType(), nullable=False),
        sa.Column("settings", rendezvous.db.types.JSONType(), nullable=False),
        sa.Column("created_at", rendezvous.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", rendezvous.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["teams.id"], name="fk_teams_parent_id_teams", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_teams"),
    )
    op.create_index("ix_teams_parent_id", "teams", ["parent_id"], unique=False)
    op.create_index("ix_teams_slug", "teams", ["slug"], unique=False)
    op.create_index("ix_teams_parent_id_slug", "teams", ["parent_id", "slug"], unique=True)
    op.create_table(
        "memberships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("accepted", sa.Boolean(), nullable=False),
        sa.Column("disable_impersonation", sa.Boolean(), nullable=False),
        sa.Column("created_at", rendezvous.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name="fk_memberships_team_id_teams", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_memberships_user_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_memberships"),
        sa.UniqueConstraint("team_id", "user_id", name="uq_memberships_team_id_user_id"),
    )
    op.create_index("ix_memberships_user_id", "memberships", ["user_id"], unique=False)
    op.create_table(
        "event_type_hosts",
        sa.Column("event_type_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("mandatory", sa.Boolean(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_type_id"],
            ["event_types.id"],
            name="fk_event_type_hosts_event_type_id_event_types",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_event_type_hosts_user_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("event_type_id", "user_id", name="pk_event_type_hosts"),
    )
    op.create_index("ix_event_type_hosts_user_id", "event_type_hosts", ["user_id"], unique=False)
    op.add_column("users", sa.Column("organization_id", sa.Integer(), nullable=True))
    op.create_index("ix_users_organization_id", "users", ["organization_id"], unique=False)
    op.add_column("event_types", sa.Column("scheduling_type", sa.String(length=16), nullable=True))
    op.add_column("event_types", sa.Column("parent_id", sa.Integer(), nullable=True))
    op.create_index("ix_event_types_parent_id", "event_types", ["parent_id"], unique=False)
    op.create_index("ix_event_types_team_id_slug", "event_types", ["team_id", "slug"], unique=True)
    op.add_column("bookings", sa.Column("assignment_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.drop_column("assignment_reason")
    op.drop_index("ix_event_types_team_id_slug", table_name="event_types")
    op.drop_index("ix_event_types_parent_id", table_name="event_types")
    with op.batch_alter_table("event_types", schema=None) as batch_op:
        batch_op.drop_column("parent_id")
        batch_op.drop_column("scheduling_type")
    op.drop_index("ix_users_organization_id", table_name="users")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("organization_id")
    op.drop_index("ix_event_type_hosts_user_id", table_name="event_type_hosts")
    op.drop_table("event_type_hosts")
    op.drop_index("ix_memberships_user_id", table_name="memberships")
    op.drop_table("memberships")
    op.drop_index("ix_teams_parent_id_slug", table_name="teams")
    op.drop_index("ix_teams_slug", table_name="teams")
    op.drop_index("ix_teams_parent_id", table_name="teams")
    op.drop_table("teams")
