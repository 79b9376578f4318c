"""Telegram or Zalo answering 429/500: live retries first, then the stored reply is replayed in the background.

The platforms are the local fakes speaking their wire formats; the app runs its real lifespan, so the replay
task is the one production runs (with short intervals).
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from assistant import messages_vi
from assistant.config import PROJECT_ROOT
from assistant.db import create_db_engine, create_session_factory, session_scope
from assistant.main import create_app
from assistant.search_service import SearchService
from channels.models import DELIVERY_FAILED, DELIVERY_SENT, ChannelDelivery
from knowledge.migrate import upgrade_database
from tests.channels import test_telegram as tg
from tests.channels import test_zalo as za
from tests.fakes.local_server import LocalServer
from tests.fakes.rasa_rest import FakeRasa
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.zalo_api import FakeZaloApi

QUICK_REPLAY = {"channel_replay_interval_s": 0.05, "channel_replay_base_delay_s": 0.01,
                "channel_replay_max_delay_s": 0.05, "channel_replay_max_attempts": 12}
ASSISTANT = PROJECT_ROOT / ".venv" / "bin" / "assistant"


def _deliveries(app: FastAPI) -> list[ChannelDelivery]:
    with app.state.services.session_factory() as session:
        return list(session.scalars(select(ChannelDelivery).order_by(ChannelDelivery.id)))


def _wait_until(condition: Callable[[], bool], timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout_s} s")
        time.sleep(0.02)


def test_telegram_down_longer_than_the_live_retries_gets_the_reply_on_replay(tmp_path: Path) -> None:
    api, rasa = FakeTelegramApi(tg.TOKEN), FakeRasa()
    live_tries, replay_failures = tg.FAST.attempts, 2
    api.fail_next("sendMessage", 500, times=live_tries + replay_failures)
    with LocalServer(api.app) as api_server, LocalServer(rasa.app) as rasa_server:
        settings = tg.telegram_settings(tmp_path, api_server.url, rasa_server.url, **QUICK_REPLAY)
        app = create_app(settings, search=SearchService(settings, sessionmaker()))
        with TestClient(app) as client:
            app.state.channels.telegram.policy = tg.FAST
            response = client.post("/webhooks/telegram", json=tg.message_update(60, text="nộp ở đâu"),
                                   headers={"X-Telegram-Bot-Api-Secret-Token": tg.SECRET})
            assert response.status_code == 200
            _wait_until(lambda: _deliveries(app)[0].status == DELIVERY_SENT)
            [delivery] = _deliveries(app)
    assert delivery.attempts == live_tries + replay_failures + 1
    sends = api.calls_to("sendMessage")
    assert len(sends) == live_tries + replay_failures + 1
    assert {s.params["text"] for s in sends} == {"Bạn hỏi: nộp ở đâu"}
    assert len(rasa.calls) == 1  # the replay resends the stored reply; Rasa is not asked again


def test_zalo_rate_limiting_past_the_live_retries_gets_the_reply_on_replay_once(tmp_path: Path) -> None:
    api, rasa = FakeZaloApi(za.APP_ID, za.APP_SECRET), FakeRasa()
    api.fail_next(status=429, times=za.FAST.attempts + 1)
    with LocalServer(api.app) as api_server, LocalServer(rasa.app) as rasa_server:
        settings = za.zalo_settings(tmp_path, api_server.url, rasa_server.url, **QUICK_REPLAY)
        app = create_app(settings, search=SearchService(settings, sessionmaker()))
        with TestClient(app) as client:
            app.state.channels.zalo.policy = za.FAST
            body = za.event("user_send_text", msg_id="z-60", text="lệ phí")
            raw = za.encode(body)
            headers = {"Content-Type": "application/json", "X-ZEvent-Signature": za.signature_header(
                za.APP_ID, raw, str(body["timestamp"]), za.OA_SECRET)}
            assert client.post("/webhooks/zalo", content=raw, headers=headers).status_code == 200
            _wait_until(lambda: _deliveries(app)[0].status == DELIVERY_SENT)
    [sent] = api.sends
    assert sent.user_id == za.USER and sent.message["text"] == "Bạn hỏi: lệ phí"


def test_zalo_with_rasa_down_still_answers_with_the_apology(tmp_path: Path) -> None:
    api = FakeZaloApi(za.APP_ID, za.APP_SECRET)
    with LocalServer(api.app) as api_server:
        settings = za.zalo_settings(tmp_path, api_server.url, "http://127.0.0.1:9")
        app = create_app(settings, search=SearchService(settings, sessionmaker()))
        with TestClient(app) as client:
            body = za.event("user_send_text", msg_id="z-61", text="kết hôn")
            raw = za.encode(body)
            headers = {"Content-Type": "application/json", "X-ZEvent-Signature": za.signature_header(
                za.APP_ID, raw, str(body["timestamp"]), za.OA_SECRET)}
            assert client.post("/webhooks/zalo", content=raw, headers=headers).status_code == 200
    assert [s.message["text"] for s in api.sends] == [messages_vi.ASSISTANT_UNAVAILABLE]


def test_the_replay_command_sends_stored_failures_now(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'cli.db'}"
    engine = create_db_engine(database_url)
    upgrade_database(engine)
    factory = create_session_factory(engine)
    with session_scope(factory) as session:
        session.add(ChannelDelivery(channel="telegram", message_id="77", conversation_id=f"telegram:{tg.CHAT_ID}",
                                    kind="text", status=DELIVERY_FAILED, attempts=5, last_error="HTTP 500",
                                    replies=[{"text": "Lệ phí 8.000 đồng.", "image": None, "buttons": []}]))
    api = FakeTelegramApi(tg.TOKEN)
    with LocalServer(api.app) as api_server:
        env = {**os.environ, "ASSISTANT_DATABASE_URL": database_url, "ASSISTANT_TELEGRAM_BOT_TOKEN": tg.TOKEN,
               "ASSISTANT_TELEGRAM_SECRET_TOKEN": tg.SECRET,
               "ASSISTANT_TELEGRAM_API_BASE": f"{api_server.url}/bot{{token}}"}
        result = subprocess.run([str(ASSISTANT), "-q", "channels", "replay", "--force"], env=env,
                                capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {"sent": 1, "failed": 0, "abandoned": 0,
                                                                  "not_due": 0}
    assert [c.params["text"] for c in api.calls_to("sendMessage")] == ["Lệ phí 8.000 đồng."]
    with factory() as session:
        assert session.scalar(select(ChannelDelivery.status)) == DELIVERY_SENT
    engine.dispose()
