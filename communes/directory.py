"""Reading and changing the service-center directory, and seeding its sample data.

Functions take the caller's session (the caller's `session_scope` commits), like `knowledge.crud`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any
from urllib.parse import quote_plus

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from communes import texts_vi as T
from communes.errors import ServiceCenterNotFound
from communes.models import ServiceCenter
from communes.resolver import AddressResolver
from communes.schemas import CenterLevel, OpeningPeriod, ServiceCenterData, ServiceCenterPublic
from knowledge.models import utcnow

logger = logging.getLogger(__name__)

_FIELDS = tuple(ServiceCenterData.model_fields)


def list_centers(session: Session, *, province_code: str | None = None, commune_code: str | None = None,
                 level: CenterLevel | None = None) -> Sequence[ServiceCenter]:
    stmt = select(ServiceCenter).order_by(ServiceCenter.province_code, ServiceCenter.level.desc(),
                                          ServiceCenter.commune_name, ServiceCenter.id)
    if province_code:
        stmt = stmt.where(ServiceCenter.province_code == province_code)
    if commune_code:
        stmt = stmt.where(ServiceCenter.commune_code == commune_code)
    if level is not None:
        stmt = stmt.where(ServiceCenter.level == level.value)
    return session.scalars(stmt).all()


def get_center(session: Session, *, center_id: int) -> ServiceCenter:
    row = session.get(ServiceCenter, center_id)
    if row is None:
        raise ServiceCenterNotFound(center_id)
    return row


def commune_center(session: Session, *, commune_code: str) -> ServiceCenter | None:
    """The center that serves a commune (the first, if staff entered several)."""
    stmt = (select(ServiceCenter).where(ServiceCenter.commune_code == commune_code,
                                        ServiceCenter.level == CenterLevel.COMMUNE.value).order_by(ServiceCenter.id))
    return session.scalars(stmt).first()


def province_center(session: Session, *, province_code: str) -> ServiceCenter | None:
    stmt = (select(ServiceCenter).where(ServiceCenter.province_code == province_code,
                                        ServiceCenter.level == CenterLevel.PROVINCE.value).order_by(ServiceCenter.id))
    return session.scalars(stmt).first()


def create_center(session: Session, *, data: ServiceCenterData, author: str, key: str | None = None) -> ServiceCenter:
    row = ServiceCenter(key=key or f"{data.level.value}-{data.commune_code or data.province_code}-{utcnow():%s%f}")
    _apply(row, data, author)
    session.add(row)
    session.flush()
    return row


def update_center(session: Session, *, center_id: int, data: ServiceCenterData, author: str) -> ServiceCenter:
    row = get_center(session, center_id=center_id)
    _apply(row, data, author)
    session.flush()
    logger.info("service center %s updated by %s", center_id, author)
    return row


def delete_center(session: Session, *, center_id: int) -> None:
    session.delete(get_center(session, center_id=center_id))
    session.flush()


def center_data(row: ServiceCenter) -> ServiceCenterData:
    return ServiceCenterData.model_validate({name: getattr(row, name) for name in _FIELDS})


def to_public(row: ServiceCenter) -> ServiceCenterPublic:
    data = center_data(row)
    return ServiceCenterPublic(**data.model_dump(), id=row.id,
                               opening_hours_text=T.opening_hours_text(data.opening_hours),
                               updated_at=row.updated_at.isoformat() if row.updated_at else "")


def _apply(row: ServiceCenter, data: ServiceCenterData, author: str) -> None:
    values = data.model_dump(mode="json")
    for name in _FIELDS:
        setattr(row, name, values[name])
    row.updated_by = author
    row.updated_at = utcnow()


@dataclass(frozen=True)
class SeedReport:
    created: int
    unchanged: int


def _seed_spec() -> dict[str, Any]:
    text = resources.files("communes").joinpath("seed/service_centers.json").read_text(encoding="utf-8")
    spec: dict[str, Any] = json.loads(text)
    return spec


def _map_search(*words: str) -> str:
    return "https://www.google.com/maps/search/?api=1&query=" + quote_plus(" ".join(words))


def seed_sample_centers(session: Session, resolver: AddressResolver, author: str = "seed") -> SeedReport:
    """Add the demo provinces' centers that are missing; existing rows (maybe edited by staff) stay as they are."""
    spec = _seed_spec()
    hours = [OpeningPeriod.model_validate(p) for p in spec["opening_hours"]]
    province_hours = [OpeningPeriod.model_validate(p) for p in spec["province_opening_hours"]]
    existing = set(session.scalars(select(ServiceCenter.key)).all())
    # A place staff already gave a center of their own (under another key) keeps only that one.
    served = {(level, code) for level, code in session.execute(
        select(ServiceCenter.level, func.coalesce(ServiceCenter.commune_code, ServiceCenter.province_code)))}
    created = unchanged = 0
    provinces = {p.code: p for p in resolver.provinces()}
    for entry in spec["provinces"]:
        province = provinces[entry["province_code"]]
        wanted = entry["communes"]
        communes = [c for c in resolver.communes_of(province.code) if wanted == "all" or c.code in wanted]
        rows: list[tuple[str, ServiceCenterData]] = [(f"province-{province.code}", ServiceCenterData(
            name=T.PROVINCE_CENTER_OF.format(province=province.name), level=CenterLevel.PROVINCE,
            province_code=province.code, province_name=province.name,
            address=spec["province_address"].format(province=province.name), opening_hours=province_hours,
            map_url=_map_search("Trung tâm Phục vụ hành chính công", province.name),
            receives_levels=[CenterLevel.PROVINCE], sample_data=True))]
        for commune in communes:
            rows.append((f"commune-{commune.code}", ServiceCenterData(
                name=T.COMMUNE_CENTER_OF.format(commune=commune.name), level=CenterLevel.COMMUNE,
                province_code=province.code, province_name=province.name, commune_code=commune.code,
                commune_name=commune.name,
                address=spec["commune_address"].format(commune=commune.name, province=province.name),
                opening_hours=hours, map_url=_map_search("UBND", commune.name, province.name),
                receives_levels=[CenterLevel.COMMUNE], sample_data=True)))
        for key, data in rows:
            if key in existing or (data.level.value, data.commune_code or data.province_code) in served:
                unchanged += 1
                continue
            create_center(session, data=data, author=author, key=key)
            existing.add(key)
            created += 1
    logger.info("service-center seed: %d created, %d already there", created, unchanged)
    return SeedReport(created, unchanged)
