"""Answer a platform message once: remember its id first, then reply, and keep what could not be sent.

Webhooks are redelivered when the platform thinks an acknowledgement was lost. Inserting the
(channel, message id) pair before anything else turns the second delivery into a failed insert — a
cheap, race-free "already handled", on SQLite and PostgreSQL alike.

The row is written with the inbound message (`pending`) and a lease (`updated_at`): the platform is
acknowledged before the answer runs, so if this process dies mid-turn, `channels.recovery` answers the
message again once the lease has run out. A slow turn renews its lease before a send, and records its
outcome only while it still holds the lease, so a message is never answered by two processes at once.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from assistant.chat_service import ChatService
from assistant.db import rows_changed, session_scope
from assistant.rasa_client import BotMessage, Button
from channels.base import ChannelSender, ChannelSendError, IncomingMessage
from channels.models import (
    DELIVERY_FAILED,
    DELIVERY_IGNORED,
    DELIVERY_RECEIVED,
    DELIVERY_SENT,
    ChannelDelivery,
)
from channels.retry import RetryPolicy, send_all
from knowledge.admin.timeutil import aware
from knowledge.models import utcnow

logger = logging.getLogger(__name__)

# Seconds a `received` row belongs to the process answering it (ASSISTANT_CHANNEL_UNANSWERED_AFTER_S).
DEFAULT_LEASE_S = 120.0


def replies_as_json(messages: list[BotMessage]) -> list[dict[str, Any]]:
    return [{"text": m.text, "image": m.image,
             "buttons": [{"title": b.title, "payload": b.payload} for b in m.buttons]} for m in messages]


def replies_from_json(items: list[Any]) -> list[BotMessage]:
    """The stored form of `replies_as_json` back into bot messages; malformed entries are skipped."""
    out: list[BotMessage] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        buttons = tuple(Button(title=str(b.get("title", "")), payload=str(b.get("payload", "")))
                        for b in item.get("buttons") or [] if isinstance(b, dict) and b.get("payload"))
        message = BotMessage(text=str(item.get("text") or ""), buttons=buttons,
                             image=str(item["image"]) if item.get("image") else None)
        if message.text or message.buttons or message.image:
            out.append(message)
    return out


@dataclass(frozen=True)
class Job:
    """One claimed message and where its answer goes."""

    delivery_id: int
    message: IncomingMessage
    recipient_id: str
    # Replies decided by the channel itself (e.g. "please type" for a voice note): Rasa is not asked.
    local_replies: tuple[BotMessage, ...] | None = None
    # The row's `updated_at` when this process took it: the lease it answers under (None: not checked).
    lease: datetime | None = None
    # Telegram: the button press to acknowledge. Not kept for recovery: Telegram lets a bot answer a
    # callback query for a few seconds only, far less than the lease after which a message is recovered.
    callback_query_id: str | None = None


def pending_of(message: IncomingMessage, recipient_id: str,
               local_replies: tuple[BotMessage, ...] | None) -> dict[str, Any]:
    """What answering this message again needs after a stopped process, and nothing more.

    `text` is the citizen's own words: it stays only while the row is `received` and is never logged.
    """
    return {"sender_id": message.sender_id, "recipient_id": recipient_id, "text": message.text,
            "kind": message.kind, "message_id": message.message_id, "timestamp": message.timestamp.isoformat(),
            "local_replies": None if local_replies is None else replies_as_json(list(local_replies)),
            "recoveries": 0}


def job_from_pending(delivery_id: int, channel: str, pending: dict[str, Any], lease: datetime) -> Job:
    """The job `pending_of` describes, held under `lease`; raises KeyError/TypeError/ValueError if unreadable."""
    message = IncomingMessage(channel=channel, sender_id=str(pending["sender_id"]), text=str(pending["text"]),
                              message_id=str(pending["message_id"]), kind=str(pending["kind"]),
                              timestamp=datetime.fromisoformat(str(pending["timestamp"])))
    local = pending.get("local_replies")
    return Job(delivery_id=delivery_id, message=message, recipient_id=str(pending["recipient_id"]),
               local_replies=None if local is None else tuple(replies_from_json(list(local))), lease=lease)


class LeaseLost(ChannelSendError):
    """Another process took this message over after its lease ran out; that one answers it now."""


class DeliveryStore:
    def __init__(self, factory: sessionmaker[Session], lease_s: float = DEFAULT_LEASE_S) -> None:
        self._factory = factory
        self.lease_s = lease_s

    def claim(self, message: IncomingMessage, conversation_id: str, *, pending: dict[str, Any] | None = None,
              at: datetime | None = None) -> int | None:
        """The new delivery's id, or None when this (channel, message id) was already received.

        `at` becomes the row's `updated_at`, the lease the caller then answers under.
        """
        now = at or utcnow()
        try:
            with session_scope(self._factory) as session:
                row = ChannelDelivery(channel=message.channel, message_id=message.message_id,
                                      conversation_id=conversation_id, kind=message.kind,
                                      status=DELIVERY_RECEIVED, attempts=0, last_error="", replies=[],
                                      pending=pending, created_at=now, updated_at=now)
                session.add(row)
                session.flush()
                return row.id
        except IntegrityError:
            logger.info("duplicate %s message %s ignored", message.channel, message.message_id)
            return None

    def renew(self, delivery_id: int, lease: datetime) -> datetime | None:
        """Extend the lease of a row still held under `lease`: the new lease, or None if it was taken over."""
        now = utcnow()
        with session_scope(self._factory) as session:
            result = session.execute(update(ChannelDelivery)
                                     .where(ChannelDelivery.id == delivery_id,
                                            ChannelDelivery.status == DELIVERY_RECEIVED,
                                            ChannelDelivery.updated_at == lease)
                                     .values(updated_at=now)
                                     .execution_options(synchronize_session=False))
            return now if rows_changed(result) == 1 else None

    def finish(self, delivery_id: int, *, status: str, attempts: int, error: str,
               replies: list[BotMessage], lease: datetime | None = None) -> bool:
        """Record the outcome and drop the kept message; False (nothing written) if `lease` was taken over.

        Without a lease the row is written whatever its state.
        """
        query = update(ChannelDelivery).where(ChannelDelivery.id == delivery_id)
        if lease is not None:
            query = query.where(ChannelDelivery.status == DELIVERY_RECEIVED, ChannelDelivery.updated_at == lease)
        with session_scope(self._factory) as session:
            result = session.execute(query.values(status=status, attempts=attempts, last_error=error[:2000],
                                                  replies=replies_as_json(replies), pending=None,
                                                  updated_at=utcnow())
                                     .execution_options(synchronize_session=False))
            if rows_changed(result) == 1:
                return True
        if lease is None:
            raise LookupError(f"no channel delivery {delivery_id}")
        return False

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


class _LeasedSender:
    """The channel's sender, renewing the job's lease before a send once a third of it has gone.

    A turn normally ends within seconds and renews nothing; one slowed by a platform's rate limit keeps its
    row, and learns before its next send when it has lost the row anyway (then it stops: the new owner answers).
    """

    def __init__(self, sender: ChannelSender, store: DeliveryStore, job: Job) -> None:
        self._sender = sender
        self._store = store
        self._delivery_id = job.delivery_id
        self.lease = job.lease
        self.lost = False

    async def send(self, recipient_id: str, messages: list[BotMessage]) -> None:
        await self._keep()
        await self._sender.send(recipient_id, messages)

    async def _keep(self) -> None:
        if self.lease is None:
            return
        if self.lost:
            raise LeaseLost(f"channel delivery {self._delivery_id} was taken over")
        if utcnow() - aware(self.lease) < timedelta(seconds=self._store.lease_s / 3):
            return
        renewed = await asyncio.to_thread(self._store.renew, self._delivery_id, self.lease)
        if renewed is None:
            self.lost = True
            raise LeaseLost(f"channel delivery {self._delivery_id} was taken over after its lease ran out")
        self.lease = renewed


async def claim_job(store: DeliveryStore, message: IncomingMessage, recipient_id: str,
                    local_replies: tuple[BotMessage, ...] | list[BotMessage] | None,
                    callback_query_id: str | None = None) -> Job | None:
    """Remember an inbound message; None when it was already received (a redelivered webhook)."""
    conversation = ChatService.conversation_id(message)
    local = tuple(local_replies) if local_replies is not None else None
    now = utcnow()
    pending = pending_of(message, recipient_id, local)
    delivery_id = await asyncio.to_thread(store.claim, message, conversation, pending=pending, at=now)
    if delivery_id is None:
        return None
    return Job(delivery_id=delivery_id, message=message, recipient_id=recipient_id, local_replies=local,
               lease=now, callback_query_id=callback_query_id)


async def answer(job: Job, *, chat: ChatService, sender: ChannelSender, store: DeliveryStore,
                 policy: RetryPolicy) -> str:
    """Get the replies, send them with retries, record the outcome; returns the final status.

    Returns `received` when another process took the message over meanwhile: its outcome is that one's.
    """
    conversation = ChatService.conversation_id(job.message)
    leased = _LeasedSender(sender, store, job)
    replies: list[BotMessage] = []
    try:
        if job.local_replies is not None:
            replies = list(job.local_replies)
        else:
            replies, _ = await chat.reply_or_apology(job.message)
        if not replies:
            return await _record(store, job, leased, DELIVERY_IGNORED, attempts=0, error="", replies=[])
        outcome = await send_all(leased, job.recipient_id, replies, policy)
    except Exception as exc:  # the webhook was acknowledged: record the failure instead of losing it
        logger.exception("%s: answering message %s failed (conversation %s)", job.message.channel,
                         job.message.message_id, conversation)
        return await _record(store, job, leased, DELIVERY_FAILED, attempts=0, error=f"{type(exc).__name__}: {exc}",
                             replies=replies)
    if leased.lost:
        logger.warning("%s: message %s was taken over by another process after its lease ran out; %d of %d "
                       "replies sent here (conversation %s)", job.message.channel, job.message.message_id,
                       outcome.sent, len(replies), conversation)
        return DELIVERY_RECEIVED
    if outcome.sent == len(replies):
        return await _record(store, job, leased, DELIVERY_SENT, attempts=outcome.attempts, error="",
                             replies=replies)
    logger.error("%s: reply not delivered after %d attempts (conversation %s, message %s, %d of %d sent): %s",
                 job.message.channel, outcome.attempts, conversation, job.message.message_id, outcome.sent,
                 len(replies), outcome.error)
    # Only what was not delivered is kept: the replay (channels/replay.py) must never repeat a sent message.
    return await _record(store, job, leased, DELIVERY_FAILED, attempts=outcome.attempts, error=outcome.error,
                         replies=replies[outcome.sent:])


async def _record(store: DeliveryStore, job: Job, leased: _LeasedSender, status: str, *, attempts: int,
                  error: str, replies: list[BotMessage]) -> str:
    """Write the outcome under the job's (possibly renewed) lease; a row taken over is left to its new owner."""
    written = await asyncio.to_thread(store.finish, job.delivery_id, status=status, attempts=attempts, error=error,
                                      replies=replies, lease=leased.lease)
    if written:
        return status
    logger.warning("%s: message %s was taken over by another process before its outcome (%s) was recorded "
                   "(conversation %s)", job.message.channel, job.message.message_id, status,
                   ChatService.conversation_id(job.message))
    return DELIVERY_RECEIVED

