"""Conversations: masked transcripts, the question log, handover threads, feedback, the web outbox.

Revision ID: 0006
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0002"
branch_labels = None
depends_on = None


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "conversations",
        sa.Column("id", sa.String(160), primary_key=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("recipient_id", sa.String(128), nullable=False),
        _ts("created_at"),
        _ts("last_seen_at"),
    )
    op.create_index("ix_conversations_channel", "conversations", ["channel"])
    op.create_index("ix_conversations_last_seen_at", "conversations", ["last_seen_at"])
    op.create_table(
        "conversation_messages",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("conversation_id", sa.String(160),
                  sa.ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author", sa.String(100), nullable=False),
        _ts("created_at"),
    )
    op.create_index("ix_conversation_messages_conversation_id", "conversation_messages", ["conversation_id"])
    op.create_table(
        "question_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("conversation_id", sa.String(160), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("normalized", sa.String(500), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("procedure_code", sa.String(32), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("resolved_procedure_code", sa.String(32), nullable=True),
        sa.Column("resolved_by", sa.String(100), nullable=False),
        _ts("resolved_at", nullable=True),
        _ts("created_at"),
    )
    for column in ("conversation_id", "channel", "normalized", "outcome", "procedure_code", "status",
                   "created_at"):
        op.create_index(f"ix_question_log_{column}", "question_log", [column])
    op.create_table(
        "handover_threads",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("conversation_id", sa.String(160), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("active_procedure", sa.String(32), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("in_hours", sa.Boolean(), nullable=False),
        sa.Column("clerk", sa.String(100), nullable=False),
        sa.Column("acknowledged", sa.Boolean(), nullable=False),
        _ts("created_at"),
        _ts("claimed_at", nullable=True),
        _ts("closed_at", nullable=True),
    )
    op.create_index("ix_handover_threads_conversation_id", "handover_threads", ["conversation_id"])
    op.create_index("ix_handover_threads_status", "handover_threads", ["status"])
    op.create_table(
        "handover_messages",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("thread_id", sa.Integer(), sa.ForeignKey("handover_threads.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("author", sa.String(100), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        _ts("created_at"),
    )
    op.create_index("ix_handover_messages_thread_id", "handover_messages", ["thread_id"])
    op.create_table(
        "feedback_ratings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("conversation_id", sa.String(160), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        _ts("created_at"),
    )
    op.create_index("ix_feedback_ratings_conversation_id", "feedback_ratings", ["conversation_id"])
    op.create_index("ix_feedback_ratings_created_at", "feedback_ratings", ["created_at"])
    op.create_table(
        "outbox_messages",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("conversation_id", sa.String(160), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        _ts("created_at"),
    )
    op.create_index("ix_outbox_messages_conversation_id", "outbox_messages", ["conversation_id"])


def downgrade() -> None:
    op.drop_table("outbox_messages")
    op.drop_table("feedback_ratings")
    op.drop_table("handover_messages")
    op.drop_table("handover_threads")
    op.drop_table("question_log")
    op.drop_table("conversation_messages")
    op.drop_table("conversations")
