"""A clerk's words to a citizen, delivered on the citizen's own channel.

Telegram and Zalo push: the reply goes through the same sender (and retry policy) as the bot's replies.
The web widget and the plain API cannot be pushed to, so their messages are stored and the widget polls
`GET /api/chat/{sender_id}/messages?after=<id>` while its conversation is handed over.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from assistant.db import session_scope
from assistant.rasa_client import BotMessage
from channels.base import ChannelSender, ChannelSendError
from channels.retry import RetryPolicy, send_all
from channels.services import ChannelServices
from knowledge.admin.conversation_models import OPEN_THREAD_STATES, Conversation, HandoverThread, OutboxMessage

logger = logging.getLogger(__name__)

STORED_CHANNELS = ("web", "api")
PUSHED_CHANNELS = ("telegram", "zalo")
MAX_POLL_MESSAGES = 50


class ChannelUnavailable(ChannelSendError):
    """The conversation's channel is not configured in this app (or unknown)."""


@dataclass(frozen=True)
class StoredMessage:
    id: int
    text: str
    created_at: datetime


class ConversationOutbox:
    """Sends text to a conversation on its own channel (contract: `send(conversation_id, channel, text)`)."""

    def __init__(self, factory: sessionmaker[Session], channels: ChannelServices,
                 policy: RetryPolicy | None = None) -> None:
        self._factory = factory
        self._channels = channels
        self._policy = policy

    async def send(self, conversation_id: str, channel: str, text: str) -> None:
        """Deliver or store; raises `ChannelSendError` when a pushed channel did not take the message."""
        if channel in STORED_CHANNELS:
            await asyncio.to_thread(self._store, conversation_id, text)
            return
        sender = self._sender(channel)
        recipient = await asyncio.to_thread(self._recipient, conversation_id, channel)
        policy = self._policy or getattr(sender, "policy", None) or RetryPolicy()
        outcome = await send_all(sender, recipient, [BotMessage(text=text)], policy)
        if outcome.sent != 1:
            logger.error("outbox: %s reply not delivered after %d attempts (conversation %s): %s", channel,
                         outcome.attempts, conversation_id, outcome.error)
            raise ChannelSendError(f"{channel} did not take the message: {outcome.error}")
        logger.info("outbox: clerk reply sent on %s (conversation %s)", channel, conversation_id)

    def _sender(self, channel: str) -> ChannelSender:
        sender: ChannelSender | None = None
        if channel == "telegram":
            sender = self._channels.telegram
        elif channel == "zalo":
            sender = self._channels.zalo
        if sender is None:
            raise ChannelUnavailable(f"Channel {channel!r} is not configured in this app.")
        return sender

    def _recipient(self, conversation_id: str, channel: str) -> str:
        with self._factory() as session:
            row = session.get(Conversation, conversation_id)
        if row is not None and row.recipient_id:
            return row.recipient_id
        prefix = f"{channel}:"
        if not conversation_id.startswith(prefix):
            raise ChannelUnavailable(f"Conversation {conversation_id!r} has no {channel} recipient.")
        return conversation_id[len(prefix):]

    def _store(self, conversation_id: str, text: str) -> None:
        with session_scope(self._factory) as session:
            session.add(OutboxMessage(conversation_id=conversation_id, text=text))

    def pending(self, conversation_id: str, after: int = 0) -> tuple[list[StoredMessage], bool]:
        """Stored messages newer than `after`, and whether the conversation is still handed over."""
        with self._factory() as session:
            rows = session.scalars(select(OutboxMessage)
                                   .where(OutboxMessage.conversation_id == conversation_id,
                                          OutboxMessage.id > after)
                                   .order_by(OutboxMessage.id).limit(MAX_POLL_MESSAGES)).all()
            open_thread = session.scalar(select(HandoverThread.id)
                                         .where(HandoverThread.conversation_id == conversation_id,
                                                HandoverThread.status.in_(OPEN_THREAD_STATES)).limit(1))
        return [StoredMessage(r.id, r.text, r.created_at) for r in rows], open_thread is not None
