"""Messages acknowledged but left unanswered by a stopped process: answered again once, on both databases.

The channels are the real Telegram and Zalo ones against the local fake platform servers, Rasa is the fake
REST stand-in, and the rows are written exactly as a webhook writes them, only with an older lease.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr, ValidationError
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from assistant.chat_service import ChatService
from assistant.config import Settings
from assistant.db import session_scope
from assistant.rasa_client import BotMessage, RasaClient
from channels.base import IncomingMessage
from channels.deliveries import DeliveryStore, Job, answer, claim_job, pending_of
from channels.models import DELIVERY_ABANDONED, DELIVERY_RECEIVED, DELIVERY_SENT, ChannelDelivery
from channels.recovery import NOT_KEPT, AnsweringChannel, UnansweredRecovery
from channels.rendering import please_type_replies
from channels.services import build_telegram, build_zalo
from knowledge.models import utcnow
from tests.channels import test_telegram as tg
from tests.channels import test_zalo as za
from tests.channels.test_deliveries import FAST, ScriptedSender
from tests.fakes.local_server import LocalServer
from tests.fakes.rasa_rest import FakeRasa
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.zalo_api import FakeZaloApi

LEASE_S = 120.0


@dataclass
class Fakes:
    telegram: FakeTelegramApi
    zalo: FakeZaloApi
    rasa: FakeRasa
    settings: Settings


@pytest.fixture
def fakes(tmp_path: Path) -> Iterator[Fakes]:
    telegram, zalo, rasa = FakeTelegramApi(tg.TOKEN), FakeZaloApi(za.APP_ID, za.APP_SECRET), FakeRasa()
    with LocalServer(telegram.app) as tg_server, LocalServer(zalo.app) as zalo_server, \
            LocalServer(rasa.app) as rasa_server:
        settings = tg.telegram_settings(tmp_path, tg_server.url, rasa_server.url).model_copy(update={
            "zalo_app_id": za.APP_ID, "zalo_app_secret": SecretStr(za.APP_SECRET),
            "zalo_oa_secret": SecretStr(za.OA_SECRET), "zalo_access_token": SecretStr("AT-1"),
            "zalo_refresh_token": SecretStr("RT-1"), "zalo_api_base": zalo_server.url,
            "zalo_oauth_base": zalo_server.url})
        yield Fakes(telegram, zalo, rasa, settings)


def _left_unanswered(factory: sessionmaker[Session], message: IncomingMessage, recipient_id: str, *,
                     age_s: float, local_replies: list[BotMessage] | None = None) -> int:
    """A row as the webhook writes it (`claim_job`), claimed `age_s` ago by a process that then stopped."""
    pending = pending_of(message, recipient_id, tuple(local_replies) if local_replies is not None else None)
    conversation = f"{message.channel}:{message.sender_id}"
    delivery_id = DeliveryStore(factory).claim(message, conversation, pending=pending,
                                               at=utcnow() - timedelta(seconds=age_s))
    assert delivery_id is not None
    return delivery_id


def _telegram_text(update_id: int, text: str) -> IncomingMessage:
    return IncomingMessage(channel="telegram", sender_id=str(tg.CHAT_ID), text=text, message_id=str(update_id))


def _row(factory: sessionmaker[Session], delivery_id: int) -> ChannelDelivery:
    with factory() as session:
        row = session.scalar(select(ChannelDelivery).where(ChannelDelivery.id == delivery_id))
        assert row is not None
        return row


async def _round(factory: sessionmaker[Session], settings: Settings, **options: Any) -> dict[str, int]:
    """One recovery round of one replica: its own HTTP clients and channels, as an app process has."""
    store = DeliveryStore(factory, lease_s=LEASE_S)
    telegram, requests = build_telegram(settings, factory, store, FAST)
    try:
        async with httpx.AsyncClient() as http:
            channels: dict[str, AnsweringChannel] = {
                "telegram": telegram, "zalo": build_zalo(settings, factory, http, store, FAST)}
            chat = ChatService(RasaClient(http, settings.rasa_url, 5.0))
            recovery = UnansweredRecovery(factory, channels, chat, lease_s=LEASE_S, **options)
            return (await recovery.recover_due()).as_dict()
    finally:
        for request in requests:
            await request.shutdown()


def test_a_message_left_past_its_lease_is_answered_once_and_its_words_are_dropped(
        session_factory: sessionmaker[Session], fakes: Fakes) -> None:
    delivery = _left_unanswered(session_factory, _telegram_text(70, "khai sinh cần gì"), str(tg.CHAT_ID),
                                age_s=LEASE_S + 5)
    kept = _row(session_factory, delivery).pending
    assert kept is not None and kept["text"] == "khai sinh cần gì" and kept["recipient_id"] == str(tg.CHAT_ID)
    assert asyncio.run(_round(session_factory, fakes.settings)) == {"recovered": 1, "abandoned": 0, "errors": 0}
    [sent] = fakes.telegram.calls_to("sendMessage")
    assert sent.params["chat_id"] == str(tg.CHAT_ID) and sent.params["text"] == "Bạn hỏi: khai sinh cần gì"
    assert fakes.rasa.calls == [{"sender": f"telegram:{tg.CHAT_ID}", "message": "khai sinh cần gì",
                                 "metadata": {"channel": "telegram"}}]
    row = _row(session_factory, delivery)
    assert (row.status, row.pending, row.attempts) == (DELIVERY_SENT, None, 1)
    with session_factory() as session:  # SQL NULL, not the JSON text "null": nothing of the words is left
        assert session.scalar(select(func.count()).where(ChannelDelivery.pending.is_(None))) == 1
    assert asyncio.run(_round(session_factory, fakes.settings)) == {"recovered": 0, "abandoned": 0, "errors": 0}
    assert len(fakes.telegram.calls_to("sendMessage")) == 1 and len(fakes.rasa.calls) == 1


def test_a_zalo_message_with_a_local_reply_is_answered_without_asking_rasa(
        session_factory: sessionmaker[Session], fakes: Fakes) -> None:
    voice = IncomingMessage(channel="zalo", sender_id=za.USER, text="", message_id="z-voice", kind="voice")
    delivery = _left_unanswered(session_factory, voice, za.USER, age_s=LEASE_S + 1,
                                local_replies=please_type_replies("voice"))
    assert asyncio.run(_round(session_factory, fakes.settings))["recovered"] == 1
    [sent] = fakes.zalo.sends
    assert sent.user_id == za.USER and sent.message["text"] == please_type_replies("voice")[0].text
    assert fakes.rasa.calls == []
    assert (_row(session_factory, delivery).status, _row(session_factory, delivery).pending) == (DELIVERY_SENT, None)


def test_a_telegram_button_press_is_resolved_and_answered_without_a_stale_acknowledgement(
        session_factory: sessionmaker[Session], fakes: Fakes) -> None:
    press = IncomingMessage(channel="telegram", sender_id=str(tg.CHAT_ID), text="/ask_fee", message_id="71",
                            kind="button")
    # Claimed as the webhook claims it, press id and all, by a process that then stopped.
    job = asyncio.run(claim_job(DeliveryStore(session_factory), press, str(tg.CHAT_ID), None,
                                callback_query_id="cb-71"))
    assert job is not None and job.callback_query_id == "cb-71"  # what the live turn acknowledges
    with session_scope(session_factory) as session:
        session.execute(update(ChannelDelivery).where(ChannelDelivery.id == job.delivery_id)
                        .values(updated_at=utcnow() - timedelta(seconds=LEASE_S + 1)))
    assert asyncio.run(_round(session_factory, fakes.settings))["recovered"] == 1
    # Telegram answers a callback query for seconds only: a press recovered after the lease is not acknowledged.
    assert fakes.telegram.calls_to("answerCallbackQuery") == []
    assert fakes.rasa.calls[0]["message"] == "/ask_fee"
    assert [c.params["text"] for c in fakes.telegram.calls_to("sendMessage")] == ["Bạn hỏi: /ask_fee"]


def test_a_message_younger_than_the_lease_is_left_to_the_turn_answering_it(
        session_factory: sessionmaker[Session], fakes: Fakes) -> None:
    delivery = _left_unanswered(session_factory, _telegram_text(72, "lệ phí"), str(tg.CHAT_ID),
                                age_s=LEASE_S - 30)
    assert asyncio.run(_round(session_factory, fakes.settings)) == {"recovered": 0, "abandoned": 0, "errors": 0}
    assert fakes.telegram.calls == [] and fakes.rasa.calls == []
    row = _row(session_factory, delivery)
    assert row.status == DELIVERY_RECEIVED and row.pending is not None and row.pending["recoveries"] == 0


def test_two_replicas_recovering_at_once_answer_each_message_once(
        session_factory: sessionmaker[Session], fakes: Fakes) -> None:
    ids = [_left_unanswered(session_factory, _telegram_text(100 + i, f"câu hỏi {i}"), str(tg.CHAT_ID),
                            age_s=LEASE_S + 10) for i in range(6)]
    barrier = threading.Barrier(2)
    reports: list[dict[str, int]] = []

    def replica() -> None:
        barrier.wait()
        reports.append(asyncio.run(_round(session_factory, fakes.settings)))

    threads = [threading.Thread(target=replica) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sum(r["recovered"] for r in reports) == len(ids) and sum(r["errors"] for r in reports) == 0
    texts = sorted(c.params["text"] for c in fakes.telegram.calls_to("sendMessage"))
    assert texts == sorted(f"Bạn hỏi: câu hỏi {i}" for i in range(6))
    assert len(fakes.rasa.calls) == len(ids)
    assert {_row(session_factory, i).status for i in ids} == {DELIVERY_SENT}


def test_a_row_from_before_messages_were_kept_is_closed_with_an_error_and_not_retried(
        session_factory: sessionmaker[Session], fakes: Fakes) -> None:
    legacy = DeliveryStore(session_factory).claim(_telegram_text(73, "x"), f"telegram:{tg.CHAT_ID}",
                                                  at=utcnow() - timedelta(seconds=LEASE_S * 10))
    assert legacy is not None
    assert asyncio.run(_round(session_factory, fakes.settings)) == {"recovered": 0, "abandoned": 1, "errors": 0}
    row = _row(session_factory, legacy)
    assert (row.status, row.last_error, row.pending) == (DELIVERY_ABANDONED, NOT_KEPT, None)
    assert asyncio.run(_round(session_factory, fakes.settings))["abandoned"] == 0
    assert fakes.telegram.calls == [] and fakes.rasa.calls == []


def test_a_message_whose_answer_keeps_failing_is_given_up_after_the_bound(
        session_factory: sessionmaker[Session]) -> None:
    class Clock:
        now = utcnow()

        def __call__(self) -> datetime:
            return self.now

    class Crashing:
        calls = 0

        async def process(self, job: Job, chat: ChatService) -> str:
            self.calls += 1
            raise RuntimeError("the process answering it died here")

    clock, channel = Clock(), Crashing()
    delivery = _left_unanswered(session_factory, _telegram_text(74, "hộ khẩu"), str(tg.CHAT_ID), age_s=LEASE_S + 1)
    recovery = UnansweredRecovery(session_factory, {"telegram": channel}, None,  # type: ignore[arg-type]
                                  lease_s=LEASE_S, max_recoveries=2, clock=clock)
    reports = []
    for _ in range(4):
        reports.append(asyncio.run(recovery.recover_due()).as_dict())
        clock.now += timedelta(seconds=LEASE_S + 1)
    assert [r["errors"] for r in reports] == [1, 1, 0, 0] and [r["abandoned"] for r in reports] == [0, 0, 1, 0]
    row = _row(session_factory, delivery)
    assert channel.calls == 2 and row.status == DELIVERY_ABANDONED and row.pending is None
    assert "stopped 3 times" in row.last_error


def test_a_slow_live_turn_renews_its_lease_and_a_taken_over_one_stops_without_sending(
        session_factory: sessionmaker[Session]) -> None:
    store = DeliveryStore(session_factory, lease_s=0.3)
    reply = (BotMessage(text="Nộp tại UBND xã."),)

    async def claimed(update_id: int) -> Job:
        job = await claim_job(store, _telegram_text(update_id, "nộp ở đâu"), str(tg.CHAT_ID), reply)
        assert job is not None and job.lease is not None
        return job

    slow = asyncio.run(claimed(75))
    time.sleep(0.15)  # half the lease gone: the send renews it first
    sender = ScriptedSender()
    status = asyncio.run(answer(slow, chat=None, sender=sender, store=store, policy=FAST))  # type: ignore[arg-type]
    assert status == DELIVERY_SENT
    assert len(sender.delivered) == 1 and _row(session_factory, slow.delivery_id).pending is None

    overtaken = asyncio.run(claimed(76))
    with session_scope(session_factory) as session:  # what a recovering replica's claim does to the row
        session.execute(update(ChannelDelivery).where(ChannelDelivery.id == overtaken.delivery_id)
                        .values(updated_at=utcnow()))
    time.sleep(0.15)
    sender = ScriptedSender()
    status = asyncio.run(answer(overtaken, chat=None, sender=sender, store=store,  # type: ignore[arg-type]
                                policy=FAST))
    assert status == DELIVERY_RECEIVED and sender.calls == 0
    row = _row(session_factory, overtaken.delivery_id)
    assert row.status == DELIVERY_RECEIVED and row.pending is not None  # the new owner answers and clears it


def test_the_lease_must_outlast_a_rasa_call() -> None:
    assert Settings().channel_unanswered_after_s == 120.0 >= 6 * Settings().rasa_timeout_s
    with pytest.raises(ValidationError, match="ASSISTANT_CHANNEL_UNANSWERED_AFTER_S=120 is too short"):
        Settings(rasa_timeout_s=30)
    assert Settings(rasa_timeout_s=30, channel_unanswered_after_s=180).channel_unanswered_after_s == 180
