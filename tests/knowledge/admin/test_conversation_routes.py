"""Console pages of the unanswered inbox, the handover queue and the dashboard, through the real app."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from assistant.db import session_scope
from knowledge.admin.conversation_models import FeedbackRating, HandoverThread, QuestionRecord
from knowledge.admin.questions import PAGE_SIZE, record_question
from tests import chat_ids
from tests.knowledge.admin.conftest import StaffLogin

WORDING = "xin giấy xác nhận tơ hồng"
TARGET = "2.000635"  # a provincial procedure the wording does not resemble: only the alias can lift it


def _question(client: TestClient, text: str, outcome: str = "low_confidence", conversation: str = "web-1") -> None:
    response = client.post("/api/questions", json={"conversation_id": conversation, "channel": "api",
                                                   "text": text, "outcome": outcome, "confidence": 0.2})
    assert response.status_code == 204


def _ids(page: str) -> list[str]:
    return re.findall(r'name="question_id" value="(\d+)"', page)


def _first_hit(client: TestClient, query: str) -> str:
    response = client.get("/api/procedures/search", params={"q": query})
    assert response.status_code == 200
    return str(response.json()["hits"][0]["code"])


def test_linked_question_is_found_by_search_for_that_wording_right_after(
    admin_client: TestClient, staff_login: StaffLogin, session_factory: sessionmaker[Session],
) -> None:
    assert _first_hit(admin_client, WORDING) != TARGET
    _question(admin_client, WORDING)
    _question(admin_client, WORDING.capitalize() + " ạ", conversation="telegram:5")
    user = staff_login(admin_client, role="editor")
    page = admin_client.get("/admin/questions")
    assert page.status_code == 200 and "Số lần hỏi: 2" in page.text
    response = admin_client.post("/admin/questions/link", data={
        "csrf_token": user.csrf_token, "question_id": _ids(page.text)[:2], "procedure_code": TARGET},
        follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].endswith("ok=linked")
    assert _first_hit(admin_client, WORDING) == TARGET
    assert "Số lần hỏi" not in admin_client.get("/admin/questions").text
    with session_factory() as session:
        assert {r.status for r in session.scalars(select(QuestionRecord))} == {"linked"}


def test_linking_to_an_unknown_code_is_refused_and_keeps_the_group(
    admin_client: TestClient, staff_login: StaffLogin,
) -> None:
    _question(admin_client, "hỏi lung tung")
    user = staff_login(admin_client, role="editor")
    ids = _ids(admin_client.get("/admin/questions").text)
    response = admin_client.post("/admin/questions/link", data={
        "csrf_token": user.csrf_token, "question_id": ids, "procedure_code": "9.999999"})
    assert response.status_code == 422 and "9.999999" in response.text
    assert _ids(admin_client.get("/admin/questions").text) == ids


def test_out_of_scope_empties_the_inbox(admin_client: TestClient, staff_login: StaffLogin) -> None:
    _question(admin_client, "giá vàng hôm nay", outcome="fallback")
    user = staff_login(admin_client, role="editor")
    ids = _ids(admin_client.get("/admin/questions").text)
    response = admin_client.post("/admin/questions/out-of-scope",
                                 data={"csrf_token": user.csrf_token, "question_id": ids})
    assert response.status_code == 200 and "Đã đánh dấu ngoài phạm vi." in response.text
    assert _ids(response.text) == []


def test_html_in_questions_is_shown_escaped(admin_client: TestClient, staff_login: StaffLogin) -> None:
    _question(admin_client, '<script>alert("x")</script> làm sổ đỏ')
    _question(admin_client, '<img src=x onerror=alert(1)> làm sổ đỏ')
    staff_login(admin_client, role="editor")
    page = admin_client.get("/admin/questions").text
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; làm sổ đỏ" in page


def test_anonymous_and_csrf_less_requests_are_refused(admin_client: TestClient, staff_login: StaffLogin) -> None:
    for path in ("/admin/questions", "/admin/handover", "/admin/dashboard", "/admin/handover/1"):
        response = admin_client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/admin/login"), path
    _question(admin_client, "câu hỏi")
    staff_login(admin_client, role="editor")
    ids = _ids(admin_client.get("/admin/questions").text)
    for data in ({"question_id": ids}, {"question_id": ids, "csrf_token": "forged"}):
        assert admin_client.post("/admin/questions/out-of-scope", data=data).status_code == 403
    assert _ids(admin_client.get("/admin/questions").text) == ids


def test_thread_ids_beyond_the_column_are_refused_not_crashed(admin_client: TestClient,
                                                              staff_login: StaffLogin) -> None:
    too_big = 2**31
    anonymous = admin_client.get(f"/admin/handover/{too_big}", follow_redirects=False)
    assert anonymous.status_code == 303  # still the login first, whatever the id
    user = staff_login(admin_client, role="editor")
    assert admin_client.get(f"/admin/handover/{too_big}").status_code == 422
    assert admin_client.post(f"/admin/handover/{too_big}/take", data={"csrf_token": user.csrf_token}).status_code == 422
    assert admin_client.get(f"/admin/handover/{too_big - 1}").status_code == 404


def test_clerk_answers_a_web_conversation_and_gives_it_back(
    admin_client: TestClient, staff_login: StaffLogin, session_factory: sessionmaker[Session],
) -> None:
    body = {"conversation_id": chat_ids.conversation("web-42"), "channel": "api", "reason": "asked",
            "active_procedure": "1.001193"}
    assert admin_client.post("/api/handover", json=body).status_code == 200
    user = staff_login(admin_client, role="editor")
    queue = admin_client.get("/admin/handover").text
    [thread_id] = re.findall(r'href="/admin/handover/(\d+)"', queue)
    page = admin_client.get(f"/admin/handover/{thread_id}").text
    assert "1.001193" in page and "đăng ký khai sinh" in page.lower()

    empty = admin_client.post(f"/admin/handover/{thread_id}/reply", data={"csrf_token": user.csrf_token, "text": " "})
    assert empty.status_code == 422
    sent = admin_client.post(f"/admin/handover/{thread_id}/reply",
                             data={"csrf_token": user.csrf_token, "text": "Chào bạn <b>Lan</b>"})
    assert sent.status_code == 200 and "Đã gửi tới người dân." in sent.text
    assert "Chào bạn &lt;b&gt;Lan&lt;/b&gt;" in sent.text
    poll = admin_client.get(f"/api/chat/{chat_ids.signed('web-42')}/messages").json()
    assert [m["text"] for m in poll["messages"]] == ["Chào bạn <b>Lan</b>"] and poll["handover"] is True
    with session_factory() as session:
        thread = session.scalars(select(HandoverThread)).one()
        assert (thread.status, thread.clerk) == ("held", user.username)

    closed = admin_client.post(f"/admin/handover/{thread_id}/close", data={"csrf_token": user.csrf_token})
    assert closed.status_code == 200 and "Không có cuộc trò chuyện nào đang chờ cán bộ." in closed.text
    assert admin_client.get(f"/api/chat/{chat_ids.signed('web-42')}/messages").json()["handover"] is False


def test_a_reply_to_an_unconfigured_channel_keeps_the_text(admin_client: TestClient,
                                                          staff_login: StaffLogin) -> None:
    body = {"conversation_id": "zalo:99", "channel": "zalo", "reason": "gave_up"}
    admin_client.post("/api/handover", json=body)
    user = staff_login(admin_client, role="editor")
    [thread_id] = re.findall(r'href="/admin/handover/(\d+)"', admin_client.get("/admin/handover").text)
    response = admin_client.post(f"/admin/handover/{thread_id}/reply",
                                 data={"csrf_token": user.csrf_token, "text": "Chào anh Ba"})
    assert response.status_code == 502 and "Chưa gửi được" in response.text and "Chào anh Ba" in response.text


def test_dashboard_shows_the_numbers_of_known_data(
    admin_client: TestClient, staff_login: StaffLogin, session_factory: sessionmaker[Session],
) -> None:
    now = datetime.now(UTC)
    with session_scope(session_factory) as session:
        for channel, outcome, code in [("telegram", "answered", "1.001193"), ("telegram", "answered", "1.001193"),
                                       ("api", "answered", "1.000894"), ("zalo", "fallback", None)]:
            record_question(session, conversation_id="c", channel=channel, text="hỏi", outcome=outcome,
                            procedure_code=code)
        old = QuestionRecord(conversation_id="c", channel="api", text="cũ", normalized="cu", outcome="answered",
                             created_at=now - timedelta(days=40))
        session.add(old)
        session.add_all([FeedbackRating(conversation_id="c", channel="api", rating=r) for r in (5, 4, 3)])
        session.add(HandoverThread(conversation_id="c", channel="api", reason="asked", status="queued"))
    staff_login(admin_client, role="editor")
    page = admin_client.get("/admin/dashboard").text
    assert '<td id="total">4</td>' in page
    assert '<td id="answered">3 (75%)</td>' in page
    assert '<td id="handovers">1 (1 đang chờ)</td>' in page
    assert '<td id="rating">4.0 / 5 (3)</td>' in page
    top = re.search(r'<table class="top-procedures">(.*?)</table>', page, re.S)
    assert top and re.findall(r"<td>([\d.]+)</td><td>[^<]*</td><td>(\d+)</td>", top.group(1)) == [
        ("1.001193", "2"), ("1.000894", "1")]
    channels = re.search(r'<table class="per-channel">(.*?)</table>', page, re.S)
    assert channels and re.findall(r"<th>([^<]+)</th><td>(\d+)</td>", channels.group(1)) == [
        ("Telegram", "2"), ("Trang web", "1"), ("Zalo", "1")]


def test_console_pages_are_for_signed_in_staff_of_either_role(admin_app: FastAPI, admin_client: TestClient,
                                                             staff_login: StaffLogin) -> None:
    staff_login(admin_client, role="publisher")
    for path in ("/admin/questions", "/admin/handover", "/admin/dashboard"):
        assert admin_client.get(path).status_code == 200, path


def _nonsense(n: int) -> str:
    """A distinct wording per number, without digits (a number would be masked and dropped from the form)."""
    letters = "bcdghklmnpqrstvx"
    word = "".join(letters[int(d, 16)] for d in f"{n:04x}")
    return f"hỏi linh tinh {word} {word[::-1]}a"


def test_the_inbox_is_paged_when_a_flood_of_nonsense_fills_it(
    admin_client: TestClient, staff_login: StaffLogin, session_factory: sessionmaker[Session],
) -> None:
    flood = 400
    with session_scope(session_factory) as session:
        for n in range(flood):
            record_question(session, conversation_id=f"web-{n}", channel="api", text=_nonsense(n),
                            outcome="fallback")
        for _ in range(3):  # the most asked wording comes first
            record_question(session, conversation_id="web-x", channel="api", text="xin giấy phép nuôi rồng",
                            outcome="low_confidence")
    staff_login(admin_client, role="editor")
    first = admin_client.get("/admin/questions")
    assert first.status_code == 200
    assert first.text.count('class="question-group"') == PAGE_SIZE
    assert "xin giấy phép nuôi rồng" in first.text.split('class="question-group"')[1]
    pages = -(-(flood + 1) // PAGE_SIZE)
    assert f"Trang 1/{pages} ({flood + 1} cách hỏi đang chờ)" in first.text
    assert 'href="/admin/questions?page=2"' in first.text
    seen = set(_ids(first.text))
    for page in range(2, pages + 1):
        text = admin_client.get("/admin/questions", params={"page": page}).text
        ids = set(_ids(text))
        assert ids and not ids & seen, page
        seen |= ids
    assert len(seen) == flood + 3  # every question is on exactly one page
    assert admin_client.get("/admin/questions", params={"page": 0}).status_code == 422
