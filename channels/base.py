"""The common message model every channel translates to and from.

Adapters are thin: they parse a platform payload into an `IncomingMessage` and render the bot's
`BotMessage`s into the platform's payload. Dialogue logic never lives in a channel.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from assistant.rasa_client import BotMessage


@dataclass(frozen=True)
class IncomingMessage:
    """One thing a citizen sent, whatever the door."""

    channel: str  # "web", "api", "telegram", "zalo"
    sender_id: str  # the channel's user id, prefixed by the chat service to keep channels apart
    text: str  # typed text, or a button payload such as '/choose{"procedure_code":"1.001193"}'
    message_id: str = ""  # the platform's id, remembered to answer a redelivered webhook once
    timestamp: datetime = field(default_factory=lambda: datetime.now(UTC))
    kind: str = "text"  # text | button | voice | image | location | follow | unfollow | other


class ChannelSendError(Exception):
    """The platform refused or did not take a reply."""


class ChannelSender(Protocol):
    """Delivers the bot's replies to one channel."""

    async def send(self, recipient_id: str, messages: list[BotMessage]) -> None: ...
