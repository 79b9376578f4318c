"""Conversation transcripts, masked, and the question "does a clerk hold this conversation?".

The chat service calls `ConversationLog` for every citizen message and every bot reply. The transcript is
what a clerk reads when a conversation is handed over, so it is kept per conversation, and every line a
citizen typed goes through `mask_personal_numbers` first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from assistant.db import session_scope
from knowledge.admin.conversation_models import (
    OPEN_THREAD_STATES,
    ROLE_BOT,
    ROLE_CITIZEN,
    THREAD_HELD,
    Conversation,
    ConversationMessage,
    HandoverMessage,
    HandoverThread,
)
from knowledge.admin.masking import mask_personal_numbers
from knowledge.models import utcnow

MAX_LINE_CHARS = 4000


@dataclass(frozen=True)
class Hold:
    """Whether a clerk holds the conversation, and whether the citizen still has to be told so once."""

    held: bool
    acknowledge: bool = False


def touch_conversation(session: Session, *, conversation_id: str, channel: str, recipient_id: str) -> Conversation:
    """The conversation row, created on first sight; `last_seen_at` moves on."""
    row = session.get(Conversation, conversation_id)
    now = utcnow()
    if row is None:
        # Two first messages of one conversation may race: the loser re-reads the winner's row.
        try:
            with session.begin_nested():
                row = Conversation(id=conversation_id, channel=channel, recipient_id=recipient_id,
                                   created_at=now, last_seen_at=now)
                session.add(row)
            return row
        except IntegrityError:
            row = session.get(Conversation, conversation_id, populate_existing=True)
            if row is None:
                raise
    row.last_seen_at = now
    session.flush()
    return row


def add_line(session: Session, *, conversation_id: str, role: str, text: str, author: str = "") -> None:
    session.add(ConversationMessage(conversation_id=conversation_id, role=role, author=author,
                                    text=mask_personal_numbers(text[:MAX_LINE_CHARS])))


def open_thread(session: Session, conversation_id: str) -> HandoverThread | None:
    """The conversation's queued or held handover thread, if any."""
    query = (select(HandoverThread)
             .where(HandoverThread.conversation_id == conversation_id,
                    HandoverThread.status.in_(OPEN_THREAD_STATES))
             .order_by(HandoverThread.id.desc()))
    return session.scalars(query).first()


def transcript(session: Session, conversation_id: str, limit: int = 200) -> list[ConversationMessage]:
    """The last `limit` lines, oldest first."""
    query = (select(ConversationMessage).where(ConversationMessage.conversation_id == conversation_id)
             .order_by(ConversationMessage.id.desc()).limit(limit))
    return list(reversed(session.scalars(query).all()))


class ConversationLog:
    """What the chat service writes: one short transaction per message."""

    def __init__(self, factory: sessionmaker[Session]) -> None:
        self._factory = factory

    def citizen_message(self, *, conversation_id: str, channel: str, recipient_id: str, text: str) -> Hold:
        """Record what the citizen sent; while a clerk holds the conversation it also joins the thread."""
        with session_scope(self._factory) as session:
            touch_conversation(session, conversation_id=conversation_id, channel=channel,
                               recipient_id=recipient_id)
            add_line(session, conversation_id=conversation_id, role=ROLE_CITIZEN, text=text)
            thread = open_thread(session, conversation_id)
            if thread is None or thread.status != THREAD_HELD:
                return Hold(held=False)
            session.add(HandoverMessage(thread_id=thread.id, role=ROLE_CITIZEN,
                                        text=mask_personal_numbers(text[:MAX_LINE_CHARS])))
            acknowledge = not thread.acknowledged
            thread.acknowledged = True
            return Hold(held=True, acknowledge=acknowledge)

    def bot_replies(self, *, conversation_id: str, texts: Sequence[str]) -> None:
        with session_scope(self._factory) as session:
            if session.get(Conversation, conversation_id) is None:
                return  # the citizen's line failed to record: a reply without its question is no transcript
            for text in texts:
                if text:
                    add_line(session, conversation_id=conversation_id, role=ROLE_BOT, text=text)
