"""The old-address question after the 2025 merger, through `/api/chat` against the real processes."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from assistant.config import Settings
from assistant.db import create_db_engine, create_session_factory, session_scope
from communes.directory import seed_sample_centers
from communes.resolver import default_resolver
from tests.e2e.conftest import RunningSystem

pytestmark = pytest.mark.rasa


@pytest.fixture(scope="module")
def sample_centers(kb_settings: Settings) -> Iterator[None]:
    engine = create_db_engine(kb_settings.database_url)
    try:
        with session_scope(create_session_factory(engine)) as session:
            seed_sample_centers(session, default_resolver())
    finally:
        engine.dispose()
    yield


def _text(system: RunningSystem, sender: str, text: str) -> str:
    response = system.chat(sender, text)
    assert response.status_code == 200, response.text
    messages = response.json()["messages"]
    assert messages, f"no reply to {text!r}"
    return "\n".join(str(m["text"]) for m in messages)


def test_old_commune_and_district_give_the_new_commune(system: RunningSystem, sample_centers: None) -> None:
    sender = f"e2e-commune-{uuid.uuid4().hex[:8]}"
    answer = _text(system, sender, "tôi ở xã Yên Thịnh, huyện Yên Mô cũ thì giờ nộp hồ sơ ở đâu?")
    assert "Yên Mô" in answer


def test_with_a_procedure_under_discussion(system: RunningSystem, sample_centers: None) -> None:
    sender = f"e2e-commune-{uuid.uuid4().hex[:8]}"
    first = _text(system, sender, "đăng ký khai sinh cần giấy tờ gì")
    assert "khai sinh" in first.lower()
    answer = _text(system, sender, "toi o xa Yen Thinh huyen Yen Mo cu thi gio nop ho so o dau")
    assert "Yên Mô" in answer
