"""The chat channels an app runs, built from settings once and closed with the app."""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx
from sqlalchemy.orm import Session, sessionmaker
from telegram.request import HTTPXRequest

from assistant.config import Settings
from channels.buttons import ButtonPayloadStore
from channels.deliveries import DeliveryStore
from channels.retry import RetryPolicy
from channels.telegram import TelegramChannel, build_bot
from channels.zalo import ZaloChannel
from channels.zalo_tokens import ZaloTokens


def telegram_enabled(settings: Settings) -> bool:
    """The bot token is enough to send: a center without a public HTTPS address answers by long polling
    (`assistant telegram poll`) and still needs clerk replies and dossier notices sent from the app."""
    return bool(settings.telegram_bot_token.get_secret_value())


def telegram_webhook_enabled(settings: Settings) -> bool:
    """Both the token and the webhook secret: a webhook without its secret would accept forgeries."""
    return bool(settings.telegram_bot_token.get_secret_value()
                and settings.telegram_secret_token.get_secret_value())


def zalo_enabled(settings: Settings) -> bool:
    return bool(settings.zalo_app_id and settings.zalo_oa_secret.get_secret_value())


@dataclass
class ChannelServices:
    settings: Settings
    store: DeliveryStore
    telegram: TelegramChannel | None = None
    zalo: ZaloChannel | None = None
    _closers: list[HTTPXRequest] = field(default_factory=list)

    def configured(self) -> dict[str, TelegramChannel | ZaloChannel]:
        """The channels that are on, by name: what the replay sends to and the recovery answers through."""
        found: dict[str, TelegramChannel | ZaloChannel] = {}
        if self.telegram is not None:
            found["telegram"] = self.telegram
        if self.zalo is not None:
            found["zalo"] = self.zalo
        return found

    async def aclose(self) -> None:
        for request in self._closers:
            await request.shutdown()


def build_telegram(settings: Settings, factory: sessionmaker[Session], store: DeliveryStore,
                   policy: RetryPolicy) -> tuple[TelegramChannel, list[HTTPXRequest]]:
    bot, requests = build_bot(settings)
    return TelegramChannel(bot, ButtonPayloadStore(factory), store, policy), requests


def build_zalo(settings: Settings, factory: sessionmaker[Session], http: httpx.AsyncClient,
               store: DeliveryStore, policy: RetryPolicy) -> ZaloChannel:
    tokens = ZaloTokens(factory, http, app_id=settings.zalo_app_id,
                        app_secret=settings.zalo_app_secret.get_secret_value(),
                        oauth_base=settings.zalo_oauth_base,
                        initial_access=settings.zalo_access_token.get_secret_value(),
                        initial_refresh=settings.zalo_refresh_token.get_secret_value())
    return ZaloChannel(http, tokens, store, policy, api_base=settings.zalo_api_base)


def build_channels(settings: Settings, factory: sessionmaker[Session], http: httpx.AsyncClient,
                   policy: RetryPolicy | None = None) -> ChannelServices:
    """Only the configured channels are built; the others' webhooks answer 404 (Telegram's also without a
    webhook secret, though its sender is built from the token alone)."""
    policy = policy or RetryPolicy()
    store = DeliveryStore(factory, lease_s=settings.channel_unanswered_after_s)
    services = ChannelServices(settings=settings, store=store)
    if telegram_enabled(settings):
        services.telegram, services._closers = build_telegram(settings, factory, store, policy)
    if zalo_enabled(settings):
        services.zalo = build_zalo(settings, factory, http, store, policy)
    return services
