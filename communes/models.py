"""Stored rows of the service-center directory: where a citizen goes, when it is open, what it receives."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from knowledge.models import Base, utcnow


class ServiceCenter(Base):
    """A Public Administration Service Center (Trung tâm Phục vụ hành chính công) of a commune or a province.

    `receives_levels` says which procedure levels it takes in ("commune" at a commune center, "province" at
    the province center); `accepts_codes` and `refuses_codes` override that per procedure code. `sample_data`
    stays true until staff replace the placeholder contact details, and the citizen is told so meanwhile.
    """

    __tablename__ = "service_centers"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)  # stable seed key, e.g. "commune-14701"
    name: Mapped[str] = mapped_column(String(255))
    level: Mapped[str] = mapped_column(String(16), index=True)  # "commune" | "province"
    province_code: Mapped[str] = mapped_column(String(8), index=True)
    province_name: Mapped[str] = mapped_column(String(100))
    commune_code: Mapped[str | None] = mapped_column(String(8), index=True, nullable=True)
    commune_name: Mapped[str] = mapped_column(String(100), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    opening_hours: Mapped[list[Any]] = mapped_column(JSON, default=list)
    phone: Mapped[str] = mapped_column(String(64), default="")
    map_url: Mapped[str] = mapped_column(String(500), default="")
    receives_levels: Mapped[list[str]] = mapped_column(JSON, default=list)
    accepts_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    refuses_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    sample_data: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
