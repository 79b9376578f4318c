from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from assistant import chat_identity, messages_vi
from assistant.config import Settings
from assistant.db import create_db_engine, create_session_factory
from assistant.main import create_app
from assistant.search_service import SearchService
from index.encoders import E5BundledEncoder
from tests import chat_ids


def test_chat_with_rasa_down_answers_with_an_apology_and_503(client: TestClient) -> None:
    response = client.post("/api/chat", json={"sender_id": chat_ids.signed("web-1"), "text": "khai sinh"})
    assert response.status_code == 503
    assert response.json() == {"messages": [{"text": messages_vi.ASSISTANT_UNAVAILABLE, "buttons": [],
                                             "image": None, "procedure": None, "outcome": None}]}


def test_chat_with_only_whitespace_asks_for_a_question_without_calling_rasa(client: TestClient) -> None:
    response = client.post("/api/chat", json={"sender_id": chat_ids.signed("web-1"), "text": " \u0000 \n"})
    assert response.status_code == 200
    assert response.json()["messages"][0]["text"] == messages_vi.EMPTY_MESSAGE


def test_chat_rejects_bad_sender_ids_and_overlong_text(client: TestClient) -> None:
    assert client.post("/api/chat", json={"sender_id": "", "text": "a"}).status_code == 422
    assert client.post("/api/chat", json={"sender_id": "a b<script>", "text": "a"}).status_code == 422
    assert client.post("/api/chat", json={"sender_id": "ok", "text": "x" * 2001}).status_code == 422
    assert client.post("/api/chat", json={"text": "a"}).status_code == 422


def test_widget_origins_get_cors_headers_for_the_chat_door(
    kb_settings: Settings, e5_encoder: E5BundledEncoder
) -> None:
    settings = kb_settings.model_copy(update={"widget_origins": "https://xa-yenthinh.gov.vn"})
    engine = create_db_engine(settings.database_url)
    service = SearchService(settings, create_session_factory(engine), encoder=e5_encoder)
    with TestClient(create_app(settings, search=service)) as client:
        allowed = client.options("/api/chat", headers={
            "Origin": "https://xa-yenthinh.gov.vn", "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type"})
        other = client.options("/api/chat", headers={
            "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
        poll_preflight = client.options(f"/api/chat/{chat_ids.conversation('web-1')}/messages", headers={
            "Origin": "https://xa-yenthinh.gov.vn", "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "x-chat-session"})
        poll = client.get(f"/api/chat/{chat_ids.signed('web-1')}/messages",
                          headers={"Origin": "https://xa-yenthinh.gov.vn"})
    engine.dispose()
    # The embedded widget may read how long a 429 asks it to wait.
    assert poll.headers["access-control-expose-headers"] == "Retry-After"
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://xa-yenthinh.gov.vn"
    assert "access-control-allow-origin" not in other.headers
    # The widget polls clerk replies with its signed id in a header: the preflight must allow it.
    assert poll_preflight.status_code == 200
    assert "x-chat-session" in poll_preflight.headers["access-control-allow-headers"].lower()


def test_chat_session_issues_a_new_signed_id_each_time(client: TestClient) -> None:
    first, second = (client.post("/api/chat/session") for _ in range(2))
    assert first.status_code == second.status_code == 201
    ids = [first.json()["sender_id"], second.json()["sender_id"]]
    assert ids[0] != ids[1]
    assert all(chat_identity.SIGNED_ID_PATTERN.fullmatch(i) for i in ids)
    # The id it issued is accepted (Rasa is down here: the apology, not a refusal).
    assert client.post("/api/chat", json={"sender_id": ids[0], "text": "khai sinh"}).status_code == 503


def test_chat_refuses_ids_in_another_channels_namespace_with_422(client: TestClient) -> None:
    for foreign in ("telegram:5550001", "zalo:1234567890", "api:web-1", "web-1:x"):
        response = client.post("/api/chat", json={"sender_id": foreign, "text": "khai sinh"})
        assert response.status_code == 422, foreign
        assert "telegram:" in str(response.json()["detail"])


def test_chat_refuses_ids_the_app_did_not_issue(client: TestClient) -> None:
    issued = client.post("/api/chat/session").json()["sender_id"]
    conversation = issued.split(".")[0]
    for forged in ("web-1", conversation, conversation + "." + "f" * 32,
                   chat_ids.signed("web-1", secret="some-other-deployment-secret-0123456789")):
        response = client.post("/api/chat", json={"sender_id": forged, "text": "khai sinh"})
        assert response.status_code == 401, forged
        assert "POST /api/chat/session" in response.json()["detail"]


def test_production_refuses_a_missing_or_default_chat_secret(tmp_path: Path) -> None:
    base = {"environment": "production", "dossier_pepper": "p" * 40, "database_url": "sqlite://",
            "index_dir": tmp_path, "actions_token": "a" * 32}
    for secret in ("", chat_identity.DEVELOPMENT_SECRET, "short"):
        with pytest.raises(ValidationError, match="ASSISTANT_CHAT_SESSION_SECRET"):
            Settings(**base, chat_session_secret=secret)
    assert Settings(**base, chat_session_secret="s" * 32).chat_secret == "s" * 32
    # Outside production an unset secret signs with the development default (make run, tests).
    assert Settings(database_url="sqlite://", index_dir=tmp_path).chat_secret == chat_identity.DEVELOPMENT_SECRET


def test_production_refuses_to_start_without_an_actions_token(tmp_path: Path) -> None:
    base = {"environment": "production", "dossier_pepper": "p" * 40, "database_url": "sqlite://",
            "index_dir": tmp_path, "chat_session_secret": "s" * 32}
    for token in ("", "short"):
        with pytest.raises(ValidationError, match="ASSISTANT_ACTIONS_TOKEN must be set in production"):
            Settings(**base, actions_token=token)
    assert Settings(**base, actions_token="t" * 16).actions_token.get_secret_value() == "t" * 16
    assert Settings(database_url="sqlite://", index_dir=tmp_path).actions_token.get_secret_value() == ""
