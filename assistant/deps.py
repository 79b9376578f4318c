"""FastAPI dependencies: the app's services, provided per request so tests can override them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Path, Request
from sqlalchemy.orm import Session

from assistant.chat_service import ChatService
from assistant.config import Settings
from assistant.db import MAX_ROW_ID
from assistant.rasa_client import RasaClient
from assistant.rate_limit import RateLimiter
from assistant.search_service import SearchService
from assistant.state import AppState
from channels.outbox import ConversationOutbox
from knowledge.admin.conversations import ConversationLog


def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.services
    return state


def get_settings_dep(state: Annotated[AppState, Depends(get_state)]) -> Settings:
    return state.settings


def get_session(state: Annotated[AppState, Depends(get_state)]) -> Iterator[Session]:
    session = state.session_factory()
    try:
        yield session
    finally:
        session.close()


def get_search(state: Annotated[AppState, Depends(get_state)]) -> SearchService:
    return state.search


def get_rate_limiter(state: Annotated[AppState, Depends(get_state)]) -> RateLimiter:
    return state.rate_limiter


def get_chat_service(state: Annotated[AppState, Depends(get_state)]) -> ChatService:
    settings = state.settings
    return ChatService(RasaClient(state.http, settings.rasa_url, settings.rasa_timeout_s),
                       ConversationLog(state.session_factory))


def get_outbox(state: Annotated[AppState, Depends(get_state)]) -> ConversationOutbox:
    if state.outbox is None:
        raise RuntimeError("The conversation outbox is built in the app's lifespan; it is not running.")
    return state.outbox


StateDep = Annotated[AppState, Depends(get_state)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
SessionDep = Annotated[Session, Depends(get_session)]
SearchDep = Annotated[SearchService, Depends(get_search)]
ChatDep = Annotated[ChatService, Depends(get_chat_service)]
RateLimiterDep = Annotated[RateLimiter, Depends(get_rate_limiter)]
OutboxDep = Annotated[ConversationOutbox, Depends(get_outbox)]

# A row id taken from a URL: bounded to the 32-bit id columns, so a huge one is a 422, not a database error.
RowIdPath = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
