"""POST /api/questions, /api/handover, /api/feedback and the widget's poll, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from assistant import messages_vi
from assistant.config import Settings
from assistant.main import create_app
from assistant.routes.conversations import now
from assistant.search_service import SearchService
from knowledge.admin.conversation_models import FeedbackRating, HandoverThread, QuestionRecord

# 2026-12-01 is a Tuesday; 03:00 UTC is 10:00 in Hà Nội (open), 11:00 UTC is 18:00 (closed).
IN_HOURS = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
EVENING = datetime(2026, 12, 1, 11, 0, tzinfo=UTC)
FRIDAY_EVENING = datetime(2026, 12, 4, 11, 0, tzinfo=UTC)


@pytest.fixture
def app(db_url: str, tmp_path: Path) -> Iterator[FastAPI]:
    settings = Settings(database_url=db_url, index_dir=tmp_path / "index", rasa_url="http://127.0.0.1:9")
    application = create_app(settings, search=SearchService(settings, sessionmaker()))
    with TestClient(application):
        yield application


@pytest.fixture
def client(app: FastAPI) -> TestClient:
    return TestClient(app)


def factory(app: FastAPI) -> sessionmaker[Session]:
    result: sessionmaker[Session] = app.state.services.session_factory
    return result


def test_question_is_logged_masked(app: FastAPI, client: TestClient) -> None:
    response = client.post("/api/questions", json={
        "conversation_id": "telegram:7", "channel": "telegram", "text": "<b>sổ đỏ</b> sđt 0912345678",
        "outcome": "low_confidence", "confidence": 0.31, "procedure_code": "1.000001"})
    assert response.status_code == 204
    with factory(app)() as session:
        row = session.scalars(select(QuestionRecord)).one()
    assert (row.text, row.outcome, row.confidence, row.procedure_code) == (
        "<b>sổ đỏ</b> sđt ***", "low_confidence", 0.31, "1.000001")


@pytest.mark.parametrize("change", [{"outcome": "great"}, {"channel": "sms"}, {"text": ""},
                                    {"confidence": 2.0}])
def test_bad_question_is_refused(client: TestClient, change: dict[str, object]) -> None:
    body = {"conversation_id": "c", "channel": "web", "text": "hỏi", "outcome": "fallback", **change}
    assert client.post("/api/questions", json=body).status_code == 422


def test_handover_in_hours_queues_and_says_soon(app: FastAPI, client: TestClient) -> None:
    app.dependency_overrides[now] = lambda: IN_HOURS
    response = client.post("/api/handover", json={"conversation_id": "web-1", "channel": "api",
                                                  "reason": "asked", "active_procedure": "1.001193"})
    assert response.status_code == 200
    assert response.json() == {"text": messages_vi.HANDOVER_IN_HOURS, "queued": True, "in_hours": True}
    with factory(app)() as session:
        thread = session.scalars(select(HandoverThread)).one()
    assert (thread.status, thread.reason, thread.active_procedure, thread.in_hours) == (
        "queued", "asked", "1.001193", True)


@pytest.mark.parametrize(("moment", "when"), [
    (EVENING, "07:30 ngày mai (thứ Tư, 02/12)"),
    (FRIDAY_EVENING, "07:30 thứ Hai, ngày 07/12"),
])
def test_handover_out_of_hours_says_when_someone_answers(app: FastAPI, client: TestClient, moment: datetime,
                                                         when: str) -> None:
    app.dependency_overrides[now] = lambda: moment
    body = client.post("/api/handover", json={"conversation_id": "telegram:9", "channel": "telegram",
                                              "reason": "gave_up", "active_procedure": None}).json()
    assert body == {"text": messages_vi.HANDOVER_OUT_OF_HOURS.format(when=when), "queued": True,
                    "in_hours": False}


def test_asking_twice_keeps_one_open_thread(app: FastAPI, client: TestClient) -> None:
    app.dependency_overrides[now] = lambda: IN_HOURS
    for reason in ("gave_up", "asked"):
        client.post("/api/handover", json={"conversation_id": "web-2", "channel": "api", "reason": reason})
    with factory(app)() as session:
        assert [t.reason for t in session.scalars(select(HandoverThread))] == ["asked"]


def test_feedback_is_stored_and_bad_ratings_refused(app: FastAPI, client: TestClient) -> None:
    for rating in (0, 6, "tốt"):
        body = {"conversation_id": "web-1", "channel": "api", "rating": rating}
        assert client.post("/api/feedback", json=body).status_code == 422
    response = client.post("/api/feedback", json={"conversation_id": "web-1", "channel": "api", "rating": 4,
                                                  "comment": "nhanh, gọi 0912345678"})
    assert response.status_code == 204
    with factory(app)() as session:
        row = session.scalars(select(FeedbackRating)).one()
    assert (row.rating, row.comment) == (4, "nhanh, gọi ***")


def test_poll_of_a_conversation_without_clerk_is_empty(client: TestClient) -> None:
    sender = client.post("/api/chat/session").json()["sender_id"]
    response = client.get(f"/api/chat/{sender}/messages", params={"after": 0})
    assert response.status_code == 200
    assert response.json() == {"messages": [], "handover": False}
    assert client.get("/api/chat/bad id/messages").status_code == 422
    # Past the largest id the column holds: a clear 422, not an overflow in the query.
    assert client.get(f"/api/chat/{sender}/messages", params={"after": 2**31}).status_code == 422
    assert client.get(f"/api/chat/{sender}/messages", params={"after": 2**31 - 1}).json()["messages"] == []


def test_poll_needs_the_signed_id_the_app_issued(client: TestClient) -> None:
    sender = client.post("/api/chat/session").json()["sender_id"]
    conversation = sender.split(".")[0]
    assert client.get(f"/api/chat/{conversation}/messages").status_code == 401
    assert client.get("/api/chat/web-abc/messages").status_code == 401
    assert client.get("/api/chat/telegram:5550001/messages").status_code == 422
