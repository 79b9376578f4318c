"""Channel deliveries keep the inbound message while it is being answered (`pending`, NULL once final).

A process stopped between acknowledging a webhook and answering it left the row `received` with nothing to
answer from; with the message kept, the app's background task answers it again after a lease. Rows written
before this revision have no `pending`: they are closed as abandoned rather than retried.

Revision ID: 0008
Revises: 0007_merge
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007_merge"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("channel_deliveries") as batch:
        batch.add_column(sa.Column("pending", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("channel_deliveries") as batch:
        batch.drop_column("pending")
