"""Stored rows of dossier status: the dossier, its history, verification digests, subscriptions, notifications.

The applicant's phone and ID number are never stored: only HMAC digests of their last four digits
(`DossierVerifier`), which is all a lookup needs. Status is a short string checked against
`dossiers.domain.DossierStatus` in Python, so adding a status needs no enum migration on PostgreSQL.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from knowledge.models import Base, utcnow


class Dossier(Base):
    __tablename__ = "dossiers"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True, index=True)
    procedure_code: Mapped[str] = mapped_column(String(32), index=True)
    procedure_name: Mapped[str] = mapped_column(Text, default="")
    agency: Mapped[str] = mapped_column(String(255), default="")
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    due_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(24), index=True)
    missing_documents: Mapped[list[str]] = mapped_column(default=list)
    pickup_place: Mapped[str | None] = mapped_column(Text, nullable=True)
    expected_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    source: Mapped[str] = mapped_column(String(16), default="import")  # import | demo | http
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    history: Mapped[list[DossierStatusEvent]] = relationship(
        back_populates="dossier", cascade="all, delete-orphan",
        order_by="[DossierStatusEvent.at, DossierStatusEvent.id]",
    )
    verifiers: Mapped[list[DossierVerifier]] = relationship(back_populates="dossier", cascade="all, delete-orphan")
    subscriptions: Mapped[list[DossierSubscription]] = relationship(
        back_populates="dossier", cascade="all, delete-orphan")


class DossierStatusEvent(Base):
    """One step of a dossier's history; (dossier, status, at) is unique so re-imports add nothing."""

    __tablename__ = "dossier_status_events"
    __table_args__ = (UniqueConstraint("dossier_id", "status", "at", name="uq_dossier_event"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(24))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    note: Mapped[str] = mapped_column(Text, default="")

    dossier: Mapped[Dossier] = relationship(back_populates="history")


class DossierVerifier(Base):
    """HMAC-SHA256 (pepper from settings) of code + last four digits of the applicant's phone or ID number."""

    __tablename__ = "dossier_verifiers"
    __table_args__ = (UniqueConstraint("dossier_id", "digest", name="uq_dossier_verifier"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), index=True)
    digest: Mapped[str] = mapped_column(String(64))

    dossier: Mapped[Dossier] = relationship(back_populates="verifiers")


class DossierSubscription(Base):
    """A conversation that asked to be told when the dossier's status changes."""

    __tablename__ = "dossier_subscriptions"
    __table_args__ = (UniqueConstraint("dossier_id", "sender_id", "channel", name="uq_dossier_subscription"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), index=True)
    sender_id: Mapped[str] = mapped_column(String(160), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    dossier: Mapped[Dossier] = relationship(back_populates="subscriptions")


class DossierNotification(Base):
    """A queued message for one subscriber about one status change; sent through the channel outbox."""

    __tablename__ = "dossier_notifications"
    __table_args__ = (UniqueConstraint("subscription_id", "event_id", name="uq_dossier_notification"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("dossier_subscriptions.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("dossier_status_events.id", ondelete="CASCADE"), index=True)
    sender_id: Mapped[str] = mapped_column(String(160), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    code: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default="queued", index=True)  # queued | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
