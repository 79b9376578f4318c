"""The database locked by another writer (SQLite) or unreachable (PostgreSQL): a clear 503, then recovery.

A webhook that cannot be remembered answers 503 so the platform redelivers it; once the database is back
the redelivery is answered exactly once. Citizens on /api/chat are answered throughout.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

from assistant import messages_vi
from assistant.main import create_app
from assistant.search_service import SearchService
from tests import chat_ids
from tests.channels import test_telegram as tg
from tests.conftest import _PG_SKIP_REASON, POSTGRES_URL
from tests.fakes.local_server import LocalServer
from tests.fakes.rasa_rest import FakeRasa
from tests.fakes.telegram_api import FakeTelegramApi
from tests.faults.tcp_proxy import TcpProxy

HEADERS = {"X-Telegram-Bot-Api-Secret-Token": tg.SECRET}


def _assert_clear_503(response: Any) -> None:
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["detail"]["code"] == "database_unavailable"
    assert body["messages"][0]["text"] == messages_vi.DATABASE_UNAVAILABLE
    assert "Traceback" not in response.text and "sqlite" not in response.text.lower()


@pytest.fixture
def fakes() -> Iterator[tuple[FakeTelegramApi, FakeRasa, str, str]]:
    api, rasa = FakeTelegramApi(tg.TOKEN), FakeRasa()
    with LocalServer(api.app) as api_server, LocalServer(rasa.app) as rasa_server:
        yield api, rasa, api_server.url, rasa_server.url


def test_sqlite_locked_by_another_writer_gives_503_then_the_redelivery_is_answered_once(
        tmp_path: Path, fakes: tuple[FakeTelegramApi, FakeRasa, str, str]) -> None:
    api, rasa, api_url, rasa_url = fakes
    settings = tg.telegram_settings(tmp_path, api_url, rasa_url, sqlite_busy_timeout_s=0.3)
    app = create_app(settings, search=SearchService(settings, sessionmaker()))
    update = tg.message_update(70, text="đăng ký kết hôn")
    with TestClient(app) as client:
        writer = sqlite3.connect(tmp_path / "tg.db", timeout=0.1, isolation_level=None)
        writer.execute("BEGIN IMMEDIATE")  # another process importing: the write lock is taken
        try:
            _assert_clear_503(client.post("/webhooks/telegram", json=update, headers=HEADERS))
            chat = client.post("/api/chat", json={"sender_id": chat_ids.signed("web-1"), "text": "khai sinh"})
        finally:
            writer.execute("ROLLBACK")
            writer.close()
        assert chat.status_code == 200  # the citizen on the widget is answered while the database is busy
        assert rasa.calls[-1]["message"] == "khai sinh"
        redelivered = client.post("/webhooks/telegram", json=update, headers=HEADERS)
        assert redelivered.status_code == 200 and redelivered.json()["duplicate"] is False
    assert [c.params["text"] for c in api.calls_to("sendMessage")] == ["Bạn hỏi: đăng ký kết hôn"]


@pytest.fixture
def postgres_schema() -> Iterator[str]:
    if _PG_SKIP_REASON:
        pytest.skip(_PG_SKIP_REASON)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield schema
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_postgresql_unreachable_gives_503_and_the_app_recovers_when_it_returns(
        tmp_path: Path, postgres_schema: str, fakes: tuple[FakeTelegramApi, FakeRasa, str, str]) -> None:
    api, rasa, api_url, rasa_url = fakes
    target = make_url(POSTGRES_URL)
    with TcpProxy(target.host or "127.0.0.1", target.port or 5432) as proxy:
        url = target.set(host="127.0.0.1", port=proxy.port).update_query_dict(
            {"options": f"-csearch_path={postgres_schema}", "connect_timeout": "2"})
        extra: dict[str, Any] = {"database_url": url.render_as_string(hide_password=False)}
        settings = tg.telegram_settings(tmp_path, api_url, rasa_url, **extra)
        app = create_app(settings, search=SearchService(settings, sessionmaker()))
        with TestClient(app) as client:
            assert client.post("/webhooks/telegram", json=tg.message_update(80, text="một"),
                               headers=HEADERS).status_code == 200
            proxy.cut()
            update = tg.message_update(81, text="hai")
            _assert_clear_503(client.post("/webhooks/telegram", json=update, headers=HEADERS))
            health = client.get("/healthz")
            assert health.status_code == 503 and health.json()["checks"]["database"].startswith("error")
            chat = client.post("/api/chat", json={"sender_id": chat_ids.signed("web-2"), "text": "khai tử"})
            assert chat.status_code == 200
            proxy.resume()
            assert client.post("/webhooks/telegram", json=update, headers=HEADERS).status_code == 200
            assert client.get("/healthz").json()["checks"]["database"] == "ok"
    assert [c.params["text"] for c in api.calls_to("sendMessage")] == ["Bạn hỏi: một", "Bạn hỏi: hai"]
