from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from assistant.config import Settings
from assistant.main import create_app
from assistant.search_service import SearchService
from dossiers import texts_vi
from dossiers.calendar import HolidayCalendar
from dossiers.importer import import_file

PEPPER = "a-test-pepper-that-is-long-enough-1234"
PHONE, PHONE4 = "0987 617 394", "7394"
ID_NUMBER, ID4 = "001090062816", "2816"
CODE = "000.00.15.H29-260212-0003"
WRONG = "4049"


@pytest.fixture
def client(db_url: str, session_factory: sessionmaker[Session], tmp_path: Path) -> Iterator[TestClient]:
    path = tmp_path / "d.json"
    path.write_text(json.dumps([{
        "code": CODE, "procedure_code": "1.001193", "procedure_name": "Thủ tục đăng ký khai sinh",
        "agency": "UBND xã Yên Thịnh", "received_at": "2026-02-12T09:00:00+07:00", "processing_days": 3,
        "status": "in_process", "phone": PHONE, "id_number": ID_NUMBER, "expected_date": "2026-03-02",
        "history": [{"status": "received", "at": "2026-02-12T09:00:00+07:00"},
                    {"status": "in_process", "at": "2026-02-12T10:00:00+07:00"}]}]), encoding="utf-8")
    report = import_file(session_factory, path, pepper=PEPPER, calendar=HolidayCalendar.from_file())
    assert report.created == 1
    settings = Settings(database_url=db_url, index_dir=tmp_path / "index", rasa_url="http://127.0.0.1:9",
                        action_server_url="http://127.0.0.1:9", dossier_pepper=PEPPER)
    with TestClient(create_app(settings, search=SearchService(settings, session_factory))) as test_client:
        yield test_client


def _lookup(client: TestClient, answer: str, *, code: str = CODE, sender: str = "web-1") -> object:
    return client.post("/api/dossiers/lookup", json={"code": code, "verification": answer, "sender_id": sender})


def test_parse_code_normalises_or_explains_the_format(client: TestClient) -> None:
    ok = client.post("/api/dossiers/parse-code", json={"text": "mã: ０００.００.１５.h29 - 260212 - 0003"})
    assert ok.status_code == 200 and ok.json() == {"code": CODE}
    bad = client.post("/api/dossiers/parse-code", json={"text": "0987617394"})
    assert bad.status_code == 422
    assert bad.json() == {"detail": {"code": "malformed_code", "message": texts_vi.MALFORMED_CODE}}


def test_lookup_shows_an_overdue_dossier_with_apology_new_date_and_complaint(client: TestClient) -> None:
    response = _lookup(client, ID4)
    assert response.status_code == 200  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert body["code"] == CODE and body["status"] == "in_process" and body["status_label"] == "Đang giải quyết"
    assert body["due_date"] == "2026-02-24" and body["overdue"] is True  # 3 working days across Tết
    assert body["expected_date"] == "2026-03-02"
    assert [h["status"] for h in body["history"]] == ["received", "in_process"]
    assert "quá hạn" in body["text"] and "xin lỗi" in body["text"] and "02/03/2026" in body["text"]
    assert "Phản ánh kiến nghị" in body["text"] and "Phản ánh kiến nghị" in body["next_step"]
    assert set(body) == {"code", "procedure_code", "procedure_name", "agency", "status", "status_label",
                         "received_at", "due_date", "overdue", "expected_date", "history", "missing_documents",
                         "pickup_place", "next_step", "text"}


def test_unknown_code_and_wrong_answer_get_byte_identical_404s(client: TestClient) -> None:
    wrong = _lookup(client, WRONG, sender="web-a")
    unknown = _lookup(client, PHONE4, code="000.00.15.H29-260212-0004", sender="web-b")
    assert wrong.status_code == unknown.status_code == 404  # type: ignore[attr-defined]
    assert wrong.content == unknown.content  # type: ignore[attr-defined]
    assert wrong.json()["detail"]["code"] == "not_found"  # type: ignore[attr-defined]


@pytest.mark.parametrize("payload", [
    {"code": "abc", "verification": "7394", "sender_id": "web-1"},
    {"code": CODE, "verification": "73945", "sender_id": "web-1"},
    {"code": CODE, "verification": "7394", "sender_id": "bad sender <x>"},
    {"code": CODE, "verification": {"x": "0987617394"}, "sender_id": "web-1"},
    {"code": CODE},
])
def test_malformed_requests_get_422_without_echoing_them(client: TestClient, payload: dict[str, object]) -> None:
    response = client.post("/api/dossiers/lookup", json=payload)
    assert response.status_code == 422
    assert response.json()["detail"]["code"] in {"malformed_code", "malformed_verification", "invalid_request"}
    assert "7394" not in response.text and "0987617394" not in response.text


def test_repeated_failures_for_one_sender_or_one_code_are_rate_limited(client: TestClient) -> None:
    for _ in range(5):
        assert _lookup(client, WRONG, sender="web-x").status_code == 404  # type: ignore[attr-defined]
    blocked = _lookup(client, PHONE4, sender="web-x")  # even the right answer: checked before any work
    assert blocked.status_code == 429  # type: ignore[attr-defined]
    detail = blocked.json()["detail"]  # type: ignore[attr-defined]
    assert detail["code"] == "rate_limited" and 800 <= detail["retry_after_s"] <= 900
    # The same code from another sender is also refused now: the code itself has 5 failures.
    assert _lookup(client, PHONE4, sender="web-y").status_code == 429  # type: ignore[attr-defined]
    # Another code from a fresh sender is not affected.
    assert _lookup(client, WRONG, code="000.00.15.H29-260212-0009", sender="web-z").status_code == 404  # type: ignore[attr-defined]


def _import_status(session_factory: sessionmaker[Session], tmp_path: Path, status: str) -> None:
    path = tmp_path / f"{status}.json"
    path.write_text(json.dumps([{
        "code": CODE, "procedure_code": "1.001193", "procedure_name": "Thủ tục đăng ký khai sinh",
        "agency": "UBND xã Yên Thịnh", "received_at": "2026-02-12T09:00:00+07:00", "processing_days": 3,
        "status": status, "phone": PHONE, "id_number": ID_NUMBER, "expected_date": "2026-03-02",
        "history": [{"status": "received", "at": "2026-02-12T09:00:00+07:00"},
                    {"status": "in_process", "at": "2026-02-12T10:00:00+07:00"},
                    {"status": status, "at": "2026-02-13T10:00:00+07:00"}]}]), encoding="utf-8")
    import_file(session_factory, path, pepper=PEPPER, calendar=HolidayCalendar.from_file())


def test_subscription_then_notifications_listing_needs_the_verification_too(
        client: TestClient, session_factory: sessionmaker[Session], tmp_path: Path) -> None:
    body = {"code": CODE, "verification": PHONE4, "sender_id": "telegram:42", "channel": "telegram"}
    created = client.post("/api/dossiers/subscriptions", json=body)
    assert created.status_code == 201 and CODE in created.json()["text"]
    again = client.post("/api/dossiers/subscriptions", json=body)
    assert again.status_code == 201 and "từ trước" in again.json()["text"]
    wrong = client.post("/api/dossiers/subscriptions", json={**body, "verification": WRONG})
    assert wrong.status_code == 404
    _import_status(session_factory, tmp_path, "ready_for_pickup")
    # A sender id alone (a Telegram chat id is no secret) no longer reads the code and the new status.
    assert client.get("/api/dossiers/notifications", params={"sender_id": "telegram:42"}).status_code == 405
    ask = {"code": CODE, "verification": PHONE4, "sender_id": "telegram:42"}
    refused = client.post("/api/dossiers/notifications", json={**ask, "verification": WRONG})
    assert refused.status_code == 404 and refused.json() == {"detail": {"code": "not_found",
                                                                         "message": texts_vi.NOT_FOUND}}
    listed = client.post("/api/dossiers/notifications", json=ask)
    assert listed.status_code == 200
    [notice] = listed.json()["notifications"]
    assert notice["code"] == CODE and notice["channel"] == "telegram" and "Đã có kết quả" in notice["text"]
    other = client.post("/api/dossiers/notifications", json={**ask, "sender_id": "telegram:43"})
    assert other.status_code == 200 and other.json() == {"notifications": []}  # not a subscriber


def test_forty_guesses_from_one_address_with_rotating_sender_ids_meet_429(client: TestClient) -> None:
    """Every guess names another code and another sender: only the address budget (20 by default) sees them."""
    statuses = [_lookup(client, WRONG, code=f"000.00.15.H29-260212-{i + 100:04d}",  # type: ignore[attr-defined]
                        sender=f"web-rot-{i}").status_code for i in range(40)]
    assert statuses == [404] * 20 + [429] * 20
    # Subscriptions and notice readings spend from the same budget.
    subscription = client.post("/api/dossiers/subscriptions", json={
        "code": CODE, "verification": PHONE4, "sender_id": "web-new", "channel": "web"})
    assert subscription.status_code == 429 and subscription.json()["detail"]["code"] == "rate_limited"


def test_the_address_budget_is_the_real_clients_not_the_senders(
        db_url: str, session_factory: sessionmaker[Session], tmp_path: Path) -> None:
    settings = Settings(database_url=db_url, index_dir=tmp_path / "index", rasa_url="http://127.0.0.1:9",
                        action_server_url="http://127.0.0.1:9", dossier_pepper=PEPPER, rate_limit_dossier_per_ip=3,
                        rate_limit_dossier_global=5, actions_token="an-actions-token-of-enough-length")
    app = create_app(settings, search=SearchService(settings, session_factory))

    def guesses(client: TestClient, count: int, **headers: str) -> list[int]:
        return [client.post("/api/dossiers/lookup", headers=headers, json={
            "code": f"000.00.15.H29-260212-{i + 200:04d}", "verification": WRONG,
            "sender_id": f"web-{uuid.uuid4().hex[:8]}"}).status_code for i in range(count)]

    with TestClient(app, client=("203.0.113.1", 1)) as first, TestClient(app, client=("203.0.113.2", 1)) as second:
        assert guesses(first, 4) == [404, 404, 404, 429]
        assert guesses(second, 3) == [404, 404, 429]  # the global budget (5) is spent now
        # The action server's calls have their own global budget, counted per conversation.
        bot = {"X-Assistant-Token": "an-actions-token-of-enough-length"}
        assert guesses(first, 2, **bot) == [404, 404]


def test_deeply_nested_json_is_a_422_not_a_500(client: TestClient) -> None:
    for body in ("[" * 2000 + "]" * 2000, '{"code":' * 600 + "1" + "}" * 600):
        response = client.post("/api/dossiers/lookup", content=body, headers={"Content-Type": "application/json"})
        assert response.status_code == 422
        assert response.json() == {"detail": {"code": "invalid_request", "message": texts_vi.INVALID_REQUEST}}


def test_lookups_and_staff_login_still_answer_when_redis_is_down(
        db_url: str, session_factory: sessionmaker[Session], tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    """Limits fail open: nothing listens on port 1, so every Redis call is refused at once."""
    _import_status(session_factory, tmp_path, "in_process")
    settings = Settings(database_url=db_url, index_dir=tmp_path / "index", rasa_url="http://127.0.0.1:9",
                        action_server_url="http://127.0.0.1:9", dossier_pepper=PEPPER, redis_url="redis://127.0.0.1:1/0")
    with caplog.at_level(logging.WARNING), TestClient(
            create_app(settings, search=SearchService(settings, session_factory))) as client:
        assert _lookup(client, PHONE4).status_code == 200  # type: ignore[attr-defined]
        assert _lookup(client, WRONG).status_code == 404  # type: ignore[attr-defined]
        form = client.get("/admin/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert form.status_code == 200 and token is not None
        login = client.post("/admin/login", data={"username": "nobody", "password": "wrong-password",
                                                  "csrf_token": token.group(1)})
        assert login.status_code == 401
    assert any("rate limits not enforced" in r.getMessage() for r in caplog.records)


def test_no_log_line_or_error_body_carries_phone_id_or_answer(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    bodies = []
    with caplog.at_level(logging.DEBUG):
        for answer, sender in ((PHONE4, "web-1"), (ID4, "web-2"), (WRONG, "web-3"), (PHONE, "web-4"),
                               (ID_NUMBER, "web-5")):
            bodies.append(_lookup(client, answer, sender=sender).text)  # type: ignore[attr-defined]
        bodies.append(client.post("/api/dossiers/subscriptions", json={
            "code": CODE, "verification": PHONE4, "sender_id": "zalo:7", "channel": "zalo"}).text)
        bodies.append(client.post("/api/dossiers/parse-code", json={"text": PHONE}).text)
        for _ in range(6):
            bodies.append(_lookup(client, ID4, code="000.00.15.H29-260212-0007", sender="web-6").text)  # type: ignore[attr-defined]
    lines = [record.getMessage() for record in caplog.records]
    assert any("dossier" in line for line in lines)  # the lookups did log
    secrets = (PHONE, PHONE.replace(" ", ""), PHONE4, ID_NUMBER, ID4, WRONG)
    error_bodies = [b for b in bodies if '"detail"' in b]
    assert len(error_bodies) >= 8
    for text in lines + error_bodies:
        for secret in secrets:
            assert secret not in text, f"{secret!r} leaked into {text!r}"


def test_successful_lookups_do_not_count_as_failures(client: TestClient) -> None:
    """A guess is counted as a failure before the answer is known; a right answer takes that back."""
    assert {_lookup(client, PHONE4, sender="web-s").status_code for _ in range(7)} == {200}  # type: ignore[attr-defined]
    assert [_lookup(client, WRONG, sender="web-s").status_code for _ in range(6)] == [404] * 5 + [429]  # type: ignore[attr-defined]
