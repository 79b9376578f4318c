"""Telegram without a public URL: register the webhook, or long-poll `getUpdates` for local development.

Polling takes the same path as the webhook — claim, chat service, send with retries — so a conversation
behaves the same in both modes. Updates are answered one after the other, in order.
"""

from __future__ import annotations

import asyncio
import logging

import httpx
from telegram.error import NetworkError, TelegramError

from assistant.chat_service import ChatService
from assistant.config import Settings
from assistant.db import create_db_engine, create_session_factory
from assistant.rasa_client import RasaClient
from channels.deliveries import DeliveryStore
from channels.retry import RetryPolicy
from channels.services import build_telegram
from channels.telegram import build_bot, parse_update
from knowledge.admin.conversations import ConversationLog
from knowledge.migrate import upgrade_database

logger = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "callback_query"]


class TelegramNotConfigured(Exception):
    """The command needs ASSISTANT_TELEGRAM_BOT_TOKEN (and, for a webhook, the secret token)."""


async def set_webhook(settings: Settings, url: str) -> None:
    """Point Telegram at `url`; Telegram then sends the secret token with every update."""
    if not settings.telegram_bot_token.get_secret_value() or not settings.telegram_secret_token.get_secret_value():
        raise TelegramNotConfigured("set ASSISTANT_TELEGRAM_BOT_TOKEN and ASSISTANT_TELEGRAM_SECRET_TOKEN")
    bot, requests = build_bot(settings)
    try:
        await bot.set_webhook(url=url, secret_token=settings.telegram_secret_token.get_secret_value(),
                              allowed_updates=ALLOWED_UPDATES)
    finally:
        for request in requests:
            await request.shutdown()


async def poll(settings: Settings, *, max_updates: int | None = None, timeout_s: int = 30,
               stop: asyncio.Event | None = None) -> int:
    """Answer updates until stopped (or `max_updates` are handled); returns how many were handled."""
    if not settings.telegram_bot_token.get_secret_value():
        raise TelegramNotConfigured("set ASSISTANT_TELEGRAM_BOT_TOKEN")
    engine = create_db_engine(settings.database_url)
    upgrade_database(engine)
    factory = create_session_factory(engine)
    channel, requests = build_telegram(settings, factory,
                                       DeliveryStore(factory, lease_s=settings.channel_unanswered_after_s),
                                       RetryPolicy())
    handled, offset, failures = 0, 0, 0
    try:
        async with httpx.AsyncClient() as http:
            chat = ChatService(RasaClient(http, settings.rasa_url, settings.rasa_timeout_s),
                               ConversationLog(factory))
            # Telegram refuses getUpdates while a webhook is set.
            await channel.bot.delete_webhook()
            logger.info("telegram: polling for updates")
            while (max_updates is None or handled < max_updates) and not (stop and stop.is_set()):
                try:
                    updates = await channel.bot.get_updates(offset=offset, timeout=timeout_s,
                                                            allowed_updates=ALLOWED_UPDATES)
                    failures = 0
                except NetworkError as exc:
                    failures += 1
                    logger.warning("telegram: getUpdates failed (%s), retrying", exc)
                    await asyncio.sleep(min(2.0 ** failures, 30.0))
                    continue
                for update in updates:
                    offset = update.update_id + 1
                    inbound = parse_update(update)
                    if inbound is None:
                        continue
                    job = await channel.accept(inbound)
                    if job is not None:
                        await channel.process(job, chat)
                    handled += 1
    except TelegramError as exc:
        logger.error("telegram: polling stopped: %s", exc)
        raise
    finally:
        for request in requests:
            await request.shutdown()
        engine.dispose()
    return handled
