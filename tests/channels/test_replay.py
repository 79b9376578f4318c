"""Replay of replies a platform did not take: backoff, bounded attempts, one sender per row, on both databases."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from assistant.db import session_scope
from assistant.rasa_client import BotMessage, Button
from channels.base import ChannelSendError
from channels.deliveries import replies_as_json
from channels.models import DELIVERY_FAILED, DELIVERY_SENT, ChannelDelivery
from channels.replay import (
    DELIVERY_ABANDONED,
    DELIVERY_REPLAYING,
    DeliveryReplayer,
    ReplayPolicy,
    recipient_of,
    replies_from_json,
)
from channels.retry import RetryableSendError
from tests.channels.test_deliveries import ScriptedSender

POLICY = ReplayPolicy(base_delay_s=10.0, max_delay_s=60.0, max_attempts=8, lease_s=300.0)
REPLIES = [BotMessage(text="Hồ sơ gồm tờ khai.", buttons=(Button("Lệ phí", "/ask_fee"),)),
           BotMessage(text="Nộp tại UBND xã.")]


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def _failed_row(factory: sessionmaker[Session], clock: Clock, *, attempts: int = 5, channel: str = "telegram",
                message_id: str = "m1", replies: list[BotMessage] | None = None,
                status: str = DELIVERY_FAILED) -> int:
    with session_scope(factory) as session:
        row = ChannelDelivery(channel=channel, message_id=message_id, conversation_id=f"{channel}:777",
                              kind="text", status=status, attempts=attempts, last_error="HTTP 500",
                              replies=replies_as_json(REPLIES if replies is None else replies),
                              created_at=clock(), updated_at=clock())
        session.add(row)
        session.flush()
        return row.id


def _row(factory: sessionmaker[Session], delivery_id: int) -> ChannelDelivery:
    with factory() as session:
        row = session.scalar(select(ChannelDelivery).where(ChannelDelivery.id == delivery_id))
        assert row is not None
        return row


def test_a_due_failed_reply_is_sent_to_its_recipient_and_marked_sent(
        session_factory: sessionmaker[Session]) -> None:
    clock = Clock()
    delivery = _failed_row(session_factory, clock)
    sender = ScriptedSender()
    replayer = DeliveryReplayer(session_factory, {"telegram": sender}, POLICY, clock=clock)
    clock.advance(POLICY.delay_s(5) - 1)
    assert asyncio.run(replayer.replay_due()).as_dict() == {"sent": 0, "failed": 0, "abandoned": 0, "not_due": 1}
    assert sender.calls == 0
    clock.advance(1)
    assert asyncio.run(replayer.replay_due()).sent == 1
    assert sender.delivered == [("777", REPLIES[0]), ("777", REPLIES[1])]
    row = _row(session_factory, delivery)
    assert (row.status, row.attempts, row.last_error) == (DELIVERY_SENT, 7, "")


def test_failures_back_off_exponentially_and_end_abandoned_after_the_attempt_bound(
        session_factory: sessionmaker[Session]) -> None:
    clock = Clock()
    delivery = _failed_row(session_factory, clock, attempts=5)
    sender = ScriptedSender(failures=1000)
    replayer = DeliveryReplayer(session_factory, {"telegram": sender}, POLICY, clock=clock)
    waits = []
    while (row := _row(session_factory, delivery)).status == DELIVERY_FAILED:
        waited = 0.0
        while asyncio.run(replayer.replay_due()).not_due:
            clock.advance(5)
            waited += 5
        waits.append(waited)
        assert len(waits) < 20, "the replay never gave up"
    assert row.status == DELIVERY_ABANDONED and row.attempts == POLICY.max_attempts
    assert sender.calls == POLICY.max_attempts - 5
    assert waits == sorted(waits) and waits[-1] <= POLICY.max_delay_s
    assert row.replies == replies_as_json(REPLIES)  # still there for an operator
    clock.advance(3600)
    assert asyncio.run(replayer.replay_due(force=True)).as_dict()["sent"] == 0
    assert sender.calls == POLICY.max_attempts - 5


def test_a_partly_delivered_reply_never_repeats_what_was_sent(session_factory: sessionmaker[Session]) -> None:
    clock = Clock()
    delivery = _failed_row(session_factory, clock, attempts=1)

    class SecondFailsOnce(ScriptedSender):
        refused = False

        async def send(self, recipient_id: str, messages: list[BotMessage]) -> None:
            if messages[0] == REPLIES[1] and not self.refused:
                self.refused = True
                raise RetryableSendError("HTTP 429")
            await super().send(recipient_id, messages)

    sender = SecondFailsOnce()
    replayer = DeliveryReplayer(session_factory, {"telegram": sender}, POLICY, clock=clock)
    report = asyncio.run(replayer.replay_due(force=True))
    assert report.failed == 1
    assert _row(session_factory, delivery).replies == replies_as_json(REPLIES[1:])
    asyncio.run(replayer.replay_due(force=True))
    assert [m for _, m in sender.delivered] == REPLIES
    assert _row(session_factory, delivery).status == DELIVERY_SENT


def test_a_final_refusal_counts_towards_the_bound_too(session_factory: sessionmaker[Session]) -> None:
    clock = Clock()
    delivery = _failed_row(session_factory, clock, attempts=POLICY.max_attempts - 1)
    sender = ScriptedSender(failures=1, error=ChannelSendError("HTTP 403 blocked by user"))
    asyncio.run(DeliveryReplayer(session_factory, {"telegram": sender}, POLICY, clock=clock).replay_due(force=True))
    row = _row(session_factory, delivery)
    assert (row.status, row.last_error) == (DELIVERY_ABANDONED, "HTTP 403 blocked by user")


def test_two_replicas_replaying_at_once_send_each_reply_once(session_factory: sessionmaker[Session]) -> None:
    clock = Clock()
    ids = [_failed_row(session_factory, clock, message_id=f"m{i}", replies=REPLIES[:1]) for i in range(6)]
    sender = ScriptedSender()

    async def both() -> None:
        first = DeliveryReplayer(session_factory, {"telegram": sender}, POLICY, clock=clock)
        second = DeliveryReplayer(session_factory, {"telegram": sender}, POLICY, clock=clock)
        await asyncio.gather(first.replay_due(force=True), second.replay_due(force=True))

    asyncio.run(both())
    assert len(sender.delivered) == len(ids)
    assert {_row(session_factory, i).status for i in ids} == {DELIVERY_SENT}


def test_a_row_left_mid_replay_by_a_killed_process_is_picked_up_after_its_lease(
        session_factory: sessionmaker[Session]) -> None:
    clock = Clock()
    delivery = _failed_row(session_factory, clock, status=DELIVERY_REPLAYING, replies=REPLIES[:1])
    sender = ScriptedSender()
    replayer = DeliveryReplayer(session_factory, {"telegram": sender}, POLICY, clock=clock)
    asyncio.run(replayer.replay_due(force=True))
    assert sender.calls == 0 and _row(session_factory, delivery).status == DELIVERY_REPLAYING
    clock.advance(POLICY.lease_s + 1)
    asyncio.run(replayer.replay_due(force=True))
    assert sender.delivered == [("777", REPLIES[0])]


def test_rows_of_channels_that_are_not_configured_are_left_alone(session_factory: sessionmaker[Session]) -> None:
    clock = Clock()
    delivery = _failed_row(session_factory, clock, channel="zalo")
    report = asyncio.run(DeliveryReplayer(session_factory, {"telegram": ScriptedSender()}, POLICY,
                                          clock=clock).replay_due(force=True))
    assert report.as_dict() == {"sent": 0, "failed": 0, "abandoned": 0, "not_due": 0}
    assert _row(session_factory, delivery).status == DELIVERY_FAILED


def test_stored_replies_round_trip_and_recipients_lose_the_channel_prefix() -> None:
    assert replies_from_json(replies_as_json(REPLIES)) == REPLIES
    assert replies_from_json([None, {"text": ""}, {"buttons": [{"title": "x"}]}, "x"]) == []
    assert recipient_of("zalo", "zalo:84123") == "84123"
    assert recipient_of("telegram", "telegram:-100:5") == "-100:5"
