"""Idempotency, retries and the kept record of undelivered replies, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import logging
import threading

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from assistant.chat_service import ChatService
from assistant.rasa_client import BotMessage, Button, RasaClient
from channels.base import ChannelSendError, IncomingMessage
from channels.buttons import ButtonPayloadStore
from channels.deliveries import DeliveryStore, Job, answer
from channels.models import DELIVERY_FAILED, DELIVERY_IGNORED, DELIVERY_SENT
from channels.retry import RetryableSendError, RetryPolicy, send_all
from tests.fakes.local_server import LocalServer
from tests.fakes.rasa_rest import LONG_PAYLOAD, FakeRasa

FAST = RetryPolicy(attempts=4, base_delay_s=0.001, max_delay_s=0.01)


def _message(message_id: str, channel: str = "zalo", text: str = "lệ phí khai sinh") -> IncomingMessage:
    return IncomingMessage(channel=channel, sender_id="u1", text=text, message_id=message_id)


class ScriptedSender:
    """Fails the first `failures` calls with `error`, then accepts; records what it delivered."""

    def __init__(self, failures: int = 0, error: ChannelSendError | None = None) -> None:
        self.failures = failures
        self.error = error or RetryableSendError("HTTP 500")
        self.calls = 0
        self.delivered: list[tuple[str, BotMessage]] = []

    async def send(self, recipient_id: str, messages: list[BotMessage]) -> None:
        self.calls += 1
        if self.failures > 0:
            self.failures -= 1
            raise self.error
        self.delivered.extend((recipient_id, m) for m in messages)


def test_a_message_id_is_claimed_once_per_channel(session_factory: sessionmaker[Session]) -> None:
    store = DeliveryStore(session_factory)
    first = store.claim(_message("m-1"), "zalo:u1")
    assert first is not None
    assert store.claim(_message("m-1"), "zalo:u1") is None
    assert store.claim(_message("m-1", channel="telegram"), "telegram:u1") is not None
    assert store.claim(_message("m-2"), "zalo:u1") not in (None, first)


def test_concurrent_redeliveries_are_answered_by_exactly_one_claim(
        session_factory: sessionmaker[Session]) -> None:
    store = DeliveryStore(session_factory)
    results: list[int | None] = []
    barrier = threading.Barrier(6)

    def claim() -> None:
        barrier.wait()
        results.append(store.claim(_message("same"), "zalo:u1"))

    threads = [threading.Thread(target=claim) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len([r for r in results if r is not None]) == 1


def test_retryable_failures_are_retried_then_delivered(session_factory: sessionmaker[Session]) -> None:
    store = DeliveryStore(session_factory)
    message = _message("m-retry")
    delivery_id = store.claim(message, "zalo:u1")
    assert delivery_id is not None
    sender = ScriptedSender(failures=2)
    replies = (BotMessage(text="Hồ sơ gồm tờ khai."),)
    status = asyncio.run(answer(Job(delivery_id, message, "u1", replies), chat=None,  # type: ignore[arg-type]
                                sender=sender, store=store, policy=FAST))
    assert status == DELIVERY_SENT
    assert [m.text for _, m in sender.delivered] == ["Hồ sơ gồm tờ khai."]
    row = store.get("zalo", "m-retry")
    assert row is not None and row.status == DELIVERY_SENT and row.attempts == 3


def test_a_reply_that_cannot_be_delivered_is_kept_and_logged_with_the_conversation(
        session_factory: sessionmaker[Session], caplog: pytest.LogCaptureFixture) -> None:
    store = DeliveryStore(session_factory)
    message = _message("m-lost")
    delivery_id = store.claim(message, "zalo:u1")
    assert delivery_id is not None
    sender = ScriptedSender(failures=99)
    replies = (BotMessage(text="Lệ phí: miễn phí.", buttons=(Button("Nộp ở đâu", "/ask_where"),)),)
    with caplog.at_level(logging.ERROR, logger="channels.deliveries"):
        status = asyncio.run(answer(Job(delivery_id, message, "u1", replies), chat=None,  # type: ignore[arg-type]
                                    sender=sender, store=store, policy=FAST))
    assert status == DELIVERY_FAILED
    assert sender.calls == FAST.attempts
    assert "zalo:u1" in caplog.text
    failed = store.with_status(DELIVERY_FAILED, "zalo")
    assert [row.message_id for row in failed] == ["m-lost"]
    assert failed[0].replies[0]["text"] == "Lệ phí: miễn phí."
    assert failed[0].replies[0]["buttons"] == [{"title": "Nộp ở đâu", "payload": "/ask_where"}]
    assert "HTTP 500" in failed[0].last_error


def test_a_final_platform_refusal_is_not_retried(session_factory: sessionmaker[Session]) -> None:
    store = DeliveryStore(session_factory)
    message = _message("m-refused")
    delivery_id = store.claim(message, "zalo:u1")
    assert delivery_id is not None
    sender = ScriptedSender(failures=1, error=ChannelSendError("zalo error -230"))
    status = asyncio.run(answer(Job(delivery_id, message, "u1", (BotMessage(text="x"),)),
                                chat=None, sender=sender, store=store, policy=FAST))  # type: ignore[arg-type]
    assert status == DELIVERY_FAILED and sender.calls == 1


def test_nothing_to_say_is_recorded_as_ignored(session_factory: sessionmaker[Session]) -> None:
    store = DeliveryStore(session_factory)
    message = IncomingMessage(channel="zalo", sender_id="u1", text="", message_id="unfollow-1",
                              kind="unfollow")
    delivery_id = store.claim(message, "zalo:u1")
    assert delivery_id is not None
    sender = ScriptedSender()
    status = asyncio.run(answer(Job(delivery_id, message, "u1", ()), chat=None,  # type: ignore[arg-type]
                                sender=sender, store=store, policy=FAST))
    assert status == DELIVERY_IGNORED and sender.calls == 0


def test_replies_come_from_rasa_through_the_chat_service(session_factory: sessionmaker[Session]) -> None:
    store = DeliveryStore(session_factory)
    message = _message("m-rasa", text="đăng ký kết hôn")
    delivery_id = store.claim(message, "zalo:u1")
    assert delivery_id is not None
    sender = ScriptedSender()
    rasa = FakeRasa()

    async def run() -> str:
        async with httpx.AsyncClient() as http:
            chat = ChatService(RasaClient(http, server.url, 5.0))
            return await answer(Job(delivery_id, message, "u1"), chat=chat, sender=sender, store=store,
                                policy=FAST)

    with LocalServer(rasa.app) as server:
        assert asyncio.run(run()) == DELIVERY_SENT
    assert rasa.calls == [{"sender": "zalo:u1", "message": "đăng ký kết hôn",
                           "metadata": {"channel": "zalo"}}]
    assert sender.delivered[0][1].text == "Bạn hỏi: đăng ký kết hôn"


def test_a_retry_never_repeats_a_message_already_delivered() -> None:
    class FailSecondOnce(ScriptedSender):
        async def send(self, recipient_id: str, messages: list[BotMessage]) -> None:
            self.calls += 1
            if messages[0].text == "2" and self.failures == 0:
                self.failures = 1
                raise RetryableSendError("HTTP 429", retry_after_s=0.001)
            self.delivered.extend((recipient_id, m) for m in messages)

    sender = FailSecondOnce()
    outcome = asyncio.run(send_all(sender, "u1", [BotMessage(text=t) for t in "123"], FAST))
    assert [m.text for _, m in sender.delivered] == ["1", "2", "3"]
    assert outcome.sent == 3 and outcome.attempts == 4


def test_backoff_grows_honours_retry_after_and_is_capped() -> None:
    policy = RetryPolicy(attempts=6, base_delay_s=0.5, max_delay_s=4.0)
    assert [policy.delay(n) for n in (1, 2, 3, 4, 5)] == [0.5, 1.0, 2.0, 4.0, 4.0]
    assert policy.delay(1, retry_after_s=3.0) == 3.0
    assert policy.delay(1, retry_after_s=60.0) == 4.0


def test_long_button_payloads_travel_as_short_keys(session_factory: sessionmaker[Session]) -> None:
    store = ButtonPayloadStore(session_factory)
    assert store.shorten("/ask_fee") == "/ask_fee"
    key = store.shorten(LONG_PAYLOAD)
    assert key != LONG_PAYLOAD and len(key.encode()) <= 64
    assert store.shorten(LONG_PAYLOAD) == key
    assert ButtonPayloadStore(session_factory).resolve(key) == LONG_PAYLOAD
    assert store.resolve("/ask_fee") == "/ask_fee"
    assert store.resolve("k:never-issued") is None
