"""Clerk replies reach the citizen on their own channel, and the bot stays silent while a clerk holds.

Real app, real python-telegram-bot against the fake Bot API, the fake Rasa, SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from assistant import messages_vi
from assistant.config import Settings
from assistant.main import create_app
from assistant.search_service import SearchService
from channels.base import ChannelSendError
from channels.outbox import ChannelUnavailable, ConversationOutbox
from channels.retry import RetryPolicy
from knowledge.admin import handover
from knowledge.admin.conversation_models import ConversationMessage, HandoverMessage
from tests import chat_ids
from tests.fakes.local_server import LocalServer
from tests.fakes.rasa_rest import FakeRasa
from tests.fakes.telegram_api import FakeTelegramApi

TOKEN = "123456:TEST-token_abc"
SECRET = "webhook-Secret_42"
CHAT_ID = 5550001
FAST = RetryPolicy(attempts=2, base_delay_s=0.001, max_delay_s=0.01)


@dataclass
class Env:
    client: TestClient
    app: FastAPI
    api: FakeTelegramApi
    rasa: FakeRasa

    @property
    def factory(self) -> sessionmaker[Session]:
        result: sessionmaker[Session] = self.app.state.services.session_factory
        return result

    @property
    def outbox(self) -> ConversationOutbox:
        result: ConversationOutbox = self.app.state.outbox
        return result

    def telegram(self, update_id: int, text: str) -> None:
        update = {"update_id": update_id, "message": {
            "message_id": update_id, "date": 1764000000, "text": text,
            "chat": {"id": CHAT_ID, "type": "private"}, "from": {"id": CHAT_ID, "is_bot": False, "first_name": "An"}}}
        response = self.client.post("/webhooks/telegram", content=json.dumps(update).encode(),
                                    headers={"Content-Type": "application/json",
                                             "X-Telegram-Bot-Api-Secret-Token": SECRET})
        assert response.status_code == 200

    def hand_over_and_take(self, conversation_id: str, channel: str) -> int:
        body = {"conversation_id": conversation_id, "channel": channel, "reason": "asked"}
        assert self.client.post("/api/handover", json=body).status_code == 200
        with self.factory.begin() as session:
            [thread] = handover.open_threads(session)
            handover.take(session, thread_id=thread.id, clerk="lan")
            return thread.id

    def close(self, thread_id: int) -> None:
        with self.factory.begin() as session:
            handover.close(session, thread_id=thread_id, clerk="lan")

    def send(self, conversation_id: str, channel: str, text: str) -> None:
        self.client.portal.call(self.outbox.send, conversation_id, channel, text)  # type: ignore[union-attr]


@pytest.fixture
def env(db_url: str, tmp_path: Path) -> Iterator[Env]:
    api, rasa = FakeTelegramApi(TOKEN), FakeRasa()
    with LocalServer(api.app) as api_server, LocalServer(rasa.app) as rasa_server:
        settings = Settings(database_url=db_url, index_dir=tmp_path / "index", rasa_url=rasa_server.url,
                            telegram_bot_token=TOKEN, telegram_secret_token=SECRET,
                            telegram_api_base=f"{api_server.url}/bot{{token}}")
        app = create_app(settings, search=SearchService(settings, sessionmaker()))
        with TestClient(app) as client:
            app.state.channels.telegram.policy = FAST
            # The delivery replay starts a database round at startup; stopping the app while that round is
            # still in its worker thread leaks its connection, so let the first round finish.
            time.sleep(0.5)
            yield Env(client, app, api, rasa)


def sent_texts(env: Env) -> list[str]:
    return [call.params["text"] for call in env.api.calls_to("sendMessage")]


def test_telegram_conversation_held_by_a_clerk_then_given_back(env: Env) -> None:
    conversation = f"telegram:{CHAT_ID}"
    env.telegram(1, "cấp lại sổ đỏ")
    assert len(env.rasa.calls) == 1
    thread_id = env.hand_over_and_take(conversation, "telegram")

    env.telegram(2, "số tôi là 0912345678")
    env.telegram(3, "còn ai không?")
    assert len(env.rasa.calls) == 1, "Rasa must not be asked while a clerk holds the conversation"
    assert sent_texts(env)[1:] == [messages_vi.CLERK_IS_ANSWERING]  # told once, then silence

    env.send(conversation, "telegram", "Chào anh, tôi là Lan ở bộ phận một cửa.")
    assert sent_texts(env)[-1] == "Chào anh, tôi là Lan ở bộ phận một cửa."
    assert env.api.calls_to("sendMessage")[-1].params["chat_id"] == str(CHAT_ID)

    env.close(thread_id)
    env.telegram(4, "cảm ơn")
    assert [c["message"] for c in env.rasa.calls] == ["cấp lại sổ đỏ", "cảm ơn"]
    with env.factory() as session:
        held = session.scalars(select(HandoverMessage.text).order_by(HandoverMessage.id)).all()
        lines = session.scalars(select(ConversationMessage.text).order_by(ConversationMessage.id)).all()
    assert held == ["số tôi là ***", "còn ai không?"]
    assert "0912345678" not in " ".join(lines)
    assert lines[0] == "cấp lại sổ đỏ" and lines[1] == "Bạn hỏi: cấp lại sổ đỏ"


def test_web_conversation_gets_clerk_replies_by_polling(env: Env) -> None:
    sender, conversation = chat_ids.signed("web-77"), chat_ids.conversation("web-77")
    assert env.client.post("/api/chat", json={"sender_id": sender, "text": "xin chào"}).status_code == 200
    assert env.rasa.calls[0]["sender"] == conversation  # the signature never reaches Rasa
    thread_id = env.hand_over_and_take(conversation, "api")
    held = env.client.post("/api/chat", json={"sender_id": sender, "text": "tôi cần hỏi cán bộ"})
    assert held.json()["messages"][0]["text"] == messages_vi.CLERK_IS_ANSWERING
    assert env.client.post("/api/chat", json={"sender_id": sender, "text": "alo"}).json() == {"messages": []}
    assert len(env.rasa.calls) == 1

    env.send(conversation, "api", "Chào bạn, <b>cán bộ</b> đây.")
    poll = env.client.get(f"/api/chat/{sender}/messages", params={"after": 0}).json()
    assert [m["text"] for m in poll["messages"]] == ["Chào bạn, <b>cán bộ</b> đây."]
    assert poll["handover"] is True
    last = poll["messages"][0]["id"]
    assert env.client.get(f"/api/chat/{sender}/messages", params={"after": last}).json()["messages"] == []
    other = chat_ids.signed("web-other")
    assert env.client.get(f"/api/chat/{other}/messages").json() == {"messages": [], "handover": False}

    env.close(thread_id)
    assert env.client.get(f"/api/chat/{sender}/messages", params={"after": last}).json()["handover"] is False
    env.client.post("/api/chat", json={"sender_id": sender, "text": "cảm ơn"})
    assert [c["message"] for c in env.rasa.calls] == ["xin chào", "cảm ơn"]


def test_clerk_replies_are_readable_only_by_the_conversation_that_owns_them(env: Env) -> None:
    sender, conversation = chat_ids.signed("web-78"), chat_ids.conversation("web-78")
    env.client.post("/api/chat", json={"sender_id": sender, "text": "xin chào"})
    env.hand_over_and_take(conversation, "api")
    env.send(conversation, "api", "Chào bạn, cán bộ đây.")
    forged = conversation + "." + "0" * 32
    other_secret = chat_ids.signed("web-78", secret="another-app-secret-of-32-characters!")
    for guess in (conversation, forged, other_secret, sender.upper()):
        assert env.client.get(f"/api/chat/{guess}/messages").status_code in (401, 422), guess
    # A Telegram or Zalo user's clerk replies cannot be read (or joined) through the plain API either.
    for foreign in (f"telegram:{CHAT_ID}", "zalo:4242"):
        assert env.client.get(f"/api/chat/{foreign}/messages").status_code == 422
        assert env.client.post("/api/chat", json={"sender_id": foreign, "text": "alo"}).status_code == 422
    assert len(env.rasa.calls) == 1
    assert env.client.get(f"/api/chat/{sender}/messages").json()["messages"][0]["text"] == "Chào bạn, cán bộ đây."
    # The widget's form: the conversation in the path, the signed id in a header (kept out of access logs).
    by_header = env.client.get(f"/api/chat/{conversation}/messages", headers={"X-Chat-Session": sender})
    assert by_header.json()["messages"][0]["text"] == "Chào bạn, cán bộ đây."
    other = chat_ids.signed("web-someone-else")
    for path in (conversation, chat_ids.conversation("web-someone-else")):
        header = other if path == conversation else forged
        assert env.client.get(f"/api/chat/{path}/messages", headers={"X-Chat-Session": header}).status_code == 401


def test_a_refused_telegram_send_is_reported(env: Env) -> None:
    env.api.fail_next("sendMessage", 500, times=5)
    with pytest.raises(ChannelSendError):
        env.send(f"telegram:{CHAT_ID}", "telegram", "Chào anh")


def test_an_unconfigured_channel_is_reported(env: Env) -> None:
    with pytest.raises(ChannelUnavailable):
        env.send("zalo:42", "zalo", "Chào anh")


def test_a_polling_bot_without_webhook_secret_still_gets_clerk_replies(db_url: str, tmp_path: Path) -> None:
    """A center without a public HTTPS address runs `assistant telegram poll`: only the token is set."""
    api = FakeTelegramApi(TOKEN)
    with LocalServer(api.app) as api_server:
        settings = Settings(database_url=db_url, index_dir=tmp_path / "index", rasa_url="http://127.0.0.1:9",
                            telegram_bot_token=TOKEN, telegram_api_base=f"{api_server.url}/bot{{token}}")
        app = create_app(settings, search=SearchService(settings, sessionmaker()))
        with TestClient(app) as client:
            time.sleep(0.5)  # let the replay's first database round finish (see `env`)
            refused = client.post("/webhooks/telegram", json={"update_id": 1},
                                  headers={"X-Telegram-Bot-Api-Secret-Token": ""})
            assert refused.status_code == 404  # no secret: the webhook must not exist
            outbox: ConversationOutbox = app.state.outbox
            client.portal.call(outbox.send, f"telegram:{CHAT_ID}", "telegram", "Cán bộ xã trả lời anh đây.")
    [call] = api.calls_to("sendMessage")
    assert call.params["chat_id"] == str(CHAT_ID) and call.params["text"] == "Cán bộ xã trả lời anh đây."
