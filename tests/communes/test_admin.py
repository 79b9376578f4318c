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


def test_a_center_id_beyond_the_id_column_is_refused_not_looked_up(
        console: TestClient, staff_login: StaffLogin) -> None:  # noqa: F811
    staff_login(console, role="editor")
    assert console.get(f"/admin/service-centers/{2**31}").status_code == 422  # a database error on PostgreSQL
    assert console.get(f"/admin/service-centers/{2**31 - 1}").status_code == 404


def test_invalid_form_is_shown_again_and_not_saved(console: TestClient, staff_login: StaffLogin,  # noqa: F811
                                                   session_factory: sessionmaker[Session]) -> None:
    user = staff_login(console, role="editor")
    center_id = _yen_mo(session_factory)
    response = console.post(f"/admin/service-centers/{center_id}", data={
        "csrf_token": user.csrf_token, "name": "Trung tâm", "hours": "sáng thứ hai", "sample_data": "1"})
    assert response.status_code == 422 and "T2-T6 07:30-11:30" in response.text
    with session_scope(session_factory) as session:
        assert directory.get_center(session, center_id=center_id).name != "Trung tâm"


def test_refused_fields_are_named_on_the_form_and_nothing_is_saved(
        console: TestClient, staff_login: StaffLogin,  # noqa: F811
        session_factory: sessionmaker[Session]) -> None:
    user = staff_login(console, role="editor")
    center_id = _yen_mo(session_factory)
    response = console.post(f"/admin/service-centers/{center_id}", data={
        "csrf_token": user.csrf_token, "name": "Trung tâm xã Yên Mô", "phone": "gọi ông Ba",
        "map_url": "maps.example/yenmo", "hours": "T2-T6 07:30-11:30", "receives_levels": ["commune"]})
    assert response.status_code == 422
    assert "Điện thoại: số điện thoại chỉ gồm chữ số" in response.text
    assert "Liên kết bản đồ: liên kết bản đồ phải bắt đầu bằng https://" in response.text
    assert "Trung tâm xã Yên Mô" in response.text  # what the clerk typed comes back
    with session_scope(session_factory) as session:
        assert directory.get_center(session, center_id=center_id).name != "Trung tâm xã Yên Mô"


def test_unticking_every_level_is_saved_as_receiving_none(console: TestClient, staff_login: StaffLogin,  # noqa: F811
                                                          session_factory: sessionmaker[Session]) -> None:
    user = staff_login(console, role="editor")
    center_id = _yen_mo(session_factory)
    response = console.post(f"/admin/service-centers/{center_id}", follow_redirects=False, data={
        "csrf_token": user.csrf_token, "name": "Trung tâm xã Yên Mô", "hours": "T2-T6 07:30-11:30",
        "accepts_codes": "1.000001, 2.000002"})
    assert response.status_code == 303, response.text
    with session_scope(session_factory) as session:
        public = directory.to_public(directory.get_center(session, center_id=center_id))
    assert (public.receives_levels, public.accepts_codes) == ([], ["1.000001", "2.000002"])


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


def _centers_of(session_factory: sessionmaker[Session], commune_code: str) -> list[directory.ServiceCenterPublic]:
    with session_scope(session_factory) as session:
        return [directory.to_public(r) for r in directory.list_centers(session, commune_code=commune_code)]


def _count(session_factory: sessionmaker[Session]) -> int:
    with session_scope(session_factory) as session:
        return len(directory.list_centers(session))


@pytest.mark.parametrize(("place", "code", "commune"), [
    ("phường Ba Đình, Hà Nội", "00004", "Phường Ba Đình"),
    ("phường Bến Nghé, quận 1, TP Hồ Chí Minh", "26740", "Phường Sài Gòn"),  # a pre-2025 address
])
def test_editor_adds_a_center_for_a_typed_commune(console: TestClient, staff_login: StaffLogin,  # noqa: F811
                                                  session_factory: sessionmaker[Session], place: str, code: str,
                                                  commune: str) -> None:
    user = staff_login(console, role="editor")
    listing = console.get("/admin/service-centers")
    assert 'href="/admin/service-centers/new"' in listing.text and "Thêm trung tâm" in listing.text
    assert console.get("/admin/service-centers/new").status_code == 200
    assert _centers_of(session_factory, code) == []
    response = console.post("/admin/service-centers/new", follow_redirects=False, data={
        "csrf_token": user.csrf_token, "level": "commune", "place": place, "address": "Số 1 đường Chính",
        "phone": "024 3825 0000", "hours": "T2-T6 07:30-11:30", "receives_levels": ["commune"]})
    assert response.status_code == 303, response.text
    [center] = _centers_of(session_factory, code)
    assert (center.commune_name, center.level.value, center.sample_data) == (commune, "commune", False)
    assert center.name == f"Trung tâm Phục vụ hành chính công {commune}"
    assert center.opening_hours_text == "Thứ Hai – Thứ Sáu: 07:30–11:30"
    answer = console.get("/api/communes/resolve", params={"address": place}).json()
    assert answer["candidates"][0]["service_center"]["phone"] == "024 3825 0000"
    assert "DỮ LIỆU MẪU" not in answer["text"]


def test_province_center_resolves_only_the_province(console: TestClient, staff_login: StaffLogin,  # noqa: F811
                                                    session_factory: sessionmaker[Session]) -> None:
    user = staff_login(console, role="editor")
    response = console.post("/admin/service-centers/new", follow_redirects=False, data={
        "csrf_token": user.csrf_token, "level": "province", "place": "Hà Nội", "receives_levels": ["province"]})
    assert response.status_code == 303, response.text
    with session_scope(session_factory) as session:
        row = directory.province_center(session, province_code="01")
        assert row is not None and (row.commune_code, row.name) == (None, "Trung tâm Phục vụ hành chính công "
                                                                           "Thành phố Hà Nội")


@pytest.mark.parametrize(("place", "expected"), [
    ("xã Tân Lập", ["khớp với nhiều nơi", "Xã Tân Lập, Tỉnh Lâm Đồng", "Xã Tân Lập, Tỉnh Tây Ninh"]),
    ("xã Không Tồn Tại, Hà Giang", ["Không tìm thấy xã/phường", "ví dụ"]),
    ("Ninh Bình", ["Tỉnh Ninh Bình", "ghi thêm tên xã/phường"]),
])
def test_unclear_place_is_shown_again_and_nothing_is_created(
        console: TestClient, staff_login: StaffLogin,  # noqa: F811
        session_factory: sessionmaker[Session], place: str, expected: list[str]) -> None:
    user = staff_login(console, role="editor")
    before = _count(session_factory)
    response = console.post("/admin/service-centers/new", data={
        "csrf_token": user.csrf_token, "level": "commune", "place": place, "address": "Thôn Đông",
        "phone": "0209 111 222", "hours": "T2-T6 07:30-11:30"})
    assert response.status_code == 422
    for text in expected:
        assert text in response.text
    assert f'value="{place}"' in response.text and 'value="Thôn Đông"' in response.text
    assert "T2-T6 07:30-11:30</textarea>" in response.text
    assert _count(session_factory) == before


def test_invalid_hours_on_a_new_center_save_nothing(console: TestClient, staff_login: StaffLogin,  # noqa: F811
                                                    session_factory: sessionmaker[Session]) -> None:
    user = staff_login(console, role="editor")
    response = console.post("/admin/service-centers/new", data={
        "csrf_token": user.csrf_token, "level": "commune", "place": "phường Ba Đình, Hà Nội", "hours": "sáng"})
    assert response.status_code == 422 and "T2-T6 07:30-11:30" in response.text
    assert _centers_of(session_factory, "00004") == []


def test_second_center_for_a_commune_is_refused(console: TestClient, staff_login: StaffLogin,  # noqa: F811
                                                session_factory: sessionmaker[Session]) -> None:
    user = staff_login(console, role="editor")
    existing = _yen_mo(session_factory)
    before = _count(session_factory)
    response = console.post("/admin/service-centers/new", data={
        "csrf_token": user.csrf_token, "level": "commune", "place": "xã Yên Thịnh, huyện Yên Mô, Ninh Bình"})
    assert response.status_code == 409
    assert "Xã Yên Mô" in response.text and f'href="/admin/service-centers/{existing}"' in response.text
    province = console.post("/admin/service-centers/new", data={
        "csrf_token": user.csrf_token, "level": "province", "place": "Ninh Bình"})
    assert province.status_code == 409 and "đã có trung tâm cấp tỉnh" in province.text
    assert _count(session_factory) == before


def test_new_center_without_csrf_is_refused(console: TestClient, staff_login: StaffLogin,  # noqa: F811
                                            session_factory: sessionmaker[Session]) -> None:
    staff_login(console, role="editor")
    response = console.post("/admin/service-centers/new", data={"level": "commune",
                                                                "place": "phường Ba Đình, Hà Nội"})
    assert response.status_code == 403
    assert _centers_of(session_factory, "00004") == []


def test_html_typed_in_a_center_is_escaped(console: TestClient, staff_login: StaffLogin,  # noqa: F811
                                           session_factory: sessionmaker[Session]) -> None:
    user = staff_login(console, role="editor")
    evil = '<script>alert("x")</script>'
    response = console.post("/admin/service-centers/new", follow_redirects=False, data={
        "csrf_token": user.csrf_token, "level": "commune", "place": "phường Ba Đình, Hà Nội",
        "name": f"Trung tâm {evil}", "address": evil})
    assert response.status_code == 303, response.text
    [center] = _centers_of(session_factory, "00004")
    for page in (console.get("/admin/service-centers", params={"province": "01"}),
                 console.get(f"/admin/service-centers/{center.id}")):
        assert evil not in page.text and "&lt;script&gt;" in page.text
    refused = console.post("/admin/service-centers/new", data={
        "csrf_token": user.csrf_token, "level": "commune", "place": f"xã {evil}"})
    assert refused.status_code == 422 and evil not in refused.text and "&lt;script&gt;" in refused.text


def test_only_a_publisher_removes_a_center(console: TestClient, staff_login: StaffLogin,  # noqa: F811
                                           session_factory: sessionmaker[Session]) -> None:
    center_id = _yen_mo(session_factory)
    editor = staff_login(console, role="editor")
    editor_page = console.get(f"/admin/service-centers/{center_id}").text
    assert "/delete" not in editor_page and "Chỉ người có quyền duyệt đăng mới xóa được" in editor_page
    refused = console.post(f"/admin/service-centers/{center_id}/delete",
                           data={"csrf_token": editor.csrf_token, "confirm": "1"})
    assert refused.status_code == 403
    assert _centers_of(session_factory, "14701") != []

    console.cookies.clear()  # sign the editor out
    publisher = staff_login(console, role="publisher")
    page = console.get(f"/admin/service-centers/{center_id}")
    assert 'action="/admin/service-centers/' + str(center_id) + '/delete"' in page.text
    assert "trụ sở UBND Xã Yên Mô" in page.text
    assert console.post(f"/admin/service-centers/{center_id}/delete",
                        data={"confirm": "1"}).status_code == 403  # no CSRF token
    unconfirmed = console.post(f"/admin/service-centers/{center_id}/delete",
                               data={"csrf_token": publisher.csrf_token})
    assert unconfirmed.status_code == 422 and "Tôi chắc chắn" in unconfirmed.text
    assert _centers_of(session_factory, "14701") != []
    before = console.get("/api/communes/resolve", params={"address": "xã Yên Mô, Ninh Bình"}).json()
    assert before["candidates"][0]["service_center"]["id"] == center_id

    done = console.post(f"/admin/service-centers/{center_id}/delete", follow_redirects=False,
                        data={"csrf_token": publisher.csrf_token, "confirm": "1"})
    assert done.status_code == 303 and done.headers["location"] == "/admin/service-centers?province=37&deleted=1"
    assert "Đã xóa trung tâm" in console.get(done.headers["location"]).text
    assert _centers_of(session_factory, "14701") == []
    after = console.get("/api/communes/resolve", params={"address": "xã Yên Mô, Ninh Bình"}).json()
    assert after["status"] == "resolved" and after["candidates"][0]["service_center"] is None
    assert "Mình chưa có địa chỉ Trung tâm Phục vụ hành chính công của Xã Yên Mô" in after["text"]
    assert "trụ sở UBND Xã Yên Mô" in after["text"]
    missing = console.post(f"/admin/service-centers/{center_id}/delete",
                           data={"csrf_token": publisher.csrf_token, "confirm": "1"})
    assert missing.status_code == 404
