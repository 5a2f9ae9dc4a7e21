"""Booking pages and mail: bookings.ics_sequence and users.email_verification_hash

``bookings.ics_sequence`` is the iCalendar SEQUENCE (RFC 5545 §3.8.7.4) of the booking's event:
a rescheduled booking keeps its predecessor's ``ics_uid`` and counts one more, so calendar
clients that received the first invitation move the event instead of adding a second one.
``users.email_verification_hash`` is the SHA-256 (hex) of the token mailed to a changed address;
opening the link verifies the address it was sent to.

Revision ID: 0010_pages
Revises: 0009_calendars
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_pages"
down_revision: str | None = "0009_calendars"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("ics_sequence", sa.Integer(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("email_verification_hash", sa.String(length=64), nullable=True)
        )
        batch_op.create_unique_constraint(
            "uq_users_email_verification_hash", ["email_verification_hash"]
        )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint("uq_users_email_verification_hash", type_="unique")
        batch_op.drop_column("email_verification_hash")
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.drop_column("ics_sequence")
