from __future__ import annotations

from fastapi.testclient import TestClient

from assistant import messages_vi
from assistant.config import Settings
from assistant.db import create_db_engine, create_session_factory
from assistant.main import create_app
from assistant.search_service import SearchService
from index.encoders import E5BundledEncoder


def test_chat_with_rasa_down_answers_with_an_apology_and_503(client: TestClient) -> None:
    response = client.post("/api/chat", json={"sender_id": "web-1", "text": "khai sinh"})
    assert response.status_code == 503
    assert response.json() == {"messages": [{"text": messages_vi.ASSISTANT_UNAVAILABLE, "buttons": [],
                                             "image": None}]}


def test_chat_with_only_whitespace_asks_for_a_question_without_calling_rasa(client: TestClient) -> None:
    response = client.post("/api/chat", json={"sender_id": "web-1", "text": " \u0000 \n"})
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
        poll = client.get("/api/chat/web-1/messages", headers={"Origin": "https://xa-yenthinh.gov.vn"})
    engine.dispose()
    # The embedded widget may read how long a 429 asks it to wait.
    assert poll.headers["access-control-expose-headers"] == "Retry-After"
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://xa-yenthinh.gov.vn"
    assert "access-control-allow-origin" not in other.headers
