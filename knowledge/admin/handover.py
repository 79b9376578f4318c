"""The handover queue: conversations waiting for a clerk, held by one, or given back to the bot.

A thread is `queued` when the bot hands a conversation over (the bot keeps answering meanwhile), `held`
as soon as a clerk takes it or replies (the bot stays silent), and `closed` when the clerk gives it back.
A conversation has at most one open thread: asking again while queued updates that thread.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge.admin.conversation_models import (
    OPEN_THREAD_STATES,
    ROLE_CLERK,
    THREAD_CLOSED,
    THREAD_HELD,
    THREAD_QUEUED,
    Conversation,
    ConversationMessage,
    HandoverMessage,
    HandoverThread,
)
from knowledge.admin.conversations import add_line, open_thread, touch_conversation, transcript
from knowledge.models import utcnow

REASONS = ("asked", "gave_up")
MAX_REPLY_CHARS = 2000


class ThreadNotFound(LookupError):
    """No handover thread has that id."""


class ThreadClosed(ValueError):
    """The thread was already given back to the bot."""


def recipient_from_conversation(conversation_id: str, channel: str) -> str:
    """The channel's recipient when no transcript row exists: `telegram:42` → `42`, web ids as they are."""
    prefix = f"{channel}:"
    return conversation_id[len(prefix):] if conversation_id.startswith(prefix) else conversation_id


def request_handover(session: Session, *, conversation_id: str, channel: str, reason: str,
                     active_procedure: str | None, in_hours: bool) -> HandoverThread:
    """Queue the conversation for a clerk (or refresh its open thread)."""
    if reason not in REASONS:
        raise ValueError(f"Handover reason {reason!r} is not one of {', '.join(REASONS)}.")
    touch_conversation(session, conversation_id=conversation_id, channel=channel,
                       recipient_id=recipient_from_conversation(conversation_id, channel))
    thread = open_thread(session, conversation_id)
    if thread is None:
        thread = HandoverThread(conversation_id=conversation_id, channel=channel, reason=reason,
                                active_procedure=active_procedure or None, status=THREAD_QUEUED,
                                in_hours=in_hours, clerk="", acknowledged=False, created_at=utcnow())
        session.add(thread)
    else:
        thread.reason = reason
        thread.active_procedure = active_procedure or thread.active_procedure
    session.flush()
    return thread


@dataclass(frozen=True)
class ThreadView:
    """A thread with what the console shows beside it."""

    thread: HandoverThread
    conversation: Conversation | None
    lines: list[ConversationMessage]


def open_threads(session: Session) -> list[HandoverThread]:
    """Queued and held threads, oldest first (the citizen who waited longest comes first)."""
    query = select(HandoverThread).where(HandoverThread.status.in_(OPEN_THREAD_STATES))
    return list(session.scalars(query.order_by(HandoverThread.created_at, HandoverThread.id)))


def get_thread(session: Session, thread_id: int) -> HandoverThread:
    thread = session.get(HandoverThread, thread_id)
    if thread is None:
        raise ThreadNotFound(f"No handover thread has the id {thread_id}.")
    return thread


def thread_view(session: Session, thread_id: int) -> ThreadView:
    thread = get_thread(session, thread_id)
    return ThreadView(thread, session.get(Conversation, thread.conversation_id),
                      transcript(session, thread.conversation_id))


def take(session: Session, *, thread_id: int, clerk: str) -> HandoverThread:
    """A clerk holds the conversation from now on: the bot stops answering it."""
    thread = get_thread(session, thread_id)
    if thread.status == THREAD_CLOSED:
        raise ThreadClosed(f"Handover thread {thread_id} is already closed.")
    if thread.status == THREAD_QUEUED or thread.clerk != clerk:
        thread.status, thread.clerk, thread.claimed_at = THREAD_HELD, clerk, utcnow()
        session.flush()
    return thread


def record_reply(session: Session, *, thread_id: int, clerk: str, text: str) -> HandoverThread:
    """Keep a clerk's reply in the thread and the transcript (taking the thread if nobody held it)."""
    text = text.strip()[:MAX_REPLY_CHARS]
    if not text:
        raise ValueError("A reply to a citizen cannot be empty.")
    thread = take(session, thread_id=thread_id, clerk=clerk)
    session.add(HandoverMessage(thread_id=thread.id, role=ROLE_CLERK, author=clerk, text=text))
    add_line(session, conversation_id=thread.conversation_id, role=ROLE_CLERK, text=text, author=clerk)
    session.flush()
    return thread


def close(session: Session, *, thread_id: int, clerk: str) -> HandoverThread:
    """Give the conversation back to the bot."""
    thread = get_thread(session, thread_id)
    if thread.status != THREAD_CLOSED:
        thread.status, thread.closed_at = THREAD_CLOSED, utcnow()
        thread.clerk = thread.clerk or clerk
        session.flush()
    return thread


def thread_messages(session: Session, thread_id: int) -> list[HandoverMessage]:
    query = select(HandoverMessage).where(HandoverMessage.thread_id == thread_id).order_by(HandoverMessage.id)
    return list(session.scalars(query))
