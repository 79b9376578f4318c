"""The action server's write routes need the shared secret when one is set, and say so when none is."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from assistant.action_auth import REFUSED_CODE, TOKEN_HEADER
from assistant.config import Settings
from assistant.db import create_db_engine, create_session_factory
from assistant.main import create_app
from assistant.search_service import SearchService
from index.encoders import E5BundledEncoder
from tests import chat_ids

TOKEN = "s3cret-Shared-by-app-and-actions_0123456789"
WRONG = "not-the-token-but-just-as-long_0123456789ab"
THRESHOLDS = {"confident": 0.6, "choices_min": 0.25, "ambiguity_margin": 0.1}
# The four routes only the action server calls, each with a valid body and the status it answers.
ACTION_ROUTES: dict[str, tuple[dict[str, Any], int]] = {
    "/api/questions": ({"conversation_id": "auth-q", "channel": "web", "text": "hỏi thử", "outcome": "fallback"},
                       204),
    "/api/handover": ({"conversation_id": "auth-h", "channel": "api", "reason": "asked"}, 200),
    "/api/feedback": ({"conversation_id": "auth-f", "channel": "web", "rating": 5}, 204),
    "/api/procedures/search-turn": ({"text": "khai sinh", "query": "khai sinh", "conversation_id": "auth-s",
                                     "channel": "web", **THRESHOLDS}, 200),
}


def _logged(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """Records of the app's start (fixture set-up) and of the test itself."""
    return caplog.get_records("setup") + caplog.get_records("call")


def _client(settings: Settings, encoder: E5BundledEncoder) -> Iterator[TestClient]:
    engine = create_db_engine(settings.database_url)
    service = SearchService(settings, create_session_factory(engine), encoder=encoder)
    service.load()
    with TestClient(create_app(settings, search=service)) as client:
        yield client
    engine.dispose()


@pytest.fixture
def closed(kb_settings: Settings, e5_encoder: E5BundledEncoder, caplog: pytest.LogCaptureFixture
           ) -> Iterator[TestClient]:
    caplog.set_level(logging.DEBUG)
    yield from _client(kb_settings.model_copy(update={"actions_token": SecretStr(TOKEN)}), e5_encoder)


@pytest.fixture
def open_app(kb_settings: Settings, e5_encoder: E5BundledEncoder, caplog: pytest.LogCaptureFixture
             ) -> Iterator[TestClient]:
    caplog.set_level(logging.DEBUG)
    yield from _client(kb_settings.model_copy(update={"actions_token": SecretStr("")}), e5_encoder)


@pytest.mark.parametrize("path", sorted(ACTION_ROUTES))
def test_with_a_token_set_each_route_needs_the_right_header(
    closed: TestClient, caplog: pytest.LogCaptureFixture, path: str
) -> None:
    body, ok_status = ACTION_ROUTES[path]
    for headers in ({}, {TOKEN_HEADER: WRONG}, {TOKEN_HEADER: ""}, {TOKEN_HEADER: TOKEN[:-1]}):
        refused = closed.post(path, json=body, headers=headers)
        assert refused.status_code == 401, headers
        assert refused.json()["detail"]["code"] == REFUSED_CODE
        assert TOKEN_HEADER in refused.json()["detail"]["message"]
    assert closed.post(path, json=body, headers={TOKEN_HEADER: TOKEN}).status_code == ok_status
    messages = "\n".join(record.getMessage() for record in _logged(caplog))
    assert TOKEN not in messages and WRONG not in messages and TOKEN[:-1] not in messages
    assert f"refused POST {path}" in messages


def test_a_caller_without_the_token_learns_nothing_about_the_body(closed: TestClient) -> None:
    # Refused before validation: no 422 telling an outsider which fields the route wants.
    assert closed.post("/api/questions", json={"nonsense": True}).status_code == 401
    assert closed.post("/api/questions", json={"nonsense": True}, headers={TOKEN_HEADER: TOKEN}).status_code == 422


def test_other_routes_do_not_need_the_token(closed: TestClient) -> None:
    assert closed.get("/api/procedures/search", params={"q": "khai sinh"}).status_code == 200
    assert closed.get(f"/api/chat/{chat_ids.signed('web-1')}/messages").status_code == 200


def test_with_a_token_set_nothing_is_said_at_start(closed: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    assert not [r for r in _logged(caplog) if "ASSISTANT_ACTIONS_TOKEN" in r.getMessage()]


@pytest.mark.parametrize("path", sorted(ACTION_ROUTES))
def test_without_a_token_the_routes_are_open_and_the_start_warns_once(
    open_app: TestClient, caplog: pytest.LogCaptureFixture, path: str
) -> None:
    body, ok_status = ACTION_ROUTES[path]
    assert open_app.post(path, json=body).status_code == ok_status
    assert open_app.post(path, json=body, headers={TOKEN_HEADER: WRONG}).status_code == ok_status
    warnings = [r.getMessage() for r in _logged(caplog)
                if r.levelno == logging.WARNING and "ASSISTANT_ACTIONS_TOKEN" in r.getMessage()]
    assert len(warnings) == 1
    assert "/api/handover" in warnings[0] and "secrets.token_urlsafe" in warnings[0]


def test_a_short_token_is_warned_about_without_being_shown(
    kb_settings: Settings, e5_encoder: E5BundledEncoder, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    short = "tiny-secret"
    for client in _client(kb_settings.model_copy(update={"actions_token": SecretStr(short)}), e5_encoder):
        assert client.post("/api/feedback", json=ACTION_ROUTES["/api/feedback"][0],
                           headers={TOKEN_HEADER: short}).status_code == 204
    assert "fewer than 16 characters" in caplog.text
    assert short not in caplog.text


def test_the_token_comes_from_the_environment_stripped_and_hidden(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_ACTIONS_TOKEN", f"  {TOKEN}\n")
    settings = Settings(database_url="sqlite://")
    assert settings.actions_token.get_secret_value() == TOKEN
    assert TOKEN not in repr(settings) and TOKEN not in str(settings.model_dump())
    assert Settings.model_fields["actions_token"].default.get_secret_value() == ""  # open unless configured


def test_the_schema_documents_the_header_and_the_401_on_exactly_those_routes() -> None:
    schema = create_app(Settings(database_url="sqlite://")).openapi()
    scheme = schema["components"]["securitySchemes"]["ActionServerToken"]
    assert scheme == {**scheme, "type": "apiKey", "in": "header", "name": TOKEN_HEADER}
    secured = {path for path, operations in schema["paths"].items() for operation in operations.values()
               if {"ActionServerToken": []} in operation.get("security", [])}
    assert secured == set(ACTION_ROUTES)
    for path in ACTION_ROUTES:
        assert "401" in schema["paths"][path]["post"]["responses"]
