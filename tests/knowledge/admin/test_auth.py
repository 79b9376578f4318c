from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from assistant.db import session_scope
from knowledge.admin.auth import SESSION_COOKIE
from knowledge.admin.models import StaffSession
from tests.knowledge.admin.conftest import StaffLogin


def test_login_sets_a_hardened_cookie_and_lands_on_the_console(admin_client: TestClient,
                                                               staff_login: StaffLogin) -> None:
    user = staff_login(admin_client, role="editor")
    assert user.role == "editor" and user.csrf_token
    page = admin_client.get("/admin/procedures", follow_redirects=False)
    assert page.status_code == 200
    assert user.display_name in page.text


def test_session_cookie_flags(admin_client: TestClient, session_factory: sessionmaker[Session]) -> None:
    from knowledge.admin.accounts import create_account
    from tests.knowledge.admin.conftest import STAFF_PASSWORD

    with session_scope(session_factory) as session:
        create_account(session, username="lan", password=STAFF_PASSWORD, role="editor")
    page = admin_client.get("/admin/login")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    response = admin_client.post("/admin/login", data={"username": "lan", "password": STAFF_PASSWORD,
                                                       "csrf_token": token}, follow_redirects=False)
    cookie = next(v for k, v in response.headers.multi_items()
                  if k == "set-cookie" and v.startswith(SESSION_COOKIE + "="))
    lowered = cookie.lower()
    assert "httponly" in lowered and "samesite=lax" in lowered and "secure" in lowered
    with session_factory() as session:
        stored = session.query(StaffSession).one()
    raw_token = cookie.split(";")[0].split("=", 1)[1]
    assert stored.token_hash != raw_token and len(stored.token_hash) == 64


def test_logout_ends_the_session(admin_client: TestClient, staff_login: StaffLogin) -> None:
    user = staff_login(admin_client, role="editor")
    response = admin_client.post("/admin/logout", data={"csrf_token": user.csrf_token}, follow_redirects=False)
    assert response.status_code == 303
    assert admin_client.get("/admin/procedures", follow_redirects=False).status_code == 303


def test_idle_session_expires(admin_client: TestClient, staff_login: StaffLogin,
                              session_factory: sessionmaker[Session]) -> None:
    staff_login(admin_client, role="editor")
    with session_scope(session_factory) as session:
        row = session.query(StaffSession).one()
        row.last_seen_at = row.last_seen_at - timedelta(hours=2)
    response = admin_client.get("/admin/procedures", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/admin/login")


def test_absolute_lifetime_ends_a_busy_session(admin_client: TestClient, staff_login: StaffLogin,
                                               session_factory: sessionmaker[Session]) -> None:
    staff_login(admin_client, role="editor")
    with session_scope(session_factory) as session:
        row = session.query(StaffSession).one()
        row.expires_at = row.created_at - timedelta(seconds=1)
    assert admin_client.get("/api/admin/procedures").status_code == 401


def test_wrong_password_then_lockout(admin_client: TestClient, staff_login: StaffLogin) -> None:
    user = staff_login(admin_client, role="editor")
    admin_client.cookies.clear()
    for _attempt in range(5):
        page = admin_client.get("/admin/login")
        token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        response = admin_client.post("/admin/login", data={"username": user.username, "password": "sai-mat-khau!!",
                                                           "csrf_token": token})
        assert response.status_code == 401
    assert "tạm khóa" in response.text
    # The right password is refused while locked.
    from tests.knowledge.admin.conftest import STAFF_PASSWORD

    page = admin_client.get("/admin/login")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    response = admin_client.post("/admin/login", data={"username": user.username, "password": STAFF_PASSWORD,
                                                       "csrf_token": token}, follow_redirects=False)
    assert response.status_code == 401
    assert SESSION_COOKIE not in admin_client.cookies


def test_login_without_the_form_token_is_refused(admin_client: TestClient, staff_login: StaffLogin) -> None:
    from tests.knowledge.admin.conftest import STAFF_PASSWORD

    user = staff_login(admin_client, role="editor")
    admin_client.cookies.clear()
    response = admin_client.post("/admin/login", data={"username": user.username, "password": STAFF_PASSWORD})
    assert response.status_code == 403
    assert SESSION_COOKIE not in admin_client.cookies


def test_login_next_never_leaves_the_console(admin_client: TestClient, staff_login: StaffLogin) -> None:
    from knowledge.admin.login import safe_next

    assert safe_next("https://evil.example/") == "/admin/procedures"
    assert safe_next("//evil.example/admin") == "/admin/procedures"
    assert safe_next("/admin/procedures/1.001193") == "/admin/procedures/1.001193"
