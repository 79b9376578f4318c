"""A citizen checks a SYNTHETIC demo dossier through `/api/chat`: the form, the status, notifications."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest

from assistant.config import Settings
from assistant.db import create_db_engine, create_session_factory
from dossiers import texts_vi
from dossiers.calendar import HolidayCalendar
from dossiers.demo_data import DEMO_FILE
from dossiers.importer import import_file
from tests import chat_ids
from tests.e2e.conftest import RunningSystem

pytestmark = pytest.mark.rasa

# A demo dossier of the synthetic set (dossiers/seed/demo_dossiers.json); its verification answer is
# the last 4 digits of its code, as the set's note says.
DEMO_CODE = "000.31.12.H62-261102-0001"
DEMO_ANSWER = DEMO_CODE[-4:]


@pytest.fixture(scope="module")
def demo_dossiers(kb_settings: Settings) -> Iterator[None]:
    engine = create_db_engine(kb_settings.database_url)
    try:
        import_file(create_session_factory(engine), DEMO_FILE, pepper=kb_settings.dossier_pepper.get_secret_value(),
                    calendar=HolidayCalendar.from_file(kb_settings.dossier_holidays_file), source="demo",
                    synthetic=True)
    finally:
        engine.dispose()
    yield


def _chat(system: RunningSystem, sender: str, text: str) -> list[dict[str, object]]:
    response = system.chat(sender, text)
    assert response.status_code == 200, response.text
    messages = response.json()["messages"]
    assert messages, f"no reply to {text!r}"
    return messages


def _text(messages: list[dict[str, object]]) -> str:
    return "\n".join(str(m["text"]) for m in messages)


def _tracker_slots(system: RunningSystem, sender: str) -> dict[str, object]:
    rasa_url = system.process("rasa").spec.health_url.rsplit("/", 1)[0]
    response = httpx.get(f"{rasa_url}/conversations/{chat_ids.conversation(sender)}/tracker", timeout=10)
    response.raise_for_status()
    return response.json()["slots"]


def test_dossier_status_then_notifications(system: RunningSystem, demo_dossiers: None) -> None:
    sender = f"e2e-dossier-{uuid.uuid4().hex[:8]}"

    asked = _text(_chat(system, sender, "tôi muốn tra cứu hồ sơ"))
    assert "mã hồ sơ" in asked

    malformed = _text(_chat(system, sender, "12345"))
    assert texts_vi.CODE_EXAMPLE in malformed, "a malformed code gets the expected format"

    # Typed with spaces and in lower case: the app normalises it.
    verify = _text(_chat(system, sender, DEMO_CODE.lower().replace("-", " - ")))
    assert "4 số cuối" in verify and DEMO_CODE in verify

    status = _chat(system, sender, f"4 số cuối là {DEMO_ANSWER}")
    status_text = _text(status)
    assert DEMO_CODE in status_text
    assert "Đăng ký thường trú" in status_text
    offer = [b for m in status for b in m.get("buttons") or []]  # type: ignore[union-attr]
    assert "/subscribe_dossier" in [b["payload"] for b in offer]
    assert _tracker_slots(system, sender)["dossier_verification"] is None, "the answer is not kept"

    again = _text(_chat(system, sender, "/subscribe_dossier"))
    assert "4 số cuối" in again, "the verification is asked again, since it was not kept"
    confirmed = _text(_chat(system, sender, DEMO_ANSWER))
    assert confirmed and "4 số cuối" not in confirmed
    assert _tracker_slots(system, sender)["dossier_verification"] is None


def test_code_inside_the_question_and_a_wrong_answer(system: RunningSystem, demo_dossiers: None) -> None:
    sender = f"e2e-dossier-{uuid.uuid4().hex[:8]}"
    verify = _text(_chat(system, sender, f"hồ sơ {DEMO_CODE} của tôi đến đâu rồi"))
    assert "4 số cuối" in verify

    wrong = _text(_chat(system, sender, "0000" if DEMO_ANSWER != "0000" else "1111"))
    assert texts_vi.NOT_FOUND in wrong
    assert _tracker_slots(system, sender)["dossier_verification"] is None
