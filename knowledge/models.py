"""Stored rows of the knowledge base.

A procedure keeps its structured content as one JSON document (validated by `knowledge.schemas`) beside
the columns staff filter on. Every change writes a `ProcedureRevision` with the full snapshot, so any
earlier state can be shown or restored; nothing is overwritten without trace.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[str]: JSON, list[Any]: JSON}


class Procedure(Base):
    __tablename__ = "procedures"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True, index=True)
    name: Mapped[str] = mapped_column(Text)
    field: Mapped[str] = mapped_column(String(255), index=True, default="")
    levels: Mapped[list[str]] = mapped_column(default=list)
    ministry: Mapped[str] = mapped_column(String(64), default="")
    content: Mapped[dict[str, Any]] = mapped_column(default=dict)
    raw: Mapped[dict[str, Any]] = mapped_column(default=dict)
    review_flags: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Hash of the imported source content: re-importing an unchanged record is a no-op.
    source_hash: Mapped[str] = mapped_column(String(64), default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    aliases: Mapped[list[ProcedureAlias]] = relationship(
        back_populates="procedure", cascade="all, delete-orphan", order_by="ProcedureAlias.id"
    )
    revisions: Mapped[list[ProcedureRevision]] = relationship(
        back_populates="procedure", cascade="all, delete-orphan", order_by="ProcedureRevision.number"
    )

    # The version column doubles as the optimistic lock: a stale UPDATE matches no row and fails.
    __mapper_args__ = {"version_id_col": version}


class ProcedureAlias(Base):
    """A wording citizens use for a procedure, attached by staff; indexed with the procedure."""

    __tablename__ = "procedure_aliases"
    __table_args__ = (UniqueConstraint("procedure_id", "text", name="uq_alias_procedure_text"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(16), default="alias")  # alias | question
    author: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    procedure: Mapped[Procedure] = relationship(back_populates="aliases")


class ProcedureRevision(Base):
    """Who changed a procedure, when, what, and the whole state right after the change."""

    __tablename__ = "procedure_revisions"
    __table_args__ = (UniqueConstraint("procedure_id", "number", name="uq_revision_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    author: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(String(200))
    changed_fields: Mapped[list[str]] = mapped_column(default=list)
    snapshot: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    procedure: Mapped[Procedure] = relationship(back_populates="revisions")
