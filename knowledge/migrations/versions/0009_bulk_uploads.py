"""Bulk uploads checked by a dry run are kept server-side until applied (`bulk_uploads`).

Applying used to post the whole file back as one form field, which Starlette caps at 1 MB: a full export
could not be imported again.

Revision ID: 0009_bulk_uploads
Revises: 0008
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_bulk_uploads"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bulk_uploads",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("versions", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_bulk_uploads_username", "bulk_uploads", ["username"])
    op.create_index("ix_bulk_uploads_created_at", "bulk_uploads", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_bulk_uploads_created_at", table_name="bulk_uploads")
    op.drop_index("ix_bulk_uploads_username", table_name="bulk_uploads")
    op.drop_table("bulk_uploads")
