"""Dossier status: dossiers, status history, verification digests, subscriptions, notifications.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dossiers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("procedure_code", sa.String(32), nullable=False),
        sa.Column("procedure_name", sa.Text(), nullable=False),
        sa.Column("agency", sa.String(255), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("missing_documents", sa.JSON(), nullable=False),
        sa.Column("pickup_place", sa.Text(), nullable=True),
        sa.Column("expected_date", sa.Date(), nullable=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_dossiers_code", "dossiers", ["code"], unique=True)
    op.create_index("ix_dossiers_procedure_code", "dossiers", ["procedure_code"])
    op.create_index("ix_dossiers_status", "dossiers", ["status"])
    op.create_table(
        "dossier_status_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("dossier_id", sa.Integer(), sa.ForeignKey("dossiers.id", ondelete="CASCADE"), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.UniqueConstraint("dossier_id", "status", "at", name="uq_dossier_event"),
    )
    op.create_index("ix_dossier_status_events_dossier_id", "dossier_status_events", ["dossier_id"])
    op.create_table(
        "dossier_verifiers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("dossier_id", sa.Integer(), sa.ForeignKey("dossiers.id", ondelete="CASCADE"), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.UniqueConstraint("dossier_id", "digest", name="uq_dossier_verifier"),
    )
    op.create_index("ix_dossier_verifiers_dossier_id", "dossier_verifiers", ["dossier_id"])
    op.create_table(
        "dossier_subscriptions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("dossier_id", sa.Integer(), sa.ForeignKey("dossiers.id", ondelete="CASCADE"), nullable=False),
        sa.Column("sender_id", sa.String(160), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("dossier_id", "sender_id", "channel", name="uq_dossier_subscription"),
    )
    op.create_index("ix_dossier_subscriptions_dossier_id", "dossier_subscriptions", ["dossier_id"])
    op.create_index("ix_dossier_subscriptions_sender_id", "dossier_subscriptions", ["sender_id"])
    op.create_table(
        "dossier_notifications",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("subscription_id", sa.Integer(),
                  sa.ForeignKey("dossier_subscriptions.id", ondelete="CASCADE"), nullable=False),
        sa.Column("event_id", sa.Integer(),
                  sa.ForeignKey("dossier_status_events.id", ondelete="CASCADE"), nullable=False),
        sa.Column("sender_id", sa.String(160), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("subscription_id", "event_id", name="uq_dossier_notification"),
    )
    op.create_index("ix_dossier_notifications_subscription_id", "dossier_notifications", ["subscription_id"])
    op.create_index("ix_dossier_notifications_event_id", "dossier_notifications", ["event_id"])
    op.create_index("ix_dossier_notifications_sender_id", "dossier_notifications", ["sender_id"])
    op.create_index("ix_dossier_notifications_state", "dossier_notifications", ["state"])


def downgrade() -> None:
    op.drop_table("dossier_notifications")
    op.drop_table("dossier_subscriptions")
    op.drop_table("dossier_verifiers")
    op.drop_table("dossier_status_events")
    op.drop_table("dossiers")
