"""`assistant telegram set-webhook` and `assistant telegram poll`, run as real processes."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from assistant.config import PROJECT_ROOT
from tests.channels.test_telegram import CHAT_ID, SECRET, TOKEN, keyboard, message_update
from tests.fakes.local_server import LocalServer
from tests.fakes.rasa_rest import FakeRasa
from tests.fakes.telegram_api import FakeTelegramApi

ASSISTANT = PROJECT_ROOT / ".venv" / "bin" / "assistant"


def run(tmp_path: Path, api_url: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "ASSISTANT_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
                "ASSISTANT_TELEGRAM_BOT_TOKEN": TOKEN, "ASSISTANT_TELEGRAM_SECRET_TOKEN": SECRET,
                "ASSISTANT_TELEGRAM_API_BASE": f"{api_url}/bot{{token}}", **env}
    return subprocess.run([str(ASSISTANT), "-q", "telegram", *args], env=full_env, capture_output=True,
                          text=True, timeout=120, check=False)


def test_set_webhook_registers_the_url_with_the_secret(tmp_path: Path) -> None:
    api = FakeTelegramApi(TOKEN)
    with LocalServer(api.app) as server:
        result = run(tmp_path, server.url, "set-webhook", "https://assistant.example.vn/webhooks/telegram")
    assert result.returncode == 0, result.stderr
    assert api.webhook["url"] == "https://assistant.example.vn/webhooks/telegram"
    assert api.webhook["secret_token"] == SECRET
    assert api.webhook["allowed_updates"] == ["message", "callback_query"]


def test_set_webhook_without_a_secret_refuses(tmp_path: Path) -> None:
    api = FakeTelegramApi(TOKEN)
    with LocalServer(api.app) as server:
        result = run(tmp_path, server.url, "set-webhook", "https://x.example/webhooks/telegram",
                     ASSISTANT_TELEGRAM_SECRET_TOKEN="")
    assert result.returncode == 1 and "SECRET_TOKEN" in result.stderr
    assert api.calls == []


def test_poll_answers_queued_updates_through_rasa(tmp_path: Path) -> None:
    api, rasa = FakeTelegramApi(TOKEN), FakeRasa()
    api.queue_update(message_update(900, text="đăng ký thường trú"))
    api.queue_update(message_update(901, voice={"file_id": "v", "file_unique_id": "vu", "duration": 2}))
    with LocalServer(api.app) as server, LocalServer(rasa.app) as rasa_server:
        result = run(tmp_path, server.url, "poll", "--max-updates", "2", ASSISTANT_RASA_URL=rasa_server.url)
    assert result.returncode == 0, result.stderr
    assert len(api.calls_to("deleteWebhook")) == 1
    assert [c["message"] for c in rasa.calls] == ["đăng ký thường trú"]
    texts = [c.params["text"] for c in api.calls_to("sendMessage")]
    assert texts[0] == "Bạn hỏi: đăng ký thường trú" and len(texts) == 2
    assert all(c.params["chat_id"] == str(CHAT_ID) for c in api.calls_to("sendMessage"))
    assert keyboard(api.calls_to("sendMessage")[1].params)
