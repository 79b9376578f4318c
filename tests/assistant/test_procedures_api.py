from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from assistant.config import Settings
from assistant.db import create_db_engine, create_session_factory
from knowledge.admin.conversation_models import QuestionRecord


def test_search_finds_birth_registration_typed_without_diacritics(client: TestClient) -> None:
    response = client.get("/api/procedures/search", params={"q": "lam giay khai sinh cho con", "k": 3})
    assert response.status_code == 200
    body = response.json()
    assert body["hits"][0]["code"] == "1.001193"
    assert len(body["hits"]) == 3
    assert 0.0 <= body["confidence"] <= 1.0
    assert body["hits"][0]["levels"] == ["Cấp xã"]
    scores = [hit["score"] for hit in body["hits"]]
    assert scores == sorted(scores, reverse=True)


def test_search_backends_can_be_chosen(client: TestClient) -> None:
    for backend in ("bm25", "dense", "hybrid"):
        body = client.get("/api/procedures/search", params={"q": "đăng ký kết hôn", "backend": backend}).json()
        assert body["backend"] == backend
        assert body["hits"][0]["code"] == "1.000894"


def test_empty_query_is_a_clear_422(client: TestClient) -> None:
    for params in ({"q": ""}, {"q": "   "}, {}):
        response = client.get("/api/procedures/search", params=params)
        assert response.status_code == 422
        assert "empty" in response.json()["detail"]


def test_overlong_query_is_refused_with_the_limit(client: TestClient) -> None:
    response = client.get("/api/procedures/search", params={"q": "khai sinh " * 200})
    assert response.status_code == 422
    assert "at most 500" in response.json()["detail"]


def test_k_out_of_range_is_refused(client: TestClient) -> None:
    assert client.get("/api/procedures/search", params={"q": "khai sinh", "k": 0}).status_code == 422
    response = client.get("/api/procedures/search", params={"q": "khai sinh", "k": 500})
    assert response.status_code == 422
    assert "at most 20" in response.json()["detail"]


def test_procedure_record_is_structured_and_citizen_facing(client: TestClient) -> None:
    response = client.get("/api/procedures/1.001193")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Thủ tục đăng ký khai sinh"
    kinds = {channel["kind"] for channel in body["channels"]}
    assert kinds == {"online", "post", "in_person"}
    assert all(channel["free"] for channel in body["channels"])
    assert body["documents"] and body["source_url"].startswith("https://dichvucong.gov.vn/")
    assert "raw" not in body and "raw_text" not in str(body)


def test_unknown_and_malformed_codes_are_404_and_422(client: TestClient) -> None:
    missing = client.get("/api/procedures/9.999999")
    assert missing.status_code == 404
    assert "9.999999" in missing.json()["detail"]
    assert client.get("/api/procedures/" + "1" * 40).status_code == 422
    assert client.get("/api/procedures/abc%20def").status_code == 422


def test_answer_endpoint_renders_the_fee_of_the_procedure(client: TestClient) -> None:
    response = client.get("/api/procedures/1.001193/answer", params={"topic": "fee"})
    assert response.status_code == 200
    text = " ".join(message["text"] for message in response.json()["messages"])
    assert "Miễn phí" in text or "miễn phí" in text
    assert client.get("/api/procedures/1.001193/answer", params={"topic": "weather"}).status_code == 422
    assert client.get("/api/procedures/9.999999/answer").status_code == 404


def test_health_is_ready_with_database_and_index_and_reports_rasa(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    checks = response.json()["checks"]
    assert checks["database"] == "ok" and checks["index"] == "ok"
    assert checks["rasa"].startswith("down")


# --- POST /api/procedures/search-turn: the action server's one call per free question ------------

THRESHOLDS = {"confident": 0.6, "choices_min": 0.25, "ambiguity_margin": 0.1}


def _logged(kb_settings: Settings, conversation_id: str) -> list[QuestionRecord]:
    engine = create_db_engine(kb_settings.database_url)
    try:
        with create_session_factory(engine)() as session:
            return list(session.scalars(select(QuestionRecord).where(
                QuestionRecord.conversation_id == conversation_id)))
    finally:
        engine.dispose()


def test_search_turn_answers_with_the_same_messages_as_the_answer_endpoint(
    client: TestClient, kb_settings: Settings
) -> None:
    response = client.post("/api/procedures/search-turn", json={
        "text": "lam giay khai sinh cho con", "query": "lam giay khai sinh cho con",
        "conversation_id": "turn-answered", "channel": "web", **THRESHOLDS})
    assert response.status_code == 200
    body = response.json()
    search = client.get("/api/procedures/search", params={"q": "lam giay khai sinh cho con", "k": 3}).json()
    assert [h["code"] for h in body["hits"]] == [h["code"] for h in search["hits"]]
    assert body["confidence"] == search["confidence"]
    assert body["outcome"] == "answered"
    assert [a["topic"] for a in body["answers"]] == ["overview", "documents"]
    for answer in body["answers"]:
        alone = client.get(f"/api/procedures/{answer['code']}/answer", params={"topic": answer["topic"]}).json()
        assert answer["messages"] == alone["messages"]
    (logged,) = _logged(kb_settings, "turn-answered")
    assert (logged.outcome, logged.channel, logged.procedure_code) == ("answered", "web", "1.001193")
    assert logged.confidence == round(body["confidence"], 4)


def test_search_turn_judges_with_the_thresholds_it_is_given(client: TestClient, kb_settings: Settings) -> None:
    strict = {**THRESHOLDS, "confident": 1.0}
    body = client.post("/api/procedures/search-turn", json={
        "text": "khai sinh", "query": "khai sinh", "conversation_id": "turn-strict", **strict}).json()
    assert body["outcome"] == "ambiguous"
    assert body["answers"] == [] and body["hits"]
    nothing = {**THRESHOLDS, "confident": 1.0, "choices_min": 1.0}
    unknown = client.post("/api/procedures/search-turn", json={
        "text": "cấp giấy phép khai thác cát", "query": "cấp giấy phép khai thác cát", "conversation_id": "turn-low",
        **nothing})
    assert unknown.json()["outcome"] == "low_confidence"
    assert [r.outcome for r in _logged(kb_settings, "turn-low")] == ["low_confidence"]


@pytest.mark.parametrize("route", ["procedure", "gate"])
def test_small_talk_is_off_topic_on_either_route_and_logged_as_out_of_scope(
    client: TestClient, kb_settings: Settings, route: str
) -> None:
    body = client.post("/api/procedures/search-turn", json={
        "text": "giá vàng hôm nay", "query": "giá vàng hôm nay", "conversation_id": f"turn-off-{route}",
        "route": route, **THRESHOLDS}).json()
    assert body["outcome"] == "off_topic" and body["answers"] == []
    assert [r.outcome for r in _logged(kb_settings, f"turn-off-{route}")] == ["out_of_scope"]


def test_a_gated_message_reaches_a_procedure_on_the_evidence_of_its_words(client: TestClient) -> None:
    body = client.post("/api/procedures/search-turn", json={
        "text": "dang ky khai sinh cho con", "query": "dang ky khai sinh cho con", "conversation_id": "turn-gate",
        "route": "gate", **THRESHOLDS}).json()
    assert body["outcome"] == "answered"
    assert body["answers"][0]["code"] == "1.001193"


def test_search_turn_refuses_overlong_text(client: TestClient) -> None:
    response = client.post("/api/procedures/search-turn", json={
        "text": "khai sinh " * 200, "query": "khai sinh " * 200, "conversation_id": "turn-long", **THRESHOLDS})
    assert response.status_code == 422


def test_a_documents_part_button_answers_that_part_and_names_the_plain_code(client: TestClient) -> None:
    first = client.get("/api/procedures/1.001193/answer", params={"topic": "documents"}).json()
    payloads = [b["payload"] for m in first["messages"] for b in m["buttons"]]
    part_code = next(p.split('"procedure_code":"')[1].split('"')[0] for p in payloads if "-special" in p)

    body = client.get(f"/api/procedures/{part_code}/answer", params={"topic": "documents"}).json()

    assert body["code"] == "1.001193", "follow-ups after the button stay on the same procedure"
    assert body["messages"][0]["text"] != first["messages"][0]["text"]
    assert client.get("/api/procedures/1.001193-nothing/answer", params={"topic": "documents"}).status_code == 404
