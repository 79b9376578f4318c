"""Staff editing of the service-center directory at /admin/service-centers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from assistant.config import Settings
from assistant.db import session_scope
from assistant.main import create_app
from assistant.search_service import SearchService
from communes import directory
from communes.admin import hours_to_lines, lines_to_hours
from communes.resolver import AdminUnitsResolver
from tests.knowledge.admin.conftest import StaffLogin, staff_login  # noqa: F401  (fixture)


@pytest.fixture
def console(db_url: str, tmp_path: Path, session_factory: sessionmaker[Session],
            resolver: AdminUnitsResolver) -> Iterator[TestClient]:
    with session_scope(session_factory) as session:
        directory.seed_sample_centers(session, resolver)
    settings = Settings(database_url=db_url, index_dir=tmp_path / "index", environment="test",
                        rasa_url="http://127.0.0.1:9", action_server_url="http://127.0.0.1:9")
    app = create_app(settings, search=SearchService(settings, sessionmaker()))
    with TestClient(app, base_url="https://testserver") as client:
        yield client


def _yen_mo(session_factory: sessionmaker[Session]) -> int:
    with session_scope(session_factory) as session:
        row = directory.commune_center(session, commune_code="14701")
        assert row is not None
        return row.id


def test_anonymous_is_sent_to_login(console: TestClient) -> None:
    response = console.get("/admin/service-centers", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/admin/login")


def test_editor_edits_a_center(console: TestClient, staff_login: StaffLogin,  # noqa: F811
                               session_factory: sessionmaker[Session]) -> None:
    user = staff_login(console, role="editor")
    center_id = _yen_mo(session_factory)
    listing = console.get("/admin/service-centers", params={"province": "37"})
    assert listing.status_code == 200 and "Xã Yên Mô" in listing.text and "dữ liệu mẫu" in listing.text
    assert "Trung tâm hành chính công" in listing.text  # the navigation entry
    form = console.get(f"/admin/service-centers/{center_id}")
    assert "T2-T6 07:30-11:30" in form.text
    response = console.post(f"/admin/service-centers/{center_id}", follow_redirects=False, data={
        "csrf_token": user.csrf_token, "name": "Trung tâm Phục vụ hành chính công xã Yên Mô",
        "address": "Thôn Yên Thịnh, xã Yên Mô", "phone": "0229 3870 000", "map_url": "https://maps.example/yenmo",
        "hours": "T2-T6 07:00-11:30\nT2-T6 13:30-17:00", "receives_levels": ["commune"],
        "accepts_codes": "2.000001", "refuses_codes": ""})
    assert response.status_code == 303, response.text
    with session_scope(session_factory) as session:
        public = directory.to_public(directory.get_center(session, center_id=center_id))
    assert (public.phone, public.sample_data, public.accepts_codes) == ("0229 3870 000", False, ["2.000001"])
    assert public.opening_hours_text == "Thứ Hai – Thứ Sáu: 07:00–11:30, 13:30–17:00"


def test_invalid_form_is_shown_again_and_not_saved(console: TestClient, staff_login: StaffLogin,  # noqa: F811
                                                   session_factory: sessionmaker[Session]) -> None:
    user = staff_login(console, role="editor")
    center_id = _yen_mo(session_factory)
    response = console.post(f"/admin/service-centers/{center_id}", data={
        "csrf_token": user.csrf_token, "name": "Trung tâm", "hours": "sáng thứ hai", "sample_data": "1"})
    assert response.status_code == 422 and "T2-T6 07:30-11:30" in response.text
    with session_scope(session_factory) as session:
        assert directory.get_center(session, center_id=center_id).name != "Trung tâm"


def test_post_without_csrf_is_refused(console: TestClient, staff_login: StaffLogin,  # noqa: F811
                                      session_factory: sessionmaker[Session]) -> None:
    staff_login(console, role="editor")
    center_id = _yen_mo(session_factory)
    response = console.post(f"/admin/service-centers/{center_id}", data={"name": "Trung tâm mới"})
    assert response.status_code == 403


def test_hours_lines_round_trip() -> None:
    periods = lines_to_hours("T2-T6 7:30-11:30\nt7 07:30-11:30\n\nCN 08:00-11:00")
    assert hours_to_lines(periods) == "T2-T6 07:30-11:30\nT7 07:30-11:30\nCN 08:00-11:00"
    with pytest.raises(ValueError, match="T6-T2"):
        lines_to_hours("T6-T2 07:30-11:30")
