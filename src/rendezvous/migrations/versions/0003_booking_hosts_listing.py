"""booking_hosts carries start, end and status, indexed for listing a host's bookings

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import rendezvous.db.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("booking_hosts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("start_at", rendezvous.db.types.UTCDateTime(timezone=True)))
        batch_op.add_column(sa.Column("end_at", rendezvous.db.types.UTCDateTime(timezone=True)))
        batch_op.add_column(sa.Column("status", sa.String(length=16)))
    op.execute(
        "UPDATE booking_hosts SET "
        "start_at = (SELECT start_at FROM bookings WHERE bookings.id = booking_hosts.booking_id), "
        "end_at = (SELECT end_at FROM bookings WHERE bookings.id = booking_hosts.booking_id), "
        "status = (SELECT status FROM bookings WHERE bookings.id = booking_hosts.booking_id)"
    )
    with op.batch_alter_table("booking_hosts", schema=None) as batch_op:
        batch_op.alter_column("start_at", nullable=False)
        batch_op.alter_column("end_at", nullable=False)
        batch_op.alter_column("status", nullable=False)
        batch_op.create_index(
            "ix_booking_hosts_user_id_start_at_booking_id",
            ["user_id", "start_at", "booking_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("booking_hosts", schema=None) as batch_op:
        batch_op.drop_index("ix_booking_hosts_user_id_start_at_booking_id")
        batch_op.drop_column("status")
        batch_op.drop_column("end_at")
        batch_op.drop_column("start_at")
