"""Server-side staff sessions: a random token in the cookie, only its hash in the database.

A session ends after `admin_session_idle_minutes` without a request and, in any case, after
`admin_session_lifetime_hours`; signing out or disabling the account deletes it at once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from assistant.config import Settings
from knowledge.admin.models import StaffAccount, StaffSession
from knowledge.admin.timeutil import aware
from knowledge.models import utcnow

# last_seen_at is written at most this often, so reading pages does not write on every request.
_TOUCH_EVERY = timedelta(seconds=30)


@dataclass(frozen=True)
class ActiveSession:
    session: StaffSession
    account: StaffAccount


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def open_session(session: Session, *, account: StaffAccount, settings: Settings,
                 now: datetime | None = None) -> tuple[str, StaffSession]:
    """A new session for `account`; returns the cookie token (shown once, never stored) and the row."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    row = StaffSession(
        token_hash=hash_token(token), account_id=account.id, csrf_token=secrets.token_urlsafe(32),
        created_at=now, last_seen_at=now,
        expires_at=now + timedelta(hours=settings.admin_session_lifetime_hours),
    )
    session.add(row)
    session.flush()
    return token, row


def find_session(session: Session, *, token: str, settings: Settings,
                 now: datetime | None = None) -> ActiveSession | None:
    """The live session of `token`, touched; expired sessions are deleted and give None."""
    if not token or len(token) > 200:
        return None
    now = now or utcnow()
    row = session.scalar(select(StaffSession).where(StaffSession.token_hash == hash_token(token)))
    if row is None:
        return None
    idle = timedelta(minutes=settings.admin_session_idle_minutes)
    last_seen = aware(row.last_seen_at) or now
    expires = aware(row.expires_at) or now
    account = session.get(StaffAccount, row.account_id)
    if expires <= now or last_seen + idle <= now or account is None or not account.active:
        session.delete(row)
        session.flush()
        return None
    if now - last_seen >= _TOUCH_EVERY:
        row.last_seen_at = now
        session.flush()
    return ActiveSession(row, account)


def close_session(session: Session, *, token: str) -> None:
    session.execute(delete(StaffSession).where(StaffSession.token_hash == hash_token(token)))


def close_account_sessions(session: Session, *, account_id: int) -> None:
    """Sign an account out everywhere (after it is disabled or its password changes)."""
    session.execute(delete(StaffSession).where(StaffSession.account_id == account_id))


def purge_expired(session: Session, *, now: datetime | None = None) -> None:
    session.execute(delete(StaffSession).where(StaffSession.expires_at <= (now or utcnow())))
