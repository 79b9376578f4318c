"""The FastAPI app factory: everything heavy is created in the lifespan, from the settings passed in."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from assistant import action_auth, db_errors, metrics, openapi_errors
from assistant.body_limit import BodyLimitMiddleware
from assistant.chat_identity import CHAT_SESSION_HEADER
from assistant.config import Settings, get_settings
from assistant.db import create_db_engine, create_session_factory
from assistant.deps import get_chat_service
from assistant.proxies import ForwardedClientMiddleware, TrustedProxies
from assistant.rate_limit import create_rate_limiter
from assistant.routes import chat, health, procedures, webhooks
from assistant.routes import communes as communes_route
from assistant.routes import conversations as conversations_route
from assistant.routes import dossiers as dossiers_route
from assistant.routes import metrics as metrics_route
from assistant.search_service import SearchService, start_following, stop_following
from assistant.state import AppState
from channels import widget
from channels.outbox import ConversationOutbox
from channels.replay import start_replay, stop_replay
from channels.services import build_channels
from communes.admin import router as communes_admin_router
from dossiers.notify import start_delivery, stop_delivery
from knowledge.admin.routes import router as admin_router
from knowledge.migrate import upgrade_database

logger = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, *, search: SearchService | None = None) -> FastAPI:
    """Build the app; `search` may be passed in by tests that already hold a loaded index."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_db_engine(settings.database_url, busy_timeout_s=settings.sqlite_busy_timeout_s)
        upgrade_database(engine)
        factory = create_session_factory(engine)
        service = search or SearchService(settings, factory)
        if search is None:
            service.start()
        rate_limiter = create_rate_limiter(settings.redis_url)
        async with httpx.AsyncClient() as http:
            app.state.services = AppState(settings=settings, engine=engine, session_factory=factory,
                                          search=service, http=http, rate_limiter=rate_limiter)
            app.state.channels = build_channels(settings, factory, http)
            app.state.outbox = app.state.services.outbox = ConversationOutbox(factory, app.state.channels)
            # The replay task also answers webhooks a stopped process acknowledged but never answered.
            replay = start_replay(app.state.channels, factory, settings, get_chat_service(app.state.services))
            dossier_notices = start_delivery(factory, app.state.outbox)
            index_follow = start_following(service, settings.index_follow_interval_s)
            action_auth.warn_at_start(settings)
            logger.info("app ready on %s:%s", settings.host, settings.port)
            yield
            await stop_replay(replay)
            await stop_delivery(dossier_notices)
            await stop_following(index_follow)
            await app.state.channels.aclose()
        await rate_limiter.aclose()
        if search is None:
            service.stop()
        engine.dispose()

    app = FastAPI(title="Trợ lý thủ tục hành chính", version="0.1.0", lifespan=lifespan)
    db_errors.install(app)
    openapi_errors.install(app)
    app.add_middleware(BodyLimitMiddleware)
    if settings.widget_origin_list:
        # Only the chat door is meant for other origins; it takes JSON and no cookies. The widget reads
        # Retry-After of a 429 to know how long to wait before sending the kept message again, and polls
        # clerk replies with its signed id in a header (a URL would put it in access logs).
        app.add_middleware(CORSMiddleware, allow_origins=settings.widget_origin_list,
                           allow_methods=["GET", "POST"], allow_headers=["Content-Type", CHAT_SESSION_HEADER],
                           allow_credentials=False, expose_headers=["Retry-After"])
    app.middleware("http")(metrics.metrics_middleware)
    # Outermost: every limit and log below sees the client a trusted proxy names, never a client-written one.
    app.add_middleware(ForwardedClientMiddleware, proxies=TrustedProxies(settings.trusted_proxy_networks))
    app.include_router(metrics_route.router)
    app.include_router(health.router)
    app.include_router(procedures.router)
    app.include_router(dossiers_route.router)
    app.include_router(communes_route.router)
    app.include_router(communes_admin_router)
    app.include_router(chat.router)
    app.include_router(conversations_route.router)
    app.include_router(webhooks.router)
    app.include_router(widget.router)
    app.include_router(admin_router)
    return app
