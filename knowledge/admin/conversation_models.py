"""Stored rows of what citizens asked and how the bot and the clerks answered.

Everything a citizen typed is masked before it is stored (see `knowledge.admin.masking`): the console
needs the wording of a question, never a phone, ID or verification number.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from knowledge.models import Base, utcnow

# Question outcomes the bot reports (contract: POST /api/questions).
OUTCOMES = ("answered", "ambiguous", "low_confidence", "fallback", "out_of_scope", "handover")
# Outcomes that land in the console's unanswered inbox.
UNANSWERED_OUTCOMES = ("low_confidence", "fallback", "handover", "ambiguous")

QUESTION_OPEN = "open"
QUESTION_LINKED = "linked"
QUESTION_OUT_OF_SCOPE = "out_of_scope"

THREAD_QUEUED = "queued"  # waiting for a clerk; the bot still answers
THREAD_HELD = "held"  # a clerk holds it; the bot stays silent
THREAD_CLOSED = "closed"  # the bot has taken over again
OPEN_THREAD_STATES = (THREAD_QUEUED, THREAD_HELD)

ROLE_CITIZEN = "citizen"
ROLE_BOT = "bot"
ROLE_CLERK = "clerk"


class Conversation(Base):
    """One citizen conversation; the id is the chat service's conversation id (e.g. `telegram:42`)."""

    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(160), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), index=True)
    # Who the channel delivers to: the Telegram chat id, the Zalo user id, the widget's sender id.
    recipient_id: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class ConversationMessage(Base):
    """One line of a transcript, masked: citizen, bot or clerk."""

    __tablename__ = "conversation_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(100), default="")  # the clerk's username for clerk lines
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class QuestionRecord(Base):
    """A question the bot tried to answer, and what staff later decided about it."""

    __tablename__ = "question_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Not a foreign key: the action server may report a question before the transcript row exists.
    conversation_id: Mapped[str] = mapped_column(String(160), index=True)
    channel: Mapped[str] = mapped_column(String(16), index=True)
    text: Mapped[str] = mapped_column(Text)
    normalized: Mapped[str] = mapped_column(String(500), index=True)
    outcome: Mapped[str] = mapped_column(String(16), index=True)
    confidence: Mapped[float | None] = mapped_column(Float, nullable=True)
    procedure_code: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    status: Mapped[str] = mapped_column(String(16), default=QUESTION_OPEN, index=True)
    resolved_procedure_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    resolved_by: Mapped[str] = mapped_column(String(100), default="")
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class HandoverThread(Base):
    """A conversation waiting for, or held by, a clerk."""

    __tablename__ = "handover_threads"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(160), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(16))  # asked | gave_up
    active_procedure: Mapped[str | None] = mapped_column(String(32), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default=THREAD_QUEUED, index=True)
    in_hours: Mapped[bool] = mapped_column(Boolean, default=True)
    clerk: Mapped[str] = mapped_column(String(100), default="")
    # The citizen was told once that a clerk is answering; later messages get no reply.
    acknowledged: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class HandoverMessage(Base):
    """A message exchanged inside a handover thread (the citizen's while held, the clerk's replies)."""

    __tablename__ = "handover_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("handover_threads.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    author: Mapped[str] = mapped_column(String(100), default="")
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class FeedbackRating(Base):
    """A satisfaction rating a citizen left at the end of a conversation."""

    __tablename__ = "feedback_ratings"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(160), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    rating: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class OutboxMessage(Base):
    """A clerk's reply to a web/API conversation, kept until the widget polls it."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(160), index=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
