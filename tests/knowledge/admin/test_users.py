from __future__ import annotations

from fastapi.testclient import TestClient

from tests.knowledge.admin.conftest import STAFF_PASSWORD, StaffLogin
from tests.knowledge.admin.forms import form_fields


def test_publisher_creates_an_editor_who_can_sign_in_then_disables_them(
        admin_app: object, admin_client: TestClient, staff_login: StaffLogin) -> None:
    user = staff_login(admin_client, role="publisher")
    created = admin_client.post("/admin/users", data={"csrf_token": user.csrf_token, "username": "hoa",
                                                      "display_name": "Trần Thị Hoa", "role": "editor",
                                                      "password": STAFF_PASSWORD}, follow_redirects=False)
    assert created.status_code == 303
    weak = admin_client.post("/admin/users", data={"csrf_token": user.csrf_token, "username": "binh",
                                                   "role": "editor", "password": "123"})
    assert weak.status_code == 422 and "quá ngắn" in weak.text
    with TestClient(admin_app, base_url="https://testserver") as editor:  # type: ignore[arg-type]
        token = form_fields(editor.get("/admin/login").text)["csrf_token"]
        signed_in = editor.post("/admin/login", data={"username": "hoa", "password": STAFF_PASSWORD,
                                                      "csrf_token": token}, follow_redirects=False)
        assert signed_in.status_code == 303
        assert editor.get("/admin/procedures", follow_redirects=False).status_code == 200
        page = admin_client.get("/admin/users").text
        hoa_id = page.split('action="/admin/users/')[1].split("/")[0]
        disabled = admin_client.post(f"/admin/users/{hoa_id}/disable", data={"csrf_token": user.csrf_token},
                                     follow_redirects=False)
        assert disabled.status_code == 303
        # Disabling signs the editor out at once.
        assert editor.get("/admin/procedures", follow_redirects=False).status_code == 303


def test_publisher_cannot_disable_themselves(admin_client: TestClient, staff_login: StaffLogin) -> None:
    user = staff_login(admin_client, role="publisher")
    response = admin_client.post(f"/admin/users/{user.id}/disable", data={"csrf_token": user.csrf_token})
    assert response.status_code == 422
