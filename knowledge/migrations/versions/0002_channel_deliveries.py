"""Chat channels: delivered webhook messages, long button payloads, Zalo OA tokens.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "channel_deliveries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("message_id", sa.String(128), nullable=False),
        sa.Column("conversation_id", sa.String(160), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("replies", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("channel", "message_id", name="uq_delivery_channel_message"),
    )
    op.create_index("ix_channel_deliveries_conversation_id", "channel_deliveries", ["conversation_id"])
    op.create_index("ix_channel_deliveries_status", "channel_deliveries", ["status"])
    op.create_table(
        "channel_button_payloads",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "zalo_tokens",
        sa.Column("app_id", sa.String(64), primary_key=True),
        sa.Column("access_token", sa.Text(), nullable=False),
        sa.Column("refresh_token", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("zalo_tokens")
    op.drop_table("channel_button_payloads")
    op.drop_index("ix_channel_deliveries_status", table_name="channel_deliveries")
    op.drop_index("ix_channel_deliveries_conversation_id", table_name="channel_deliveries")
    op.drop_table("channel_deliveries")
