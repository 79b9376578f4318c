"""What the app holds for its lifetime, created in the lifespan and handed to routes."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from assistant.config import Settings
from assistant.rate_limit import RateLimiter
from assistant.search_service import SearchService
from channels.outbox import ConversationOutbox


@dataclass
class AppState:
    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    search: SearchService
    http: httpx.AsyncClient
    rate_limiter: RateLimiter
    # Clerk replies to citizens on their own channel; set once the channels are built.
    outbox: ConversationOutbox | None = None
