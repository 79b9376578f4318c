"""Stored rows of the staff console: accounts, sign-in sessions, unpublished drafts and checked uploads.

Sessions live in the database (not in a signed cookie) so that signing out, disabling an account or an
expiry takes effect at once on every app replica. Only a hash of the session token is stored.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from knowledge.models import Base, utcnow

ROLES = ("editor", "publisher")


class StaffAccount(Base):
    """A clerk who signs in to the console; `role` is "editor" (drafts) or "publisher" (publishes, users)."""

    __tablename__ = "staff_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(16), default="editor")
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    first_failed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class StaffSession(Base):
    """One signed-in browser: the SHA-256 of its cookie token, its CSRF token and its expiry clock."""

    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("staff_accounts.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ProcedureDraft(Base):
    """A clerk's unpublished edit of a procedure; citizens keep seeing the published content until publish.

    `base_version` is the procedure version the draft was started from: publishing a draft whose base is
    no longer current is refused (optimistic locking), so nobody's work is overwritten silently.
    """

    __tablename__ = "procedure_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_code: Mapped[str] = mapped_column(
        ForeignKey("procedures.code", ondelete="CASCADE"), unique=True, index=True
    )
    content: Mapped[dict[str, Any]] = mapped_column(default=dict)
    base_version: Mapped[int] = mapped_column(Integer)
    # Counts saves of this draft: a save made on an older copy of the draft is refused like a stale edit.
    draft_version: Mapped[int] = mapped_column(Integer, default=1)
    author: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class BulkUpload(Base):
    """A spreadsheet checked by a bulk-import dry run, kept until it is applied or expires.

    Applying refers to it by `id` (a random token) instead of posting the file back through the browser:
    a form field is limited to 1 MB while a full export is several, and the file applied is then exactly the
    one checked. In the database, so that the replica that applies need not be the one that checked.
    """

    __tablename__ = "bulk_uploads"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    # The procedure versions the dry run saw: applying is refused when one moved since.
    versions: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
