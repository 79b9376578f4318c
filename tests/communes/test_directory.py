"""The service-center directory on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine, inspect
from sqlalchemy.orm import Session, sessionmaker

from assistant.db import session_scope
from communes import directory
from communes.errors import ServiceCenterNotFound
from communes.resolver import AdminUnitsResolver
from communes.schemas import CenterLevel, OpeningPeriod, ServiceCenterData
from communes.texts_vi import opening_hours_text


def _data(**overrides: object) -> ServiceCenterData:
    values: dict[str, object] = {
        "name": "Trung tâm Phục vụ hành chính công Xã Tùng Bá", "level": CenterLevel.COMMUNE,
        "province_code": "08", "province_name": "Tỉnh Tuyên Quang", "commune_code": "00925",
        "commune_name": "Xã Tùng Bá", "address": "Thôn Nà Lầu", "phone": "0219 3800 000",
        "opening_hours": [OpeningPeriod(first_day=0, last_day=4, opens="7:30", closes="11:30")],
        "receives_levels": [CenterLevel.COMMUNE], "sample_data": False,
    }
    values.update(overrides)
    return ServiceCenterData.model_validate(values)


def test_migration_creates_the_table(engine: Engine) -> None:
    assert "service_centers" in inspect(engine).get_table_names()


def test_create_read_update_delete(session_factory: sessionmaker[Session]) -> None:
    with session_scope(session_factory) as session:
        center_id = directory.create_center(session, data=_data(), author="clerk").id
    with session_scope(session_factory) as session:
        row = directory.get_center(session, center_id=center_id)
        assert row.opening_hours == [{"first_day": 0, "last_day": 4, "opens": "07:30", "closes": "11:30"}]
        assert directory.commune_center(session, commune_code="00925").id == center_id
        directory.update_center(session, center_id=center_id, data=_data(phone="0219 3800 111"), author="b")
    with session_scope(session_factory) as session:
        public = directory.to_public(directory.get_center(session, center_id=center_id))
        assert (public.phone, public.opening_hours_text) == ("0219 3800 111", "Thứ Hai – Thứ Sáu: 07:30–11:30")
        assert [c.id for c in directory.list_centers(session, province_code="08")] == [center_id]
        assert directory.list_centers(session, province_code="37") == []
        directory.delete_center(session, center_id=center_id)
    with session_scope(session_factory) as session, pytest.raises(ServiceCenterNotFound):
        directory.get_center(session, center_id=center_id)


def test_seed_is_idempotent_and_keeps_staff_edits(session_factory: sessionmaker[Session],
                                                  resolver: AdminUnitsResolver) -> None:
    with session_scope(session_factory) as session:
        first = directory.seed_sample_centers(session, resolver)
    assert first.created == len(resolver.communes_of("08")) + 1 + 2  # Tuyên Quang, Ninh Bình centers, Yên Mô
    with session_scope(session_factory) as session:
        row = directory.commune_center(session, commune_code="14701")
        assert row is not None and row.sample_data
        directory.update_center(session, center_id=row.id, data=directory.center_data(row).model_copy(
            update={"phone": "0229 3000 000", "sample_data": False}), author="clerk")
    with session_scope(session_factory) as session:
        second = directory.seed_sample_centers(session, resolver)
        assert (second.created, second.unchanged) == (0, first.created)
        row = directory.commune_center(session, commune_code="14701")
        assert row is not None and (row.phone, row.sample_data) == ("0229 3000 000", False)
        assert directory.province_center(session, province_code="08") is not None


def test_seed_leaves_a_place_staff_gave_their_own_center(session_factory: sessionmaker[Session],
                                                         resolver: AdminUnitsResolver) -> None:
    """A sample center replaced by the clerk's own (another key) does not come back beside it."""
    tung_ba = "00925"
    with session_scope(session_factory) as session:
        directory.seed_sample_centers(session, resolver)
        sample = directory.commune_center(session, commune_code=tung_ba)
        assert sample is not None
        directory.delete_center(session, center_id=sample.id)
        own = directory.create_center(session, data=_data(commune_code=tung_ba), author="clerk").id
    with session_scope(session_factory) as session:
        again = directory.seed_sample_centers(session, resolver)
        assert again.created == 0
        assert [c.id for c in directory.list_centers(session, commune_code=tung_ba)] == [own]


def test_opening_hours_text_groups_weekday_ranges() -> None:
    periods = [OpeningPeriod(first_day=5, last_day=5, opens="07:30", closes="11:30"),
               OpeningPeriod(first_day=0, last_day=4, opens="13:30", closes="17:00"),
               OpeningPeriod(first_day=0, last_day=4, opens="07:30", closes="11:30")]
    assert opening_hours_text(periods) == "Thứ Hai – Thứ Sáu: 07:30–11:30, 13:30–17:00; Thứ Bảy: 07:30–11:30"
    assert opening_hours_text([]) == "chưa cập nhật"


@pytest.mark.parametrize("overrides", [
    {"commune_code": None},
    {"map_url": "javascript:alert(1)"},
    {"phone": "call me"},
    {"opening_hours": [{"first_day": 4, "last_day": 0, "opens": "07:30", "closes": "11:30"}]},
    {"opening_hours": [{"first_day": 0, "last_day": 4, "opens": "17:00", "closes": "07:30"}]},
    {"opening_hours": [{"first_day": 0, "last_day": 4, "opens": "25:00", "closes": "26:00"}]},
])
def test_invalid_center_data_is_refused(overrides: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        _data(**overrides)
