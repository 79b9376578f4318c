"""Telegram channel (python-telegram-bot): updates in, inline keyboards out.

The bot never talks to Rasa itself: an update becomes an `IncomingMessage`, the chat service answers, and
this module renders the answer. Button presses arrive as callback queries, which are acknowledged first
so the citizen's client stops its spinner.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import warnings
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError
from telegram.request import HTTPXRequest
from telegram.warnings import PTBDeprecationWarning

from assistant import messages_vi
from assistant.chat_service import ChatService
from assistant.config import Settings
from assistant.rasa_client import BotMessage
from channels.base import ChannelSendError, IncomingMessage
from channels.buttons import ButtonPayloadStore
from channels.deliveries import DeliveryStore, Job, answer, claim_job
from channels.inbound_text import clean_text, too_long_reply
from channels.rendering import example_buttons, please_type_replies, split_text
from channels.retry import RetryableSendError, RetryPolicy

logger = logging.getLogger(__name__)

# Opt in to python-telegram-bot's coming behaviour (durations as timedelta): without it, the library
# warns every time Telegram rate-limits a send. The value is read by the library at each use.
os.environ.setdefault("PTB_TIMEDELTA", "true")

CHANNEL = "telegram"
TEXT_LIMIT = 4096
# Things a citizen can send that the assistant cannot read: answered with "please type".
UNREADABLE = ("voice", "audio", "video", "video_note", "sticker", "animation", "document")
START_COMMANDS = ("/start", "/help")
GREETING_PAYLOAD = "/greet"


@dataclass(frozen=True)
class TelegramInbound:
    """An update reduced to what the assistant acts on."""

    message: IncomingMessage
    chat_id: str
    callback_query_id: str | None = None
    local_replies: tuple[BotMessage, ...] | None = None


def build_bot(settings: Settings) -> tuple[Bot, list[HTTPXRequest]]:
    """The bot and the HTTP clients it owns (closed by the caller); `telegram_api_base` may be a fake."""
    requests = [HTTPXRequest(connection_pool_size=8), HTTPXRequest(read_timeout=40.0)]
    bot = Bot(settings.telegram_bot_token.get_secret_value(), base_url=settings.telegram_api_base,
              base_file_url=settings.telegram_api_base.replace("/bot", "/file/bot", 1),
              request=requests[0], get_updates_request=requests[1])
    return bot, requests


def parse_update(update: Update) -> TelegramInbound | None:
    """The inbound message of an update, or None for updates the assistant does not answer."""
    update_id = str(update.update_id)
    query = update.callback_query
    if query is not None:
        query_chat = str(query.message.chat.id if query.message is not None else query.from_user.id)
        message = IncomingMessage(channel=CHANNEL, sender_id=query_chat, text=query.data or "",
                                  message_id=update_id, kind="button")
        return TelegramInbound(message=message, chat_id=query_chat, callback_query_id=query.id)
    msg = update.message
    if msg is None:
        return None  # edits, membership changes, channel posts: nothing to answer
    chat_id = str(msg.chat.id)

    def inbound(text: str, kind: str, local: list[BotMessage] | None = None) -> TelegramInbound:
        message = IncomingMessage(channel=CHANNEL, sender_id=chat_id, text=text, message_id=update_id,
                                  kind=kind)
        return TelegramInbound(message=message, chat_id=chat_id,
                               local_replies=tuple(local) if local is not None else None)

    if msg.text is not None:
        text = clean_text(msg.text)
        if text.split(" ", 1)[0].split("@", 1)[0] in START_COMMANDS:
            return inbound(GREETING_PAYLOAD, "text")
        too_long = too_long_reply(text)
        return inbound(text, "text", [too_long] if too_long else None)
    if any(getattr(msg, attribute, None) for attribute in UNREADABLE):
        return inbound("", "voice", please_type_replies("voice"))
    if msg.photo:
        return inbound("", "image", please_type_replies("image"))
    if msg.location is not None or msg.venue is not None:
        return inbound("", "location", please_type_replies("location"))
    return inbound("", "other", please_type_replies("other"))


def _retry_after_seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value: Any = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class TelegramChannel:
    """Receives updates and sends replies for one bot."""

    def __init__(self, bot: Bot, buttons: ButtonPayloadStore, store: DeliveryStore,
                 policy: RetryPolicy) -> None:
        self.bot = bot
        self._buttons = buttons
        self._store = store
        self.policy = policy

    def parse(self, data: dict[str, Any]) -> TelegramInbound | None:
        """Raises ValueError when the JSON is not a Telegram update."""
        try:
            update = Update.de_json(data, self.bot)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ValueError(f"not a Telegram update: {type(exc).__name__}") from exc
        return parse_update(update)

    async def accept(self, inbound: TelegramInbound) -> Job | None:
        """Remember the update; None when it was already received (a redelivery)."""
        return await claim_job(self._store, inbound.message, inbound.chat_id, inbound.local_replies,
                               inbound.callback_query_id)

    async def process(self, job: Job, chat: ChatService) -> str:
        """Acknowledge a button press, resolve its payload, answer; returns the delivery status.

        The press to acknowledge is the job's own; a recovered job (`channels.recovery`) has none, since
        Telegram no longer takes an answer to a press that old.
        """
        if job.callback_query_id is not None:
            try:
                await self.bot.answer_callback_query(job.callback_query_id)
            except TelegramError as exc:  # the answer still follows; only the spinner lingers
                logger.warning("telegram: answerCallbackQuery failed for chat %s: %s", job.recipient_id, exc)
        if job.message.kind == "button" and job.local_replies is None:
            payload = await asyncio.to_thread(self._buttons.resolve, job.message.text)
            if payload is None:
                expired = BotMessage(text=messages_vi.BUTTON_EXPIRED, buttons=example_buttons())
                job = dataclasses.replace(job, local_replies=(expired,))
            else:
                message = IncomingMessage(channel=CHANNEL, sender_id=job.message.sender_id, text=payload,
                                          message_id=job.message.message_id, kind="button",
                                          timestamp=job.message.timestamp)
                job = dataclasses.replace(job, message=message, local_replies=None)
        return await answer(job, chat=chat, sender=self, store=self._store, policy=self.policy)

    async def send(self, recipient_id: str, messages: list[BotMessage]) -> None:
        for message in messages:
            await self._send_one(recipient_id, message)

    async def _send_one(self, chat_id: str, message: BotMessage) -> None:
        markup = await self._keyboard(message) if message.buttons else None
        pieces = split_text(message.text, TEXT_LIMIT) if message.text else []
        if markup is not None and not pieces:
            pieces = [messages_vi.MORE_CHOICES]
        try:
            if message.image:
                await self.bot.send_photo(chat_id=chat_id, photo=message.image)
            for index, piece in enumerate(pieces):
                last = index == len(pieces) - 1
                await self.bot.send_message(chat_id=chat_id, text=piece,
                                            reply_markup=markup if last else None)
        except RetryAfter as exc:
            raise RetryableSendError(f"telegram rate limit: {exc}", _retry_after_seconds(exc)) from exc
        except BadRequest as exc:
            raise ChannelSendError(f"telegram refused the message: {exc}") from exc
        except NetworkError as exc:
            raise RetryableSendError(f"telegram unreachable or failing: {exc}") from exc
        except TelegramError as exc:
            raise ChannelSendError(f"telegram error: {type(exc).__name__}: {exc}") from exc

    async def _keyboard(self, message: BotMessage) -> InlineKeyboardMarkup:
        rows = []
        for button in message.buttons:
            data = await asyncio.to_thread(self._buttons.shorten, button.payload)
            rows.append([InlineKeyboardButton(text=button.title or button.payload, callback_data=data)])
        return InlineKeyboardMarkup(rows)
