"""One conversation through /api/chat, the Telegram webhook and the Zalo webhook gets the same answers.

The real system (app, Rasa, action server) answers the plain API. A second app process, configured for
Telegram and Zalo with local fake platform servers, shares Rasa and the database: each turn is sent on the
three doors and the content arriving at each platform is compared with the API's, rendered per channel.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from assistant import messages_vi, processes
from assistant.config import Settings
from assistant.db import create_db_engine, create_session_factory
from channels.buttons import ButtonPayloadStore
from channels.models import DELIVERY_RECEIVED, ChannelDelivery
from channels.zalo_signature import signature_header
from tests.e2e.conftest import RunningSystem
from tests.fakes.local_server import LocalServer
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.zalo_api import FakeZaloApi

pytestmark = pytest.mark.rasa

TOKEN, SECRET = "777:e2e-token", "e2e-secret"
APP_ID, APP_SECRET, OA_SECRET = "e2e-app", "e2e-app-secret", "e2e-oa-secret"
CHAT_ID, ZALO_USER = 880001, "zalo-user-880001"

Content = list[tuple[str, tuple[tuple[str, str], ...]]]  # (text words joined, ((title, payload), ...))


@dataclass
class ChannelApp:
    url: str
    telegram: FakeTelegramApi
    zalo: FakeZaloApi
    payloads: ButtonPayloadStore
    settings: Settings


@pytest.fixture(scope="module")
def channel_app(system: RunningSystem, kb_settings: Settings,
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChannelApp]:
    rasa_url = system.process("rasa").spec.health_url.removesuffix("/status")
    telegram, zalo = FakeTelegramApi(TOKEN), FakeZaloApi(APP_ID, APP_SECRET)
    port = processes.free_port()
    with LocalServer(telegram.app) as telegram_server, LocalServer(zalo.app) as zalo_server:
        spec = processes.app_spec(port, {
            "ASSISTANT_DATABASE_URL": kb_settings.database_url,
            "ASSISTANT_INDEX_DIR": str(kb_settings.index_dir),
            "ASSISTANT_RASA_URL": rasa_url,
            "ASSISTANT_TELEGRAM_BOT_TOKEN": TOKEN, "ASSISTANT_TELEGRAM_SECRET_TOKEN": SECRET,
            "ASSISTANT_TELEGRAM_API_BASE": f"{telegram_server.url}/bot{{token}}",
            "ASSISTANT_ZALO_APP_ID": APP_ID, "ASSISTANT_ZALO_APP_SECRET": APP_SECRET,
            "ASSISTANT_ZALO_OA_SECRET": OA_SECRET, "ASSISTANT_ZALO_ACCESS_TOKEN": "AT-1",
            "ASSISTANT_ZALO_REFRESH_TOKEN": "RT-1", "ASSISTANT_ZALO_API_BASE": zalo_server.url,
            "ASSISTANT_ZALO_OAUTH_BASE": zalo_server.url,
        })
        spec.name = "channel-app"
        running = [processes.start(spec, tmp_path_factory.mktemp("channel-app"))]
        engine = create_db_engine(kb_settings.database_url)
        try:
            processes.wait_healthy(running, timeout_s=180)
            yield ChannelApp(f"http://127.0.0.1:{port}", telegram, zalo,
                             ButtonPayloadStore(create_session_factory(engine)), kb_settings)
        finally:
            processes.stop(running)
            engine.dispose()


def wait_answered(settings: Settings, channel: str, message_id: str, timeout_s: float = 60) -> str:
    """Webhooks answer at once; the reply follows. Wait until the delivery row leaves `received`."""
    engine = create_db_engine(settings.database_url)
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline:
            with engine.connect() as connection:
                status = connection.scalar(select(ChannelDelivery.status).where(
                    ChannelDelivery.channel == channel, ChannelDelivery.message_id == message_id))
            if status is not None and status != DELIVERY_RECEIVED:
                return str(status)
            time.sleep(0.1)
    finally:
        engine.dispose()
    raise AssertionError(f"{channel} message {message_id} not answered in {timeout_s} s")


def normalise(items: list[tuple[str, list[tuple[str, str]]]]) -> Content:
    """Platform pieces back to bot messages: filler texts dropped, whitespace and splits ignored."""
    text = " ".join(t for t, _ in items if t != messages_vi.MORE_CHOICES).split()
    buttons = tuple(b for _, group in items for b in group)
    return [(" ".join(text), buttons)]


def api_turn(system: RunningSystem, text: str) -> Content:
    response = system.chat("e2e-channels-api", text)
    assert response.status_code == 200, response.text
    return normalise([(m["text"], [(b["title"], b["payload"]) for b in m["buttons"]])
                      for m in response.json()["messages"]])


def telegram_turn(app: ChannelApp, update: dict[str, Any]) -> Content:
    before = len(app.telegram.calls_to("sendMessage"))
    response = httpx.post(f"{app.url}/webhooks/telegram", json=update, timeout=10,
                          headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
    assert response.status_code == 200, response.text
    assert wait_answered(app.settings, "telegram", str(update["update_id"])) == "sent"
    items = []
    for call in app.telegram.calls_to("sendMessage")[before:]:
        rows = call.params.get("reply_markup", {}).get("inline_keyboard", [])
        items.append((call.params["text"], [(b["text"], app.payloads.resolve(b["callback_data"]) or "")
                                            for row in rows for b in row]))
    return normalise(items)


def zalo_turn(app: ChannelApp, body: dict[str, Any]) -> Content:
    before = len(app.zalo.sends)
    raw = json.dumps(body, ensure_ascii=False).encode()
    response = httpx.post(f"{app.url}/webhooks/zalo", content=raw, timeout=10, headers={
        "Content-Type": "application/json",
        "X-ZEvent-Signature": signature_header(APP_ID, raw, body["timestamp"], OA_SECRET)})
    assert response.status_code == 200, response.text
    message_id = body.get("message", {}).get("msg_id") or f"follow:{ZALO_USER}:{body['timestamp']}"
    assert wait_answered(app.settings, "zalo", message_id) == "sent"
    items = []
    for send in app.zalo.sends[before:]:
        buttons = send.message.get("attachment", {}).get("payload", {}).get("buttons", [])
        assert len(buttons) <= 5 and all(b["type"] == "oa.query.show" for b in buttons)
        items.append((send.message.get("text", ""), [(b["title"], b["payload"]) for b in buttons]))
    return normalise(items)


def tg_message(update_id: int, text: str) -> dict[str, Any]:
    person = {"id": CHAT_ID, "is_bot": False, "first_name": "Hà"}
    return {"update_id": update_id, "message": {"message_id": update_id, "date": int(time.time()),
                                                "chat": {"id": CHAT_ID, "type": "private"}, "from": person,
                                                "text": text}}


def tg_press(update_id: int, data: str) -> dict[str, Any]:
    person = {"id": CHAT_ID, "is_bot": False, "first_name": "Hà"}
    shown = {"message_id": 1, "date": int(time.time()), "chat": {"id": CHAT_ID, "type": "private"},
             "text": "…"}
    query = {"id": f"cb{update_id}", "from": person, "chat_instance": "e2e", "data": data, "message": shown}
    return {"update_id": update_id, "callback_query": query}


def zalo_event(name: str, number: int, text: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"app_id": APP_ID, "event_name": name, "timestamp": str(1764000000000 + number),
                            "sender": {"id": ZALO_USER}, "recipient": {"id": "oa"}}
    if name == "follow":
        body["follower"] = {"id": ZALO_USER}
    else:
        body["message"] = {"msg_id": f"e2e-msg-{number}", "text": text}
    return body


def test_the_same_conversation_gets_the_same_answers_on_every_channel(
        system: RunningSystem, channel_app: ChannelApp) -> None:
    # Turn 1: the greeting — typed on the API, /start on Telegram, following the OA on Zalo.
    api = api_turn(system, "/greet")
    assert api[0][1], "the greeting offers example questions as buttons"
    assert telegram_turn(channel_app, tg_message(1, "/start")) == api
    assert zalo_turn(channel_app, zalo_event("follow", 1)) == api
    assert len(channel_app.telegram.calls_to("sendMessage")) >= 1

    # Turn 2: press the first suggested question.
    title, payload = api[0][1][0]
    key = next(b["callback_data"] for c in channel_app.telegram.calls_to("sendMessage")
               for row in c.params.get("reply_markup", {}).get("inline_keyboard", []) for b in row
               if b["text"] == title)
    api = api_turn(system, payload)
    assert any(topic in api[0][0].lower() for topic in ("khai sinh", "thường trú", "kết hôn"))
    assert telegram_turn(channel_app, tg_press(2, key)) == api
    assert channel_app.telegram.calls_to("answerCallbackQuery")[-1].params["callback_query_id"] == "cb2"
    assert zalo_turn(channel_app, zalo_event("user_send_text", 2, payload)) == api

    # Turn 3: a typed follow-up that depends on the remembered procedure.
    api = api_turn(system, "lệ phí bao nhiêu")
    assert api[0][0]
    assert telegram_turn(channel_app, tg_message(3, "lệ phí bao nhiêu")) == api
    assert zalo_turn(channel_app, zalo_event("user_send_text", 3, "lệ phí bao nhiêu")) == api

    # The same webhook delivered again is not answered twice.
    sent = len(channel_app.telegram.calls_to("sendMessage"))
    again = httpx.post(f"{channel_app.url}/webhooks/telegram", json=tg_message(3, "lệ phí bao nhiêu"),
                       headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}, timeout=10)
    assert again.json()["duplicate"] is True
    time.sleep(0.5)
    assert len(channel_app.telegram.calls_to("sendMessage")) == sent
