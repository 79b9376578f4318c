"""The Telegram webhook with the real python-telegram-bot against a local fake Bot API server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from assistant import messages_vi
from assistant.config import Settings
from assistant.main import create_app
from assistant.search_service import SearchService
from channels.buttons import ButtonPayloadStore
from channels.models import DELIVERY_FAILED, DELIVERY_SENT, ChannelDelivery
from channels.retry import RetryPolicy
from tests.fakes.local_server import LocalServer
from tests.fakes.rasa_rest import LONG_PAYLOAD, FakeRasa
from tests.fakes.telegram_api import FakeTelegramApi

TOKEN = "123456:TEST-token_abc"
SECRET = "webhook-Secret_42"
CHAT_ID = 5550001
FAST = RetryPolicy(attempts=4, base_delay_s=0.001, max_delay_s=0.01)


def user(chat_id: int = CHAT_ID) -> dict[str, Any]:
    return {"id": chat_id, "is_bot": False, "first_name": "Lan"}


def chat(chat_id: int = CHAT_ID) -> dict[str, Any]:
    return {"id": chat_id, "type": "private", "first_name": "Lan"}


def message_update(update_id: int, chat_id: int = CHAT_ID, **content: Any) -> dict[str, Any]:
    return {"update_id": update_id, "message": {"message_id": update_id * 10, "date": 1764000000,
                                                "chat": chat(chat_id), "from": user(chat_id), **content}}


def callback_update(update_id: int, data: str, chat_id: int = CHAT_ID) -> dict[str, Any]:
    bot_message = {"message_id": 1, "date": 1764000000, "chat": chat(chat_id),
                   "from": {"id": 4242, "is_bot": True, "first_name": "Bot"}, "text": "Chọn thủ tục"}
    return {"update_id": update_id, "callback_query": {"id": f"cb-{update_id}", "from": user(chat_id),
                                                       "chat_instance": "ci-1", "data": data,
                                                       "message": bot_message}}


@dataclass
class Env:
    client: TestClient
    app: FastAPI
    api: FakeTelegramApi
    rasa: FakeRasa
    settings: Settings

    def post(self, update: dict[str, Any] | bytes, secret: str | None = SECRET) -> Any:
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        body = update if isinstance(update, bytes) else json.dumps(update).encode()
        return self.client.post("/webhooks/telegram", content=body, headers=headers)

    def deliveries(self) -> list[ChannelDelivery]:
        factory = self.app.state.services.session_factory
        with factory() as session:
            return list(session.scalars(select(ChannelDelivery).order_by(ChannelDelivery.id)))


def telegram_settings(tmp_path: Path, api_url: str, rasa_url: str, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": f"sqlite:///{tmp_path / 'tg.db'}", "index_dir": tmp_path / "index",
        "rasa_url": rasa_url, "telegram_bot_token": TOKEN, "telegram_secret_token": SECRET,
        "telegram_api_base": f"{api_url}/bot{{token}}", **extra}
    return Settings(**values)


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    api, rasa = FakeTelegramApi(TOKEN), FakeRasa()
    with LocalServer(api.app) as api_server, LocalServer(rasa.app) as rasa_server:
        settings = telegram_settings(tmp_path, api_server.url, rasa_server.url)
        app = create_app(settings, search=SearchService(settings, sessionmaker()))
        with TestClient(app) as client:
            app.state.channels.telegram.policy = FAST
            yield Env(client, app, api, rasa, settings)


def keyboard(call_params: dict[str, Any]) -> list[dict[str, str]]:
    return [button for row in call_params["reply_markup"]["inline_keyboard"] for button in row]


def test_a_text_message_is_answered_with_an_inline_keyboard(env: Env) -> None:
    response = env.post(message_update(1, text="lam giay khai sinh can gi"))
    assert response.status_code == 200
    assert env.rasa.calls == [{"sender": f"telegram:{CHAT_ID}", "message": "lam giay khai sinh can gi",
                               "metadata": {"channel": "telegram"}}]
    [sent] = env.api.calls_to("sendMessage")
    assert sent.params["chat_id"] == str(CHAT_ID)
    assert sent.params["text"] == "Bạn hỏi: lam giay khai sinh can gi"
    buttons = keyboard(sent.params)
    assert [b["text"] for b in buttons] == ["Lệ phí", "Khai sinh cấp xã"]
    assert buttons[0]["callback_data"] == "/ask_fee"
    long_key = buttons[1]["callback_data"]
    assert len(long_key.encode()) <= 64 and long_key != LONG_PAYLOAD
    store = ButtonPayloadStore(env.app.state.services.session_factory)
    assert store.resolve(long_key) == LONG_PAYLOAD
    deliveries = [(d.status, d.conversation_id) for d in env.deliveries()]
    assert deliveries == [(DELIVERY_SENT, f"telegram:{CHAT_ID}")]


def test_a_button_press_is_acknowledged_and_its_full_payload_goes_to_rasa(env: Env) -> None:
    env.post(message_update(1, text="khai sinh"))
    long_key = keyboard(env.api.calls_to("sendMessage")[0].params)[1]["callback_data"]
    response = env.post(callback_update(2, long_key))
    assert response.status_code == 200
    assert [c.params["callback_query_id"] for c in env.api.calls_to("answerCallbackQuery")] == ["cb-2"]
    assert env.rasa.calls[-1]["message"] == LONG_PAYLOAD
    assert env.api.calls_to("sendMessage")[-1].params["text"] == f"Bạn hỏi: {LONG_PAYLOAD}"


def test_a_press_on_a_key_this_bot_never_issued_gets_example_questions(env: Env) -> None:
    env.post(callback_update(3, "k:unknownkey"))
    assert env.rasa.calls == []
    assert len(env.api.calls_to("answerCallbackQuery")) == 1
    [sent] = env.api.calls_to("sendMessage")
    assert sent.params["text"] == messages_vi.BUTTON_EXPIRED


@pytest.mark.parametrize("content", [
    {"voice": {"file_id": "v1", "file_unique_id": "v1u", "duration": 4}},
    {"audio": {"file_id": "a1", "file_unique_id": "a1u", "duration": 30}},
    {"video": {"file_id": "d1", "file_unique_id": "d1u", "width": 1, "height": 1, "duration": 3}},
    {"sticker": {"file_id": "s1", "file_unique_id": "s1u", "type": "regular", "width": 512, "height": 512,
                 "is_animated": False, "is_video": False}},
])
def test_voice_and_other_unreadable_messages_get_the_please_type_reply(
        env: Env, content: dict[str, Any]) -> None:
    assert env.post(message_update(7, **content)).status_code == 200
    assert env.rasa.calls == []
    [sent] = env.api.calls_to("sendMessage")
    assert sent.params["text"] == messages_vi.PLEASE_TYPE
    buttons = keyboard(sent.params)
    assert 2 <= len(buttons) <= 3
    assert [b["text"] for b in buttons] == list(messages_vi.EXAMPLE_QUESTIONS)
    store = ButtonPayloadStore(env.app.state.services.session_factory)
    assert [store.resolve(b["callback_data"]) for b in buttons] == list(messages_vi.EXAMPLE_QUESTIONS)


def test_start_command_is_the_greeting(env: Env) -> None:
    env.post(message_update(8, text="/start"))
    assert env.rasa.calls[0]["message"] == "/greet"


def test_a_redelivered_update_is_answered_once(env: Env) -> None:
    update = message_update(11, text="đăng ký kết hôn")
    first, second = env.post(update), env.post(update)
    assert first.status_code == second.status_code == 200
    assert (first.json()["duplicate"], second.json()["duplicate"]) == (False, True)
    assert len(env.rasa.calls) == 1
    assert len(env.api.calls_to("sendMessage")) == 1


@pytest.mark.parametrize(("secret", "status"), [(None, 401), ("", 401), ("wrong-secret", 403),
                                                (SECRET + "x", 403), (SECRET[:-1], 403)])
def test_forged_updates_are_rejected_and_nothing_is_processed(
        env: Env, secret: str | None, status: int) -> None:
    response = env.post(message_update(21, text="đăng ký kết hôn"), secret=secret)
    assert response.status_code == status
    assert env.rasa.calls == [] and env.api.calls == [] and env.deliveries() == []


@pytest.mark.parametrize(("body", "status"), [
    (b"{not json", 400), (b"[1, 2]", 400), (b'{"update_id": 1, "message": {"text": 3}}', 400),
    (b'{"update_id": 1, "pad": "' + b"x" * (1024 * 1024) + b'"}', 413),
])
def test_malformed_or_oversized_bodies_are_refused(env: Env, body: bytes, status: int) -> None:
    assert env.post(body).status_code == status
    assert env.rasa.calls == [] and env.api.calls == [] and env.deliveries() == []


def test_updates_without_a_message_are_acknowledged_and_ignored(env: Env) -> None:
    edited = {"update_id": 30, "edited_message": message_update(30, text="sửa")["message"]}
    assert env.post(edited).status_code == 200
    assert env.rasa.calls == [] and env.api.calls == []


def test_rate_limit_and_server_errors_are_retried_then_delivered(env: Env) -> None:
    env.api.fail_next("sendMessage", 429, retry_after=1)
    env.api.fail_next("sendMessage", 500)
    env.post(message_update(40, text="nộp ở đâu"))
    sends = env.api.calls_to("sendMessage")
    assert len(sends) == 3 and len({s.params["text"] for s in sends}) == 1
    [delivery] = env.deliveries()
    assert (delivery.status, delivery.attempts) == (DELIVERY_SENT, 3)


def test_a_refused_send_is_kept_as_failed_with_the_reply(env: Env) -> None:
    env.api.fail_next("sendMessage", 400)
    env.post(message_update(41, text="nộp ở đâu"))
    [delivery] = env.deliveries()
    assert delivery.status == DELIVERY_FAILED
    assert delivery.replies[0]["text"] == "Bạn hỏi: nộp ở đâu"
    assert len(env.api.calls_to("sendMessage")) == 1


def test_without_token_and_secret_the_webhook_does_not_exist(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'off.db'}", index_dir=tmp_path / "index")
    with TestClient(create_app(settings, search=SearchService(settings, sessionmaker()))) as client:
        response = client.post("/webhooks/telegram", json=message_update(1, text="x"),
                               headers={"X-Telegram-Bot-Api-Secret-Token": "anything"})
    assert response.status_code == 404


def test_the_secret_token_setting_only_accepts_what_telegram_allows(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        Settings(telegram_secret_token="has space")
    with pytest.raises(ValueError):
        Settings(telegram_secret_token="x" * 257)


def test_rasa_down_still_answers_with_the_apology(tmp_path: Path) -> None:
    api = FakeTelegramApi(TOKEN)
    with LocalServer(api.app) as api_server:
        settings = telegram_settings(tmp_path, api_server.url, "http://127.0.0.1:9")
        app = create_app(settings, search=SearchService(settings, sessionmaker()))
        with TestClient(app) as client:
            response = client.post("/webhooks/telegram", json=message_update(50, text="kết hôn"),
                                   headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
    assert response.status_code == 200
    assert [c.params["text"] for c in api.calls_to("sendMessage")] == [messages_vi.ASSISTANT_UNAVAILABLE]
