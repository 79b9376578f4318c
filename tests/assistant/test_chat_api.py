from __future__ import annotations

from fastapi.testclient import TestClient

from assistant import messages_vi


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
