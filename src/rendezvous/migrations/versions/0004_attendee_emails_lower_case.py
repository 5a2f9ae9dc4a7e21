"""Attendee emails are stored in lower case (as users' are)

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("UPDATE attendees SET email = lower(email) WHERE email <> lower(email)")


def downgrade() -> None:
    pass  # the original case is not kept
