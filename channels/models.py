"""Stored rows of the chat channels, on the knowledge base's metadata so one migration chain builds all.

A delivery row is written before a webhook is acted on: the unique (channel, message_id) pair makes a
redelivered webhook a no-op, and its status keeps a reply that could not be delivered instead of losing it.
While a row is `received` it also keeps the inbound message (`pending`), so a turn cut off by a stopped
process can be answered again (`channels.recovery`); the citizen's words are dropped once the row is final.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from knowledge.models import Base, utcnow

DELIVERY_RECEIVED = "received"  # claimed, being answered
DELIVERY_SENT = "sent"
DELIVERY_FAILED = "failed"  # every attempt failed; the replies are kept in the row
DELIVERY_IGNORED = "ignored"  # nothing to send (e.g. an unfollow event)
DELIVERY_ABANDONED = "abandoned"  # given up (replay bound reached, or unanswerable); kept for an operator


class ChannelDelivery(Base):
    """One inbound platform message and what became of the answer to it."""

    __tablename__ = "channel_deliveries"
    __table_args__ = (UniqueConstraint("channel", "message_id", name="uq_delivery_channel_message"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    message_id: Mapped[str] = mapped_column(String(128))
    conversation_id: Mapped[str] = mapped_column(String(160), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="text")
    status: Mapped[str] = mapped_column(String(16), default=DELIVERY_RECEIVED, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    replies: Mapped[list[Any]] = mapped_column(default=list)
    # What answering needs again while `received` (see `channels.deliveries.pending_of`); NULL once final.
    # none_as_null: clearing it must leave SQL NULL, not the JSON text "null".
    pending: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True), nullable=True, default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ButtonPayload(Base):
    """A button payload too long for the platform (Telegram allows 64 bytes), stored under a short key."""

    __tablename__ = "channel_button_payloads"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ZaloToken(Base):
    """The current Zalo OA token pair; a refresh token works once, so both are replaced together."""

    __tablename__ = "zalo_tokens"

    app_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    access_token: Mapped[str] = mapped_column(Text)
    refresh_token: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
