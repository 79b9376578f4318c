from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from assistant.db import session_scope
from knowledge import crud
from knowledge.admin.drafts import get_draft
from knowledge.schemas import ProcedureData
from tests.knowledge.admin.conftest import StaffLogin
from tests.knowledge.admin.forms import form_fields

CODE = "2.000635"  # copies of civil-status extracts: 8.000 đồng on every channel
EDIT_URL = f"/admin/procedures/{CODE}"


def _form(client: TestClient, code: str = CODE) -> dict[str, str]:
    page = client.get(f"/admin/procedures/{code}")
    assert page.status_code == 200
    return form_fields(page.text, "procedure-form")


def _fee_answer(client: TestClient, code: str = CODE) -> str:
    body = client.get(f"/api/procedures/{code}/answer", params={"topic": "fee"}).json()
    return "\n".join(message["text"] for message in body["messages"])


def test_list_filters_by_field_level_and_review(admin_client: TestClient, staff_login: StaffLogin) -> None:
    staff_login(admin_client, role="editor")
    everything = admin_client.get("/api/admin/procedures").json()
    assert everything["total"] == 3
    review = admin_client.get("/api/admin/procedures", params={"review": "true"}).json()
    assert {p["code"] for p in review["procedures"]} == {"1.001193", "1.000894"}
    province = admin_client.get("/api/admin/procedures", params={"level": "Cấp tỉnh"}).json()
    assert [p["code"] for p in province["procedures"]] == [CODE]
    by_name = admin_client.get("/api/admin/procedures", params={"q": "ket hon"}).json()
    assert [p["code"] for p in by_name["procedures"]] == ["1.000894"]
    page = admin_client.get("/admin/procedures", params={"review": "true", "field": "Hộ tịch"})
    assert page.status_code == 200
    assert "1.001193" in page.text and CODE not in page.text
    # The badge says why: the importer's reason for each flagged field.
    assert "steps: text looks garbled by the portal" in page.text


def test_untouched_form_round_trips_every_field(admin_client: TestClient, staff_login: StaffLogin) -> None:
    staff_login(admin_client, role="publisher")
    response = admin_client.post(EDIT_URL, data={**_form(admin_client), "action": "publish"},
                                 follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].endswith("ok=nothing_changed")


def test_publish_changes_the_answer_and_search_at_once(admin_client: TestClient, staff_login: StaffLogin,
                                                       session_factory: sessionmaker[Session]) -> None:
    staff_login(admin_client, role="publisher")
    assert "8.000 đồng" in _fee_answer(admin_client)
    fields = _form(admin_client)
    for index in range(3):
        fields[f"channels-{index}-fee_vnd"] = "12.500"
    fields["name"] = fields["name"] + " (bản sao giấy khai sinh cho người ở xa)"
    response = admin_client.post(EDIT_URL, data={**fields, "action": "publish"}, follow_redirects=False)
    assert response.status_code == 303 and "ok=published" in response.headers["location"]
    assert "12.500 đồng" in _fee_answer(admin_client)
    hits = admin_client.get("/api/procedures/search", params={"q": "bản sao giấy khai sinh cho người ở xa",
                                                                "k": 1}).json()["hits"]
    assert hits[0]["code"] == CODE
    with session_factory() as session:
        revision = crud.list_revisions(session, code=CODE)[-1]
        assert revision.author.startswith("publisher-")
        assert set(revision.changed_fields) == {"name", "channels"}


def test_draft_does_not_change_what_citizens_see(admin_client: TestClient, staff_login: StaffLogin,
                                                 session_factory: sessionmaker[Session]) -> None:
    staff_login(admin_client, role="editor")
    fields = _form(admin_client)
    fields["channels-0-fee_vnd"] = "99000"
    response = admin_client.post(EDIT_URL, data={**fields, "action": "save_draft"}, follow_redirects=False)
    assert response.status_code == 303
    assert "99.000" not in _fee_answer(admin_client)
    with session_factory() as session:
        draft = get_draft(session, code=CODE)
        assert draft is not None and draft.content["channels"][0]["fee_vnd"] == 99000
    # The edit page now opens on the draft, and the preview shows the answer as the bot will say it.
    fields = _form(admin_client)
    assert fields["channels-0-fee_vnd"] == "99000"
    preview = admin_client.post(EDIT_URL, data={**fields, "action": "preview"})
    assert preview.status_code == 200
    assert "99.000 đồng" in preview.text


def test_editor_cannot_publish(admin_client: TestClient, staff_login: StaffLogin) -> None:
    staff_login(admin_client, role="editor")
    fields = _form(admin_client)
    assert 'value="publish"' not in admin_client.get(EDIT_URL).text
    fields["channels-0-fee_vnd"] = "1"
    response = admin_client.post(EDIT_URL, data={**fields, "action": "publish"})
    assert response.status_code == 403
    assert "8.000 đồng" in _fee_answer(admin_client)


def test_invalid_numbers_are_explained_next_to_the_field_and_text_is_kept(
        admin_client: TestClient, staff_login: StaffLogin) -> None:
    staff_login(admin_client, role="publisher")
    fields = _form(admin_client)
    fields["channels-0-fee_vnd"] = "tám nghìn"
    fields["channels-1-time_value"] = "-3"
    fields["channels-1-time_unit"] = "working_days"
    fields["documents-0-copy_count"] = "hai"
    fields["conditions"] = "Điều kiện mới của cán bộ, chưa được mất"
    response = admin_client.post(EDIT_URL, data={**fields, "action": "publish"})
    assert response.status_code == 422
    assert 'id="err-channels-0-fee_vnd"' in response.text and "Lệ phí phải là số tiền" in response.text
    assert 'id="err-channels-1-time_value"' in response.text
    assert 'id="err-documents-0-copy_count"' in response.text
    kept = form_fields(response.text, "procedure-form")
    assert kept["channels-0-fee_vnd"] == "tám nghìn"
    assert kept["conditions"] == "Điều kiện mới của cán bộ, chưa được mất"
    assert "8.000 đồng" in _fee_answer(admin_client)


def test_time_value_needs_a_unit(admin_client: TestClient, staff_login: StaffLogin) -> None:
    staff_login(admin_client, role="publisher")
    # A number without its unit (as the portal's table sometimes has it) is refused: the clerk chooses one.
    form = _form(admin_client, "1.001193")
    assert form["channels-0-time_value"], "the import read a number for this channel"
    response = admin_client.post("/admin/procedures/1.001193",
                                 data={**form, "channels-0-time_unit": "", "action": "save_draft"})
    assert response.status_code == 422
    assert "đơn vị thời hạn" in response.text


def test_second_stale_edit_is_refused_and_keeps_its_text(admin_client: TestClient, staff_login: StaffLogin,
                                                         admin_app: object) -> None:
    staff_login(admin_client, role="publisher")
    first = _form(admin_client)
    second = dict(first)
    first["channels-0-fee_vnd"] = "10000"
    assert admin_client.post(EDIT_URL, data={**first, "action": "publish"}, follow_redirects=False).status_code == 303
    second["channels-0-fee_vnd"] = "20000"
    second["result"] = "Văn bản của người thứ hai"
    response = admin_client.post(EDIT_URL, data={**second, "action": "publish"})
    assert response.status_code == 409
    assert "vừa được" in response.text
    kept = form_fields(response.text, "procedure-form")
    assert kept["channels-0-fee_vnd"] == "20000" and kept["result"] == "Văn bản của người thứ hai"
    assert "10.000 đồng" in _fee_answer(admin_client)
    # A stale draft save is refused the same way.
    response = admin_client.post(EDIT_URL, data={**second, "action": "save_draft"})
    assert response.status_code == 409


def test_history_shows_a_field_diff_and_restore_brings_the_old_fee_back(
        admin_client: TestClient, staff_login: StaffLogin) -> None:
    staff_login(admin_client, role="publisher")
    fields = _form(admin_client)
    fields["channels-2-fee_vnd"] = "15000"
    admin_client.post(EDIT_URL, data={**fields, "action": "publish"})
    history = admin_client.get(f"{EDIT_URL}/history")
    assert history.status_code == 200
    assert "<ins>+ Trực tiếp" in history.text and "Lệ phí (đồng): 15.000" in history.text
    assert "<del>− Trực tiếp" in history.text and "Lệ phí (đồng): 8.000" in history.text
    restore_form = form_fields(history.text.split('id="rev-1"')[1])
    response = admin_client.post(f"{EDIT_URL}/restore/1", data=restore_form, follow_redirects=False)
    assert response.status_code == 303
    assert "15.000" not in _fee_answer(admin_client) and "8.000 đồng" in _fee_answer(admin_client)


def test_editor_cannot_restore(admin_client: TestClient, staff_login: StaffLogin) -> None:
    user = staff_login(admin_client, role="editor")
    response = admin_client.post(f"{EDIT_URL}/restore/1", data={"csrf_token": user.csrf_token})
    assert response.status_code == 403


def _portal_record(session: Session, **changes: object) -> ProcedureData:
    """A newer portal record of `CODE`: the last imported content with `changes`."""
    row = crud.get_procedure(session, code=CODE)
    imported = next(r for r in reversed(row.revisions) if r.reason.startswith(crud.IMPORT_REASON))
    return ProcedureData.model_validate({**imported.snapshot["content"], "raw": row.raw, **changes})


def _with_fee(content: dict[str, object], fee: int) -> list[dict[str, object]]:
    channels = content["channels"]
    assert isinstance(channels, list)
    return [{**channel, "fee_vnd": fee, "fee_text": f"{fee} đồng"} for channel in channels]


def test_a_console_restore_is_a_staff_edit_the_next_import_keeps(
        admin_client: TestClient, staff_login: StaffLogin, session_factory: sessionmaker[Session]) -> None:
    with session_scope(session_factory) as session:
        content = crud.get_procedure(session, code=CODE).content
        crud.upsert_imported(session, data=_portal_record(session, channels=_with_fee(content, 9000)))
    staff_login(admin_client, role="publisher")
    history = admin_client.get(f"{EDIT_URL}/history")
    response = admin_client.post(f"{EDIT_URL}/restore/1", data=form_fields(history.text.split('id="rev-1"')[1]),
                                 follow_redirects=False)
    assert response.status_code == 303
    with session_scope(session_factory) as session:
        change = crud.upsert_imported(session, data=_portal_record(session, result="Bản sao trích lục (mới)"))
    with session_scope(session_factory) as session:
        row = crud.get_procedure(session, code=CODE)
        assert (change.changed_fields, change.kept_fields) == (("result",), ("channels",))
        assert {channel["fee_vnd"] for channel in row.content["channels"]} == {8000}
        assert row.content["result"] == "Bản sao trích lục (mới)"
        assert "channels" not in row.review_flags
        assert [r.reason for r in row.revisions][-2:] == ["restore revision 1",
                                                          "import: newer source record, staff edits kept"]
