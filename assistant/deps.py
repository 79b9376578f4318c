"""FastAPI dependencies: the app's services, provided per request so tests can override them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from assistant.config import Settings
from assistant.search_service import SearchService
from assistant.state import AppState


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


StateDep = Annotated[AppState, Depends(get_state)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
SessionDep = Annotated[Session, Depends(get_session)]
SearchDep = Annotated[SearchService, Depends(get_search)]
