"""Answer again the messages whose turn a stopped process cut off: an acknowledged webhook is never lost.

Telegram and Zalo get their 200 as soon as the delivery row is written (`received`, with the message kept
in `pending`); the answer runs afterwards. A process killed in between (crash, SIGKILL, deploy) leaves the
row `received`, and the platform never redelivers an acknowledged webhook. The live turn holds the row
under a lease (`updated_at`, renewed before a send when a turn runs long, see `channels.deliveries`), so a
`received` row untouched for `lease_s` has nobody answering it. One replica takes it with a guarded UPDATE —
compare-and-set on the `updated_at` it read — and answers it through the channel's usual path: Rasa, the
send with retries, and the replay (`channels.replay`) for what the platform does not take.

This is at least once, not exactly once: a process that died after Rasa answered, or after part of the
reply went out, leaves no trace of it, so the citizen may read part of an answer twice; that beats silence.
A message whose turn stops the process every time is given up after `max_recoveries` and kept `abandoned`
for an operator, as are rows written before the message was kept (no `pending`): neither is retried forever.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from assistant.chat_service import ChatService
from assistant.db import rows_changed, session_scope
from channels.deliveries import Job, job_from_pending
from channels.models import DELIVERY_ABANDONED, DELIVERY_RECEIVED, ChannelDelivery
from knowledge.models import utcnow

logger = logging.getLogger(__name__)

NOT_KEPT = ("acknowledged but never answered, and received before messages were kept for answering again: "
            "it cannot be answered")
UNREADABLE = "acknowledged but never answered, and the kept message is unreadable: it cannot be answered"


class AnsweringChannel(Protocol):
    """A channel that answers a claimed message itself (Telegram, Zalo): the same path as its webhook."""

    async def process(self, job: Job, chat: ChatService) -> str: ...


@dataclass
class RecoveryReport:
    recovered: int = 0  # taken up and answered (whatever the send's outcome: `failed` rows go to the replay)
    abandoned: int = 0  # closed with an error instead
    errors: int = 0  # the answer itself raised; the row is taken up again after another lease

    def as_dict(self) -> dict[str, int]:
        return {"recovered": self.recovered, "abandoned": self.abandoned, "errors": self.errors}


@dataclass(frozen=True)
class _Taken:
    channel: str
    conversation_id: str
    message_id: str
    job: Job | None  # None: closed as abandoned, `error` says why
    error: str
    recoveries: int  # times taken up again, this one included


class UnansweredRecovery:
    """One replica's share of the unanswered rows, taken one at a time so each is answered under a fresh lease."""

    def __init__(self, factory: sessionmaker[Session], channels: Mapping[str, AnsweringChannel], chat: ChatService,
                 *, lease_s: float, max_recoveries: int = 3, batch: int = 100,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self._factory = factory
        self._channels = dict(channels)
        self._chat = chat
        self.lease_s = lease_s
        self.max_recoveries = max_recoveries
        self.batch = batch
        self._clock = clock

    # -- database steps (run in a worker thread) ----------------------------------------------------
    def _due(self, now: datetime) -> list[tuple[int, datetime]]:
        cutoff = now - timedelta(seconds=self.lease_s)
        query = (select(ChannelDelivery.id, ChannelDelivery.updated_at)
                 .where(ChannelDelivery.status == DELIVERY_RECEIVED,
                        ChannelDelivery.channel.in_(sorted(self._channels)),
                        ChannelDelivery.updated_at < cutoff)
                 .order_by(ChannelDelivery.id).limit(self.batch))
        with self._factory() as session:
            return [(row.id, row.updated_at) for row in session.execute(query)]

    def _take(self, delivery_id: int, seen: datetime, now: datetime) -> _Taken | None:
        """Hold the row under a new lease (or close it); None when another process changed it since `seen`."""
        with session_scope(self._factory) as session:
            row = session.execute(select(ChannelDelivery.channel, ChannelDelivery.conversation_id,
                                         ChannelDelivery.message_id, ChannelDelivery.pending)
                                  .where(ChannelDelivery.id == delivery_id)).one_or_none()
            if row is None:
                return None
            pending = row.pending if isinstance(row.pending, dict) else None
            recoveries = _recoveries_so_far(pending) + 1
            job, error = self._job_or_error(delivery_id, row.channel, pending, recoveries, now)
            if job is not None:
                values: dict[str, Any] = {"updated_at": now, "pending": {**(pending or {}), "recoveries": recoveries}}
            else:
                values = {"status": DELIVERY_ABANDONED, "last_error": error, "pending": None, "updated_at": now}
            result = session.execute(update(ChannelDelivery)
                                     .where(ChannelDelivery.id == delivery_id,
                                            ChannelDelivery.status == DELIVERY_RECEIVED,
                                            ChannelDelivery.updated_at == seen)
                                     .values(**values)
                                     .execution_options(synchronize_session=False))
            if rows_changed(result) != 1:
                return None  # another replica took it, or the live turn renewed or finished it meanwhile
            return _Taken(row.channel, row.conversation_id, row.message_id, job, error, recoveries)

    def _job_or_error(self, delivery_id: int, channel: str, pending: dict[str, Any] | None, recoveries: int,
                      lease: datetime) -> tuple[Job | None, str]:
        if pending is None:
            return None, NOT_KEPT
        if recoveries > self.max_recoveries:
            return None, (f"acknowledged but never answered: the process answering it stopped {recoveries} times; "
                          "given up")
        try:
            return job_from_pending(delivery_id, channel, pending, lease), ""
        except (KeyError, TypeError, ValueError):
            return None, UNREADABLE

    # -- one round -------------------------------------------------------------------------------
    async def recover_due(self) -> RecoveryReport:
        """Answer every `received` row whose lease has run out, one after the other, oldest first."""
        report = RecoveryReport()
        if not self._channels:
            return report
        due = await asyncio.to_thread(self._due, self._clock())
        for delivery_id, seen in due:
            taken = await asyncio.to_thread(self._take, delivery_id, seen, self._clock())
            if taken is None:
                continue
            if taken.job is None:
                report.abandoned += 1
                logger.error("%s: message %s %s (conversation %s)", taken.channel, taken.message_id, taken.error,
                             taken.conversation_id)
                continue
            logger.warning("%s: message %s was acknowledged but never answered (the process answering it "
                           "stopped); answering it again, take %d (conversation %s)", taken.channel,
                           taken.message_id, taken.recoveries, taken.conversation_id)
            # Its own task: the chat service sets the conversation's log context, which must not outlive it.
            turn = asyncio.create_task(self._channels[taken.channel].process(taken.job, self._chat))
            try:
                await turn
            except Exception:  # the row keeps its lease and is taken up again once it runs out
                report.errors += 1
                logger.exception("%s: answering message %s again failed (conversation %s)", taken.channel,
                                 taken.message_id, taken.conversation_id)
                continue
            report.recovered += 1
        if due:
            logger.info("recovery round: %s", report.as_dict())
        return report


def _recoveries_so_far(pending: dict[str, Any] | None) -> int:
    """Times the kept message was taken up before; a damaged counter counts as many (it must not stop a round)."""
    if pending is None:
        return 0
    try:
        return max(0, int(pending.get("recoveries", 0) or 0))
    except (TypeError, ValueError):
        return 1_000_000
