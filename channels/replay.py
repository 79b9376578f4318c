"""Replay replies that Telegram or Zalo did not take, so a platform outage delays an answer but never loses it.

`channels.deliveries` keeps a reply whose live retries all failed as a `failed` row holding the replies not
yet delivered. Here those rows are sent again, one try per message per round, with exponential backoff
between rounds computed from the row's send attempts so far, until `max_attempts` sends in total; then
the row is `abandoned` and logged as an error for an operator.

Several app replicas may replay at once: a row is claimed by moving it from `failed` to `replaying` in one
guarded UPDATE, so only one replica sends it. A replica that dies mid-replay leaves a `replaying` row; after
`lease_s` it is put back to `failed` and picked up again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from assistant.background import PeriodicTask
from assistant.chat_service import ChatService
from assistant.config import Settings
from assistant.db import rows_changed, session_scope
from assistant.rasa_client import BotMessage
from channels.base import ChannelSender
from channels.deliveries import replies_as_json, replies_from_json
from channels.models import DELIVERY_ABANDONED, DELIVERY_FAILED, DELIVERY_SENT, ChannelDelivery
from channels.recovery import UnansweredRecovery
from channels.retry import RetryPolicy, send_all
from knowledge.admin.timeutil import aware
from knowledge.models import utcnow

if TYPE_CHECKING:
    from channels.services import ChannelServices

logger = logging.getLogger(__name__)

DELIVERY_REPLAYING = "replaying"  # claimed by one replica's replay round
ONE_TRY = RetryPolicy(attempts=1)


@dataclass(frozen=True)
class ReplayPolicy:
    """When a failed reply is due again, and when to stop trying."""

    interval_s: float = 30.0
    base_delay_s: float = 2.0
    max_delay_s: float = 900.0
    max_attempts: int = 12
    lease_s: float = 600.0
    batch: int = 100

    @classmethod
    def from_settings(cls, settings: Settings) -> ReplayPolicy:
        return cls(interval_s=settings.channel_replay_interval_s, base_delay_s=settings.channel_replay_base_delay_s,
                   max_delay_s=settings.channel_replay_max_delay_s,
                   max_attempts=settings.channel_replay_max_attempts)

    def delay_s(self, attempts: int) -> float:
        """Wait after the last try of a row that has had `attempts` sends: doubles with each one, capped."""
        return float(min(self.base_delay_s * (2 ** min(max(attempts - 1, 0), 30)), self.max_delay_s))


@dataclass
class ReplayReport:
    sent: int = 0
    failed: int = 0
    abandoned: int = 0
    not_due: int = 0
    conversations: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {"sent": self.sent, "failed": self.failed, "abandoned": self.abandoned, "not_due": self.not_due}


@dataclass(frozen=True)
class _Claimed:
    id: int
    channel: str
    conversation_id: str
    message_id: str
    attempts: int
    replies: list[Any]


def recipient_of(channel: str, conversation_id: str) -> str:
    """The platform's recipient id: the conversation id is `<channel>:<sender id>` for platform channels."""
    prefix = f"{channel}:"
    return conversation_id[len(prefix):] if conversation_id.startswith(prefix) else conversation_id


class DeliveryReplayer:
    def __init__(self, factory: sessionmaker[Session], senders: Mapping[str, ChannelSender],
                 policy: ReplayPolicy | None = None, clock: Callable[[], datetime] = utcnow) -> None:
        self._factory = factory
        self._senders = dict(senders)
        self.policy = policy or ReplayPolicy()
        self._clock = clock

    # -- database steps (run in a worker thread) ----------------------------------------------------
    def _release_stale(self, now: datetime) -> int:
        cutoff = now - timedelta(seconds=self.policy.lease_s)
        with session_scope(self._factory) as session:
            result = session.execute(update(ChannelDelivery)
                                     .where(ChannelDelivery.status == DELIVERY_REPLAYING,
                                            ChannelDelivery.updated_at < cutoff)
                                     .values(status=DELIVERY_FAILED))
            return rows_changed(result)

    def _due(self, now: datetime, force: bool) -> tuple[list[int], int]:
        query = (select(ChannelDelivery.id, ChannelDelivery.attempts, ChannelDelivery.updated_at)
                 .where(ChannelDelivery.status == DELIVERY_FAILED,
                        ChannelDelivery.channel.in_(sorted(self._senders)))
                 .order_by(ChannelDelivery.id).limit(self.policy.batch))
        with self._factory() as session:
            rows = session.execute(query).all()
        due = [row.id for row in rows
               if force or aware(row.updated_at) + timedelta(seconds=self.policy.delay_s(row.attempts)) <= now]
        return due, len(rows) - len(due)

    def _claim(self, delivery_id: int, now: datetime) -> _Claimed | None:
        with session_scope(self._factory) as session:
            result = session.execute(update(ChannelDelivery)
                                     .where(ChannelDelivery.id == delivery_id,
                                            ChannelDelivery.status == DELIVERY_FAILED)
                                     .values(status=DELIVERY_REPLAYING, updated_at=now))
            if rows_changed(result) != 1:
                return None  # another replica took it, or it changed meanwhile
            row = session.get(ChannelDelivery, delivery_id)
            if row is None:
                return None
            return _Claimed(row.id, row.channel, row.conversation_id, row.message_id, row.attempts,
                            list(row.replies or []))

    def _finish(self, claimed: _Claimed, *, status: str, attempts: int, error: str,
                replies: list[BotMessage]) -> None:
        with session_scope(self._factory) as session:
            row = session.get(ChannelDelivery, claimed.id)
            if row is None:
                raise LookupError(f"no channel delivery {claimed.id}")
            row.status, row.attempts, row.last_error = status, attempts, error[:2000]
            row.replies = replies_as_json(replies)
            row.updated_at = self._clock()

    # -- one round -------------------------------------------------------------------------------
    async def replay_due(self, *, force: bool = False) -> ReplayReport:
        """Send every due failed reply once more; `force` ignores the backoff (an operator's command)."""
        report = ReplayReport()
        if not self._senders:
            return report
        now = self._clock()
        released = await asyncio.to_thread(self._release_stale, now)
        if released:
            logger.warning("replay: %d deliveries left mid-replay by a stopped process are due again", released)
        due, report.not_due = await asyncio.to_thread(self._due, now, force)
        for delivery_id in due:
            claimed = await asyncio.to_thread(self._claim, delivery_id, self._clock())
            if claimed is not None:
                await self._replay_one(claimed, report)
        if due:
            logger.info("replay round: %s", report.as_dict())
        return report

    async def _replay_one(self, claimed: _Claimed, report: ReplayReport) -> None:
        messages = replies_from_json(claimed.replies)
        sender = self._senders[claimed.channel]
        recipient = recipient_of(claimed.channel, claimed.conversation_id)
        try:
            outcome = await send_all(sender, recipient, messages, ONE_TRY)
            sent, tries, error = outcome.sent, outcome.attempts, outcome.error
        except Exception as exc:  # the row must leave `replaying` whatever the sender raised
            logger.exception("%s: replaying message %s failed (conversation %s)", claimed.channel,
                             claimed.message_id, claimed.conversation_id)
            sent, tries, error = 0, 1, f"{type(exc).__name__}: {exc}"
        attempts = claimed.attempts + max(tries, 1)
        remaining = messages[sent:]
        report.conversations.append(claimed.conversation_id)
        if not remaining:
            await asyncio.to_thread(self._finish, claimed, status=DELIVERY_SENT, attempts=attempts, error="",
                                    replies=messages)
            report.sent += 1
            logger.info("%s: reply to message %s delivered on replay (conversation %s, %d attempts)",
                        claimed.channel, claimed.message_id, claimed.conversation_id, attempts)
            return
        if attempts >= self.policy.max_attempts:
            await asyncio.to_thread(self._finish, claimed, status=DELIVERY_ABANDONED, attempts=attempts,
                                    error=error, replies=remaining)
            report.abandoned += 1
            logger.error("%s: reply to message %s abandoned after %d attempts (conversation %s): %s",
                         claimed.channel, claimed.message_id, attempts, claimed.conversation_id, error)
            return
        await asyncio.to_thread(self._finish, claimed, status=DELIVERY_FAILED, attempts=attempts, error=error,
                                replies=remaining)
        report.failed += 1


def start_replay(channels: ChannelServices, factory: sessionmaker[Session], settings: Settings,
                 chat: ChatService | None = None) -> PeriodicTask | None:
    """Start the background replay for the configured channels (None when no channel is on).

    With `chat`, each round first answers the messages a stopped process left unanswered (`channels.recovery`):
    one task, so a replica runs one round of both at a time and shuts both down the same way.
    """
    senders = channels.configured()
    if not senders:
        return None
    replayer = DeliveryReplayer(factory, senders, ReplayPolicy.from_settings(settings))
    if chat is None:
        return PeriodicTask("channel-replay", replayer.replay_due, replayer.policy.interval_s).start()
    recovery = UnansweredRecovery(factory, senders, chat,
                                  lease_s=settings.channel_unanswered_after_s)

    async def round_() -> None:
        try:
            await recovery.recover_due()
        except Exception:  # e.g. the database is down: the replay below reports that too, and the next round retries
            logger.exception("recovery round failed; trying again next round")
        await replayer.replay_due()

    return PeriodicTask("channel-replay", round_, replayer.policy.interval_s).start()


async def stop_replay(task: PeriodicTask | None) -> None:
    if task is not None:
        await task.stop()


async def run_replay_once(settings: Settings, *, force: bool = False) -> ReplayReport:
    """One replay round outside the app (`assistant channels replay`), with the channels built from settings."""
    import httpx

    from assistant.db import create_db_engine, create_session_factory
    from channels.services import build_channels

    engine = create_db_engine(settings.database_url)
    try:
        factory = create_session_factory(engine)
        async with httpx.AsyncClient() as http:
            channels = build_channels(settings, factory, http)
            try:
                replayer = DeliveryReplayer(factory, channels.configured(), ReplayPolicy.from_settings(settings))
                return await replayer.replay_due(force=force)
            finally:
                await channels.aclose()
    finally:
        engine.dispose()
