"""Multi-turn conversations through `/api/chat` against the real app, Rasa and action server."""

from __future__ import annotations

import uuid

import httpx
import pytest

from assistant import messages_vi, processes
from tests.e2e.conftest import RunningSystem

pytestmark = pytest.mark.rasa


def _texts(response_json: dict[str, object]) -> str:
    messages = response_json["messages"]
    assert isinstance(messages, list)
    return "\n".join(str(m["text"]) for m in messages)


def _sender() -> str:
    return f"e2e-{uuid.uuid4().hex[:10]}"


def test_birth_registration_without_diacritics_then_fee_follow_up(system: RunningSystem) -> None:
    sender = _sender()
    first = system.chat(sender, "lam giay khai sinh cho con can giay to gi")
    assert first.status_code == 200
    text = _texts(first.json())
    assert "khai sinh" in text.lower()
    assert "Giấy chứng sinh" in text  # the document list of the commune-level birth registration

    fee = system.chat(sender, "lệ phí bao nhiêu?")
    assert fee.status_code == 200
    fee_text = _texts(fee.json())
    assert "khai sinh" in fee_text.lower()
    assert "miễn phí" in fee_text.lower()


def test_vague_question_gets_buttons_and_a_button_press_answers_that_procedure(system: RunningSystem) -> None:
    sender = _sender()
    response = system.chat(sender, "chứng thực")
    assert response.status_code == 200
    buttons = [b for m in response.json()["messages"] for b in m["buttons"]]
    choices = [b for b in buttons if b["payload"].startswith("/choose")]
    assert 2 <= len(choices) <= 4, response.json()
    chosen = choices[0]
    answer = system.chat(sender, chosen["payload"])
    assert answer.status_code == 200
    code = chosen["payload"].split('"procedure_code":"')[1].split('"')[0]
    follow = system.chat(sender, "mất bao lâu")
    assert follow.status_code == 200
    assert _texts(answer.json()) and _texts(follow.json())
    assert code  # the button carried a procedure code the bot could act on


def test_two_conversations_keep_their_own_procedure(system: RunningSystem) -> None:
    birth, marriage = _sender(), _sender()
    system.chat(birth, "đăng ký khai sinh")
    system.chat(marriage, "dang ky ket hon")
    birth_fee = _texts(system.chat(birth, "lệ phí bao nhiêu").json()).lower()
    marriage_fee = _texts(system.chat(marriage, "le phi bao nhieu").json()).lower()
    assert "khai sinh" in birth_fee and "kết hôn" not in birth_fee
    assert "kết hôn" in marriage_fee and "khai sinh" not in marriage_fee


def test_out_of_scope_gets_a_polite_redirect(system: RunningSystem) -> None:
    text = _texts(system.chat(_sender(), "hôm nay thời tiết thế nào").json())
    assert text
    assert "thủ tục" in text.lower()


def test_only_the_action_server_may_write_with_the_secret_made_for_this_start(system: RunningSystem) -> None:
    # system_specs gave the app and the action server one new secret: the action server's search turn passes...
    answered = _texts(system.chat(_sender(), "dang ky ket hon can giay to gi").json()).lower()
    assert "kết hôn" in answered
    # ...while anyone else reaching the app's port is refused on the routes the proxy would keep internal.
    question = {"conversation_id": _sender(), "channel": "web", "text": "thư rác", "outcome": "fallback"}
    assert httpx.post(f"{system.app_url}/api/questions", json=question, timeout=10).status_code == 401
    assert httpx.post(f"{system.app_url}/api/questions", json=question, timeout=10,
                      headers={"X-Assistant-Token": "guessed-" + "x" * 40}).status_code == 401
    secret = system.process("app").spec.env["ASSISTANT_ACTIONS_TOKEN"]
    logs = {name: system.process(name).log_path.read_text(encoding="utf-8", errors="replace")
            for name in ("app", "actions")}
    assert "ASSISTANT_ACTIONS_TOKEN is not set" not in logs["app"]
    assert all(secret not in log for log in logs.values())


def test_with_the_action_server_stopped_the_citizen_still_gets_an_apology(system: RunningSystem) -> None:
    actions = system.process("actions")
    processes.stop([actions])
    try:
        response = system.chat(_sender(), "đăng ký kết hôn cần gì")
    finally:
        system.restart("actions")
    assert response.status_code == 200
    text = _texts(response.json())
    assert text in {messages_vi.NO_REPLY} or "xin lỗi" in text.lower()
    assert "Traceback" not in text and "Exception" not in text
