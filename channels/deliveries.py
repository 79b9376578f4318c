"""Answer a platform message once: remember its id first, then reply, and keep what could not be sent.

Webhooks are redelivered when the platform thinks an acknowledgement was lost. Inserting the
(channel, message id) pair before anything else turns the second delivery into a failed insert — a
cheap, race-free "already handled", on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from assistant.chat_service import ChatService
from assistant.db import session_scope
from assistant.rasa_client import BotMessage
from channels.base import ChannelSender, IncomingMessage
from channels.models import (
    DELIVERY_FAILED,
    DELIVERY_IGNORED,
    DELIVERY_RECEIVED,
    DELIVERY_SENT,
    ChannelDelivery,
)
from channels.retry import RetryPolicy, send_all
from knowledge.models import utcnow

logger = logging.getLogger(__name__)


def replies_as_json(messages: list[BotMessage]) -> list[dict[str, Any]]:
    return [{"text": m.text, "image": m.image,
             "buttons": [{"title": b.title, "payload": b.payload} for b in m.buttons]} for m in messages]


class DeliveryStore:
    def __init__(self, factory: sessionmaker[Session]) -> None:
        self._factory = factory

    def claim(self, message: IncomingMessage, conversation_id: str) -> int | None:
        """The new delivery's id, or None when this (channel, message id) was already received."""
        try:
            with session_scope(self._factory) as session:
                row = ChannelDelivery(channel=message.channel, message_id=message.message_id,
                                      conversation_id=conversation_id, kind=message.kind,
                                      status=DELIVERY_RECEIVED, attempts=0, last_error="", replies=[])
                session.add(row)
                session.flush()
                return row.id
        except IntegrityError:
            logger.info("duplicate %s message %s ignored", message.channel, message.message_id)
            return None

    def finish(self, delivery_id: int, *, status: str, attempts: int, error: str,
               replies: list[BotMessage]) -> None:
        with session_scope(self._factory) as session:
            row = session.get(ChannelDelivery, delivery_id)
            if row is None:
                raise LookupError(f"no channel delivery {delivery_id}")
            row.status, row.attempts, row.last_error = status, attempts, error[:2000]
            row.replies = replies_as_json(replies)
            row.updated_at = utcnow()

    def get(self, channel: str, message_id: str) -> ChannelDelivery | None:
        with self._factory() as session:
            return session.scalar(select(ChannelDelivery).where(ChannelDelivery.channel == channel,
                                                                ChannelDelivery.message_id == message_id))

    def with_status(self, status: str, channel: str | None = None) -> list[ChannelDelivery]:
        """Rows in one state, oldest first: `failed` ones still hold the replies that were not delivered."""
        query = select(ChannelDelivery).where(ChannelDelivery.status == status)
        if channel:
            query = query.where(ChannelDelivery.channel == channel)
        with self._factory() as session:
            return list(session.scalars(query.order_by(ChannelDelivery.id)))


@dataclass(frozen=True)
class Job:
    """One claimed message and where its answer goes."""

    delivery_id: int
    message: IncomingMessage
    recipient_id: str
    # Replies decided by the channel itself (e.g. "please type" for a voice note): Rasa is not asked.
    local_replies: tuple[BotMessage, ...] | None = None


async def claim_job(store: DeliveryStore, message: IncomingMessage, recipient_id: str,
                    local_replies: list[BotMessage] | None) -> Job | None:
    """Remember an inbound message; None when it was already received (a redelivered webhook)."""
    conversation = ChatService.conversation_id(message)
    delivery_id = await asyncio.to_thread(store.claim, message, conversation)
    if delivery_id is None:
        return None
    return Job(delivery_id=delivery_id, message=message, recipient_id=recipient_id, local_replies=local_replies)


async def answer(job: Job, *, chat: ChatService, sender: ChannelSender, store: DeliveryStore,
                 policy: RetryPolicy) -> str:
    """Get the replies, send them with retries, record the outcome; returns the final status."""
    conversation = ChatService.conversation_id(job.message)
    replies: list[BotMessage] = []
    try:
        if job.local_replies is not None:
            replies = list(job.local_replies)
        else:
            replies, _ = await chat.reply_or_apology(job.message)
        if not replies:
            await asyncio.to_thread(store.finish, job.delivery_id, status=DELIVERY_IGNORED, attempts=0,
                                    error="", replies=[])
            return DELIVERY_IGNORED
        outcome = await send_all(sender, job.recipient_id, replies, policy)
    except Exception as exc:  # the webhook was acknowledged: record the failure instead of losing it
        logger.exception("%s: answering message %s failed (conversation %s)", job.message.channel,
                         job.message.message_id, conversation)
        await asyncio.to_thread(store.finish, job.delivery_id, status=DELIVERY_FAILED, attempts=0,
                                error=f"{type(exc).__name__}: {exc}", replies=replies)
        return DELIVERY_FAILED
    if outcome.sent == len(replies):
        await asyncio.to_thread(store.finish, job.delivery_id, status=DELIVERY_SENT,
                                attempts=outcome.attempts, error="", replies=replies)
        return DELIVERY_SENT
    logger.error("%s: reply not delivered after %d attempts (conversation %s, message %s, %d of %d sent): %s",
                 job.message.channel, outcome.attempts, conversation, job.message.message_id, outcome.sent,
                 len(replies), outcome.error)
    # Only what was not delivered is kept: the replay (channels/replay.py) must never repeat a sent message.
    await asyncio.to_thread(store.finish, job.delivery_id, status=DELIVERY_FAILED, attempts=outcome.attempts,
                            error=outcome.error, replies=replies[outcome.sent:])
    return DELIVERY_FAILED
