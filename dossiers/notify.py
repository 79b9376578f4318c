"""Status-change notifications: queued per subscriber in the database, delivered through the channel outbox.

Queuing happens inside the transaction that records the change, so a notification exists exactly when the
change does. Delivery is separate and retried through the channels' outbox; a conversation can also read
its messages about one dossier through `POST /api/dossiers/notifications`, with the same verification as
a lookup.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from assistant.background import PeriodicTask
from dossiers import texts_vi
from dossiers.models import DossierNotification, DossierSubscription
from knowledge.models import utcnow

if TYPE_CHECKING:
    from dossiers.models import Dossier, DossierStatusEvent

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


class Outbox(Protocol):
    """What `channels.outbox.ConversationOutbox` offers: send a text into one conversation."""

    async def send(self, conversation_id: str, channel: str, text: str) -> None: ...


def subscribe(session: Session, dossier: Dossier, *, sender_id: str, channel: str) -> bool:
    """Subscribe a conversation; False when it already was (then it is simply kept active)."""
    existing = session.scalar(select(DossierSubscription).where(
        DossierSubscription.dossier_id == dossier.id, DossierSubscription.sender_id == sender_id,
        DossierSubscription.channel == channel))
    if existing is not None:
        already = existing.active
        existing.active = True
        session.flush()
        return already
    session.add(DossierSubscription(dossier_id=dossier.id, sender_id=sender_id, channel=channel, active=True))
    session.flush()
    return False


def queue_for_event(session: Session, dossier: Dossier, event: DossierStatusEvent) -> int:
    """One queued message per active subscriber of `dossier` about `event`; returns how many."""
    subscriptions = session.scalars(select(DossierSubscription).where(
        DossierSubscription.dossier_id == dossier.id, DossierSubscription.active.is_(True))).all()
    text = texts_vi.status_change_notice(dossier.code, event.status)
    for sub in subscriptions:
        session.add(DossierNotification(subscription_id=sub.id, event_id=event.id, sender_id=sub.sender_id,
                                        channel=sub.channel, code=dossier.code, text=text, state="queued"))
    session.flush()
    if subscriptions:
        logger.info("dossier %s: %d notification(s) queued for status %s", dossier.code, len(subscriptions),
                    event.status)
    return len(subscriptions)


def for_sender(session: Session, sender_id: str, *, code: str | None = None,
               limit: int = 50) -> Sequence[DossierNotification]:
    """The newest notifications of one conversation, about one dossier when `code` is given."""
    query = select(DossierNotification).where(DossierNotification.sender_id == sender_id)
    if code is not None:
        query = query.where(DossierNotification.code == code)
    return session.scalars(query.order_by(DossierNotification.id.desc()).limit(limit)).all()


async def deliver_queued(factory: sessionmaker[Session], outbox: Outbox, *, batch: int = 100,
                         now: datetime | None = None) -> int:
    """Send queued notifications through `outbox`; returns how many were sent. Failures are retried later."""
    with factory() as session:
        pending = session.scalars(select(DossierNotification).where(DossierNotification.state == "queued")
                                  .order_by(DossierNotification.id).limit(batch)).all()
        sent = 0
        for item in pending:
            item.attempts += 1
            try:
                await outbox.send(item.sender_id, item.channel, item.text)
            except Exception as exc:  # any channel failure: keep it queued, give up after MAX_ATTEMPTS
                item.last_error = f"{type(exc).__name__}: {exc}"[:500]
                if item.attempts >= MAX_ATTEMPTS:
                    item.state = "failed"
                logger.warning("dossier notification %s (channel %s, conversation %s) not sent: %s",
                               item.id, item.channel, item.sender_id, type(exc).__name__)
            else:
                item.state = "sent"
                item.sent_at = now or utcnow()
                sent += 1
            session.commit()
        return sent


def start_delivery(factory: sessionmaker[Session], outbox: Outbox, *, interval_s: float = 30.0) -> PeriodicTask:
    """Deliver queued notifications every `interval_s` seconds for the app's lifetime."""
    return PeriodicTask("dossier-notifications", lambda: deliver_queued(factory, outbox), interval_s).start()


async def stop_delivery(task: PeriodicTask) -> None:
    await task.stop()
