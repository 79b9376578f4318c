"""The Zalo OA webhook and sender against a local fake Zalo OpenAPI/OAuth server."""

from __future__ import annotations

import hashlib
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
from channels.models import DELIVERY_FAILED, DELIVERY_IGNORED, DELIVERY_SENT, ChannelDelivery, ZaloToken
from channels.retry import RetryPolicy
from channels.zalo_signature import signature_header
from tests.fakes.local_server import LocalServer
from tests.fakes.rasa_rest import LONG_PAYLOAD, FakeRasa
from tests.fakes.zalo_api import FakeZaloApi

APP_ID = "1234567890123456789"
APP_SECRET = "app-secret-XYZ"
OA_SECRET = "oa-secret-key-abc"
OA_ID = "579745863508352884"
USER = "2512523625412515"
FAST = RetryPolicy(attempts=4, base_delay_s=0.001, max_delay_s=0.01)


def event(name: str, *, msg_id: str | None = "msg-1", text: str | None = None, user: str = USER,
          timestamp: str = "1764000000123", **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"app_id": APP_ID, "user_id_by_app": "app-" + user, "event_name": name,
                            "timestamp": timestamp, "sender": {"id": user}, "recipient": {"id": OA_ID}}
    if msg_id is not None:
        body["message"] = {"msg_id": msg_id, **({"text": text} if text is not None else {})}
    body.update(extra)
    return body


def encode(body: dict[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


@dataclass
class Env:
    client: TestClient
    app: FastAPI
    api: FakeZaloApi
    rasa: FakeRasa

    def post(self, body: dict[str, Any] | bytes, signature: str | None = "sign",
             secret: str = OA_SECRET) -> Any:
        raw = body if isinstance(body, bytes) else encode(body)
        headers = {"Content-Type": "application/json"}
        if signature == "sign":
            assert isinstance(body, dict)
            headers["X-ZEvent-Signature"] = signature_header(str(body["app_id"]), raw, str(body["timestamp"]),
                                                             secret)
        elif signature is not None:
            headers["X-ZEvent-Signature"] = signature
        return self.client.post("/webhooks/zalo", content=raw, headers=headers)

    def deliveries(self) -> list[ChannelDelivery]:
        with self.app.state.services.session_factory() as session:
            return list(session.scalars(select(ChannelDelivery).order_by(ChannelDelivery.id)))

    def stored_tokens(self) -> tuple[str, str] | None:
        with self.app.state.services.session_factory() as session:
            row = session.get(ZaloToken, APP_ID)
            return (row.access_token, row.refresh_token) if row else None


def zalo_settings(tmp_path: Path, api_url: str, rasa_url: str, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": f"sqlite:///{tmp_path / 'zalo.db'}", "index_dir": tmp_path / "index",
        "rasa_url": rasa_url, "zalo_app_id": APP_ID, "zalo_app_secret": APP_SECRET,
        "zalo_oa_secret": OA_SECRET, "zalo_access_token": "AT-1", "zalo_refresh_token": "RT-1",
        "zalo_api_base": api_url, "zalo_oauth_base": api_url, **extra}
    return Settings(**values)


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    api, rasa = FakeZaloApi(APP_ID, APP_SECRET), FakeRasa()
    with LocalServer(api.app) as api_server, LocalServer(rasa.app) as rasa_server:
        settings = zalo_settings(tmp_path, api_server.url, rasa_server.url)
        app = create_app(settings, search=SearchService(settings, sessionmaker()))
        with TestClient(app) as client:
            app.state.channels.zalo.policy = FAST
            yield Env(client, app, api, rasa)


def test_a_text_message_is_answered_with_query_buttons(env: Env) -> None:
    response = env.post(event("user_send_text", text="dang ky ket hon can gi"))
    assert response.status_code == 200
    assert env.rasa.calls == [{"sender": f"zalo:{USER}", "message": "dang ky ket hon can gi",
                               "metadata": {"channel": "zalo"}}]
    [send] = env.api.sends
    assert send.access_token == "AT-1" and send.user_id == USER
    assert send.message["text"] == "Bạn hỏi: dang ky ket hon can gi"
    attachment = send.message["attachment"]
    assert attachment["type"] == "template"
    assert attachment["payload"]["buttons"] == [
        {"title": "Lệ phí", "type": "oa.query.show", "payload": "/ask_fee"},
        {"title": "Khai sinh cấp xã", "type": "oa.query.show", "payload": LONG_PAYLOAD},
    ]
    assert [(d.status, d.kind) for d in env.deliveries()] == [(DELIVERY_SENT, "text")]


def test_a_button_press_as_text_with_the_payload_reaches_rasa(env: Env) -> None:
    env.post(event("user_send_text", msg_id="msg-2", text=LONG_PAYLOAD))
    assert env.rasa.calls[0]["message"] == LONG_PAYLOAD
    assert env.deliveries()[0].kind == "button"


def test_a_button_press_as_its_own_event_reaches_rasa(env: Env) -> None:
    env.post(event("user_click_button", msg_id="msg-3", text="/ask_fee"))
    assert env.rasa.calls[0]["message"] == "/ask_fee"
    assert len(env.api.sends) == 1


def test_anonymous_text_is_answered_too(env: Env) -> None:
    env.post(event("anonymous_send_text", msg_id="msg-4", text="nộp hồ sơ ở đâu", user="anon-7"))
    assert env.rasa.calls[0]["sender"] == "zalo:anon-7"
    assert env.api.sends[0].user_id == "anon-7"


def test_follow_is_greeted_and_unfollow_gets_nothing(env: Env) -> None:
    env.post(event("follow", msg_id=None, follower={"id": "f-1"}, user="ignored"))
    assert env.rasa.calls == [{"sender": "zalo:f-1", "message": "/greet", "metadata": {"channel": "zalo"}}]
    assert [s.user_id for s in env.api.sends] == ["f-1"]
    env.post(event("unfollow", msg_id=None, follower={"id": "f-1"}, timestamp="1764000009999"))
    assert len(env.rasa.calls) == 1 and len(env.api.sends) == 1
    assert [d.status for d in env.deliveries()] == [DELIVERY_SENT, DELIVERY_IGNORED]


@pytest.mark.parametrize(("name", "expected"), [
    ("user_send_audio", messages_vi.PLEASE_TYPE), ("user_send_video", messages_vi.PLEASE_TYPE),
    ("user_send_sticker", messages_vi.PLEASE_TYPE), ("user_send_image", messages_vi.PLEASE_TYPE_IMAGE),
    ("user_send_location", messages_vi.PLEASE_TYPE_LOCATION),
])
def test_what_cannot_be_read_gets_a_please_type_reply_with_examples(
        env: Env, name: str, expected: str) -> None:
    assert env.post(event(name, msg_id="msg-media")).status_code == 200
    assert env.rasa.calls == []
    [send] = env.api.sends
    assert send.message["text"] == expected
    buttons = send.message["attachment"]["payload"]["buttons"]
    assert [b["payload"] for b in buttons] == list(messages_vi.EXAMPLE_QUESTIONS)


def test_events_about_the_oas_own_messages_are_ignored(env: Env) -> None:
    assert env.post(event("user_seen_message", msg_id="msg-seen")).status_code == 200
    assert env.rasa.calls == [] and env.api.sends == [] and env.deliveries() == []


def test_a_redelivered_event_is_answered_once(env: Env) -> None:
    body = event("user_send_text", msg_id="msg-dup", text="lệ phí bao nhiêu")
    first, second = env.post(body), env.post(body)
    assert (first.status_code, second.status_code) == (200, 200)
    assert second.json()["duplicate"] is True
    assert len(env.rasa.calls) == 1 and len(env.api.sends) == 1


def _forgeries() -> list[tuple[str, Any, int]]:
    body = event("user_send_text", msg_id="msg-forged", text="kết hôn")
    raw = encode(body)
    good = signature_header(APP_ID, raw, body["timestamp"], OA_SECRET)
    other_app = {**body, "app_id": "999"}
    return [
        ("no header", (raw, None), 401),
        ("empty mac", (raw, "mac="), 401),
        ("wrong mac", (raw, "mac=" + "0" * 64), 403),
        ("wrong secret", (raw, signature_header(APP_ID, raw, body["timestamp"], "guess")), 403),
        ("body changed after signing", (raw.replace("kết hôn".encode(), "ly hôn".encode()), good), 403),
        ("timestamp left out of the mac", (raw, "mac=" + hashlib.sha256(
            APP_ID.encode() + raw + OA_SECRET.encode()).hexdigest()), 403),
        ("another app, correctly signed", (encode(other_app), signature_header(
            "999", encode(other_app), body["timestamp"], OA_SECRET)), 403),
        ("malformed JSON", (b'{"app_id": "1", ', good), 400),
        ("1 MB body", (b'{"pad": "' + b"x" * (1024 * 1024) + b'"}', good), 413),
    ]


@pytest.mark.parametrize(("case", "request_parts", "status"), _forgeries(), ids=[f[0] for f in _forgeries()])
def test_forged_or_broken_webhooks_are_rejected_and_nothing_is_processed(
        env: Env, case: str, request_parts: tuple[bytes, str | None], status: int) -> None:
    raw, header = request_parts
    assert env.post(raw, signature=header).status_code == status, case
    assert env.rasa.calls == [] and env.api.attempts == [] and env.deliveries() == []


def test_the_signature_is_sha256_of_app_id_body_timestamp_and_secret() -> None:
    raw = b'{"app_id":"1","timestamp":"2"}'
    expected = hashlib.sha256(b"1" + raw + b"2" + OA_SECRET.encode()).hexdigest()
    assert signature_header("1", raw, "2", OA_SECRET) == f"mac={expected}"


def test_an_expired_token_is_refreshed_stored_and_the_send_repeated_once(env: Env) -> None:
    env.api.expire_access_token()
    env.post(event("user_send_text", msg_id="msg-t1", text="khai sinh"))
    assert [a.access_token for a in env.api.attempts] == ["AT-1", "AT-2"]
    [refresh] = env.api.refreshes
    assert refresh == {"refresh_token": "RT-1", "app_id": APP_ID, "grant_type": "refresh_token"}
    assert env.stored_tokens() == ("AT-2", "RT-2")
    assert env.deliveries()[0].status == DELIVERY_SENT
    # The stored pair wins over the settings from now on, including the spent refresh token.
    env.api.expire_access_token()
    env.post(event("user_send_text", msg_id="msg-t2", text="kết hôn"))
    assert [r["refresh_token"] for r in env.api.refreshes] == ["RT-1", "RT-2"]
    assert env.stored_tokens() == ("AT-3", "RT-3")
    assert [a.access_token for a in env.api.attempts][2:] == ["AT-2", "AT-3"]


def test_a_failed_refresh_keeps_the_reply_as_failed(env: Env, caplog: pytest.LogCaptureFixture) -> None:
    env.api.app_secret = "rotated"
    env.api.expire_access_token()
    env.post(event("user_send_text", msg_id="msg-t3", text="khai sinh"))
    [delivery] = env.deliveries()
    assert delivery.status == DELIVERY_FAILED
    assert delivery.replies[0]["text"] == "Bạn hỏi: khai sinh"
    assert "refresh" in delivery.last_error.lower()
    assert env.stored_tokens() is None
    assert f"zalo:{USER}" in caplog.text


@pytest.mark.parametrize("failures", [[(429, 0), (500, 0)], [(200, -32), (503, 0)]])
def test_rate_limits_and_server_errors_are_retried_then_delivered(
        env: Env, failures: list[tuple[int, int]]) -> None:
    for status, error in failures:
        env.api.fail_next(status=status, error=error)
    env.post(event("user_send_text", msg_id="msg-r", text="thường trú"))
    assert len(env.api.attempts) == 3 and len(env.api.sends) == 1
    [delivery] = env.deliveries()
    assert (delivery.status, delivery.attempts) == (DELIVERY_SENT, 3)


def test_a_final_zalo_error_is_not_retried_and_is_kept(env: Env) -> None:
    env.api.fail_next(status=200, error=-230)
    env.post(event("user_send_text", msg_id="msg-old", text="thường trú"))
    assert len(env.api.attempts) == 1
    [delivery] = env.deliveries()
    assert delivery.status == DELIVERY_FAILED and "-230" in delivery.last_error


def test_without_app_id_and_oa_secret_the_webhook_does_not_exist(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'off.db'}", index_dir=tmp_path / "index")
    with TestClient(create_app(settings, search=SearchService(settings, sessionmaker()))) as client:
        body = event("user_send_text", text="x")
        raw = encode(body)
        response = client.post("/webhooks/zalo", content=raw, headers={
            "X-ZEvent-Signature": signature_header(APP_ID, raw, body["timestamp"], OA_SECRET)})
    assert response.status_code == 404
