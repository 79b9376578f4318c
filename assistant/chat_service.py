"""The one path every channel takes to the dialogue manager: channel → chat service → Rasa.

Keeps channels apart in Rasa's tracker store (a Telegram user and a Zalo user with the same numeric id
are different people) and turns "Rasa down" or "no reply" into a message for the citizen.
"""

from __future__ import annotations

import logging

from assistant import messages_vi
from assistant.rasa_client import BotMessage, RasaClient, RasaUnavailable
from channels.base import IncomingMessage

logger = logging.getLogger(__name__)


class ChatService:
    def __init__(self, rasa: RasaClient) -> None:
        self._rasa = rasa

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
        replies = await self._rasa.send(conversation, message.text, metadata={"channel": message.channel})
        if not replies:
            # Rasa answers nothing when an action failed (e.g. the action server is down): never stay silent.
            logger.warning("chat: no reply from Rasa (channel %s, conversation %s)", message.channel,
                           conversation)
            return [BotMessage(text=messages_vi.NO_REPLY)]
        return replies

    async def reply_or_apology(self, message: IncomingMessage) -> tuple[list[BotMessage], bool]:
        """Replies, or the apology when Rasa is unavailable; the flag says whether Rasa answered."""
        try:
            return await self.handle(message), True
        except RasaUnavailable as exc:
            logger.error("chat: %s (channel %s)", exc, message.channel)
            return [BotMessage(text=messages_vi.ASSISTANT_UNAVAILABLE)], False
