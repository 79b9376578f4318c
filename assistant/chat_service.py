"""The one path every channel takes to the dialogue manager: channel → chat service → Rasa.

Keeps channels apart in Rasa's tracker store (a Telegram user and a Zalo user with the same numeric id
are different people) and turns "Rasa down" or "no reply" into a message for the citizen.
"""

from __future__ import annotations

import asyncio
import logging
import time

from sqlalchemy.exc import SQLAlchemyError

from assistant import messages_vi, metrics
from assistant.logging_setup import CHANNEL, CONVERSATION_ID
from assistant.rasa_client import BotMessage, RasaClient, RasaUnavailable
from channels.base import IncomingMessage
from knowledge.admin.conversations import ConversationLog, Hold

logger = logging.getLogger(__name__)


class ChatService:
    def __init__(self, rasa: RasaClient, log: ConversationLog | None = None) -> None:
        self._rasa = rasa
        self._log = log  # the masked transcript and the handover hold; None in tests that do not need them

    @staticmethod
    def conversation_id(message: IncomingMessage) -> str:
        """The tracker id: channel-qualified, except for the plain API whose callers choose their ids."""
        if message.channel in ("api", "web"):
            return message.sender_id
        return f"{message.channel}:{message.sender_id}"

    async def handle(self, message: IncomingMessage) -> list[BotMessage]:
        """The bot's replies to one message; raises `RasaUnavailable` only to callers that must retry."""
        if not message.text:
            return [BotMessage(text=messages_vi.EMPTY_MESSAGE)]
        conversation = self.conversation_id(message)
        # The context stays set for the rest of this turn's task, so every later log line carries it.
        CHANNEL.set(message.channel)
        CONVERSATION_ID.set(conversation)
        hold = await self._record_citizen(message, conversation)
        if hold is not None and hold.held:
            # A clerk answers this conversation: the bot stays silent (one short notice the first time).
            return [BotMessage(text=messages_vi.CLERK_IS_ANSWERING)] if hold.acknowledge else []
        started = time.perf_counter()
        try:
            replies = await self._rasa.send(conversation, message.text, metadata={"channel": message.channel})
        except RasaUnavailable:
            metrics.RASA_LATENCY.labels(message.channel, "unavailable").observe(time.perf_counter() - started)
            metrics.ERRORS.labels(kind="rasa_unavailable").inc()
            raise
        metrics.RASA_LATENCY.labels(message.channel, "ok" if replies else "empty").observe(
            time.perf_counter() - started)
        if not replies:
            # Rasa answers nothing when an action failed (e.g. the action server is down): never stay silent.
            logger.warning("chat: no reply from Rasa (channel %s, conversation %s)", message.channel,
                           conversation)
            return [BotMessage(text=messages_vi.NO_REPLY)]
        await self._record_bot(conversation, replies)
        return replies

    async def _record_citizen(self, message: IncomingMessage, conversation: str) -> Hold | None:
        """Transcript line and hold check; a database failure must not keep the citizen from an answer."""
        if self._log is None:
            return None
        try:
            return await asyncio.to_thread(self._log.citizen_message, conversation_id=conversation,
                                           channel=message.channel, recipient_id=message.sender_id,
                                           text=message.text)
        except SQLAlchemyError:
            logger.exception("chat: recording the citizen's message failed (channel %s, conversation %s)",
                             message.channel, conversation)
            return None

    async def _record_bot(self, conversation: str, replies: list[BotMessage]) -> None:
        if self._log is None:
            return
        try:
            await asyncio.to_thread(self._log.bot_replies, conversation_id=conversation,
                                    texts=[reply.text for reply in replies])
        except SQLAlchemyError:
            logger.exception("chat: recording the bot's replies failed (conversation %s)", conversation)

    async def reply_or_apology(self, message: IncomingMessage) -> tuple[list[BotMessage], bool]:
        """Replies, or the apology when Rasa is unavailable; the flag says whether Rasa answered."""
        try:
            return await self.handle(message), True
        except RasaUnavailable as exc:
            logger.error("chat: %s (channel %s)", exc, message.channel)
            return [BotMessage(text=messages_vi.ASSISTANT_UNAVAILABLE)], False
