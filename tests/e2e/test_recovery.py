"""Real processes: Rasa stopped then restarted, the action server stopped then restarted. The citizen gets
a clear message while a part is down and a real answer as soon as it is back, with no restart of the app.
"""

from __future__ import annotations

import uuid

import pytest

from assistant import messages_vi, processes
from tests.e2e.conftest import RunningSystem

pytestmark = pytest.mark.rasa


def _texts(response_json: dict[str, object]) -> str:
    messages = response_json["messages"]
    assert isinstance(messages, list)
    return "\n".join(str(m["text"]) for m in messages)


def test_rasa_down_gives_the_apology_and_the_next_message_after_its_restart_is_answered(
        system: RunningSystem) -> None:
    sender = f"fault-{uuid.uuid4().hex[:8]}"
    processes.stop([system.process("rasa")])
    try:
        down = system.chat(sender, "đăng ký khai sinh cần gì")
    finally:
        system.restart("rasa")
    assert down.status_code == 503
    assert _texts(down.json()) == messages_vi.ASSISTANT_UNAVAILABLE
    back = system.chat(sender, "đăng ký khai sinh cần gì")
    assert back.status_code == 200
    assert "khai sinh" in _texts(back.json()).lower()


def test_after_the_action_server_returns_the_same_conversation_is_answered_again(system: RunningSystem) -> None:
    sender = f"fault-{uuid.uuid4().hex[:8]}"
    processes.stop([system.process("actions")])
    try:
        down = system.chat(sender, "đăng ký kết hôn cần gì")
    finally:
        system.restart("actions")
    assert down.status_code == 200 and "Traceback" not in down.text
    back = system.chat(sender, "đăng ký kết hôn cần gì")
    assert back.status_code == 200
    assert "kết hôn" in _texts(back.json()).lower()
