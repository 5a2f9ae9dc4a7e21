"""Organization slugs unique in the database

``teams.slug`` was unique per ``parent_id`` only, and organizations (no parent) were kept apart by
a check in the service, which two concurrent ``rendezvous orgs create`` could both pass. A partial
unique index over the slugs of rows without a parent settles that race: the second insert is a
409. Databases that already hold duplicate organization slugs must rename one before upgrading.

Revision ID: 0011_team_fixes
Revises: 0010_pages
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_team_fixes"
down_revision: str | None = "0010_pages"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_teams_top_level_slug",
        "teams",
        ["slug"],
        unique=True,
        sqlite_where=sa.text("parent_id IS NULL"),
        postgresql_where=sa.text("parent_id IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_teams_top_level_slug", table_name="teams")
