"""Checked bulk uploads kept in the database between the dry run and the apply (see `BulkUpload`).

An upload belongs to the clerk who checked it and lives `UPLOAD_TTL` at most; older ones are removed
whenever a new one is kept, and an applied one at once.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from knowledge.admin.models import BulkUpload
from knowledge.models import utcnow

UPLOAD_TTL = timedelta(hours=2)


def keep(session: Session, *, username: str, filename: str, data: bytes, versions: dict[str, int],
         now: datetime | None = None) -> str:
    """Store a checked upload; returns the id the apply form refers to."""
    now = now or utcnow()
    session.execute(delete(BulkUpload).where(BulkUpload.created_at < now - UPLOAD_TTL))
    upload_id = secrets.token_urlsafe(32)
    session.add(BulkUpload(id=upload_id, username=username, filename=filename, data=data, versions=versions,
                           created_at=now))
    return upload_id


def find(session: Session, *, upload_id: str, username: str, now: datetime | None = None) -> BulkUpload | None:
    """The clerk's own unexpired upload with that id, or None."""
    now = now or utcnow()
    upload = session.scalar(select(BulkUpload).where(BulkUpload.id == upload_id, BulkUpload.username == username))
    if upload is None:
        return None
    created = upload.created_at if upload.created_at.tzinfo else upload.created_at.replace(tzinfo=now.tzinfo)
    return upload if created >= now - UPLOAD_TTL else None


def discard(session: Session, *, upload_id: str) -> None:
    session.execute(delete(BulkUpload).where(BulkUpload.id == upload_id))
