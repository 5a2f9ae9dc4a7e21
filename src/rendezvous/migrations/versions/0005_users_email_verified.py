"""users.email_verified_at: an address grants a view of bookings as an attendee only once verified

Revision ID: 0005_email_verified
Revises: 0004

Existing users: an upgrade cannot tell an address the operator created the user with from one
the user set later with ``PATCH /v2/me``. A user whose row was never changed after creation
(``updated_at = created_at``) still has the operator's address and counts as verified; any
other keeps an unverified address until the operator runs ``rendezvous users verify-email``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import rendezvous.db.types

revision: str = "0005_email_verified"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "email_verified_at", rendezvous.db.types.UTCDateTime(timezone=True), nullable=True
            )
        )
    op.execute("UPDATE users SET email_verified_at = created_at WHERE updated_at = created_at")


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("email_verified_at")
