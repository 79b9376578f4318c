"""Every console route refuses anonymous callers, wrong roles and CSRF-less posts; input is stored as typed
and shown escaped. Routes are enumerated from the app, so areas added later are covered too."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from assistant.config import PROJECT_ROOT
from knowledge import crud
from knowledge.admin.accounts import find_account
from knowledge.admin.auth import require_csrf, require_publisher
from tests.knowledge.admin.conftest import StaffLogin
from tests.knowledge.admin.forms import form_fields

PUBLIC = {("GET", "/admin/login"), ("POST", "/admin/login")}
SAMPLE_PARAMS = {"code": "2.000635", "number": "1", "account_id": "1", "action": "disable"}
NASTY = [
    "'; DROP TABLE procedures; --",
    "\" OR 1=1 --",
    "<script>alert('xss')</script>",
    "<img src=x onerror=alert(1)>",
    "{{ 7*7 }}",
]


def _console_routes(app: FastAPI) -> Iterator[tuple[str, str, APIRoute]]:
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        path = context.path or ""
        if not isinstance(route, APIRoute) or not (path == "/admin" or path.startswith(("/admin/", "/api/admin"))):
            continue
        for method in sorted(route.methods or ()):
            if method != "HEAD":
                yield method, path, route


def _url(path: str) -> str:
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: SAMPLE_PARAMS.get(m.group(1), "1"), path)


def _depends_on(route: APIRoute, target: Any) -> bool:
    stack = list(route.dependant.dependencies)
    while stack:
        dependant = stack.pop()
        if dependant.call is target:
            return True
        stack.extend(dependant.dependencies)
    return False


def test_console_has_routes_to_check(admin_app: FastAPI) -> None:
    paths = {path for _, path, _ in _console_routes(admin_app)}
    assert {"/admin/procedures", "/admin/users", "/api/admin/procedures"} <= paths


def test_anonymous_requests_are_refused_everywhere(admin_app: FastAPI, admin_client: TestClient) -> None:
    checked = 0
    for method, path, _ in _console_routes(admin_app):
        if (method, path) in PUBLIC:
            continue
        response = admin_client.request(method, _url(path), follow_redirects=False)
        if path.startswith("/api/admin"):
            assert response.status_code == 401, (method, path, response.status_code)
            assert response.json()["detail"]["code"] == "not_signed_in"
        else:
            assert response.status_code == 303, (method, path, response.status_code)
            assert response.headers["location"].startswith("/admin/login"), (method, path)
        checked += 1
    assert checked >= 8


def test_every_state_changing_route_checks_csrf(admin_app: FastAPI) -> None:
    for method, path, route in _console_routes(admin_app):
        if method in {"POST", "PUT", "PATCH", "DELETE"} and (method, path) not in PUBLIC:
            assert _depends_on(route, require_csrf), f"{method} {path} does not declare CsrfDep"


def test_posts_without_the_csrf_token_are_refused(admin_app: FastAPI, admin_client: TestClient,
                                                  staff_login: StaffLogin) -> None:
    staff_login(admin_client, role="publisher")
    for method, path, _ in _console_routes(admin_app):
        if method == "POST" and (method, path) not in PUBLIC:
            response = admin_client.post(_url(path), data={"csrf_token": "forged"}, follow_redirects=False)
            assert response.status_code == 403, (path, response.status_code)
            response = admin_client.post(_url(path), data={}, follow_redirects=False)
            assert response.status_code == 403, (path, response.status_code)


def test_editors_are_refused_publisher_routes(admin_app: FastAPI, admin_client: TestClient,
                                              staff_login: StaffLogin) -> None:
    user = staff_login(admin_client, role="editor")
    publisher_routes = [(m, p) for m, p, r in _console_routes(admin_app) if _depends_on(r, require_publisher)]
    assert ("GET", "/admin/users") in publisher_routes
    for method, path in publisher_routes:
        response = admin_client.request(method, _url(path), data={"csrf_token": user.csrf_token} if method == "POST"
                                        else None, follow_redirects=False)
        assert response.status_code == 403, (method, path, response.status_code)


def test_injection_strings_in_every_procedure_field_are_stored_as_typed_and_shown_escaped(
        admin_client: TestClient, staff_login: StaffLogin, session_factory: sessionmaker[Session]) -> None:
    staff_login(admin_client, role="publisher")
    url = "/admin/procedures/2.000635"
    fields = form_fields(admin_client.get(url).text, "procedure-form")
    typed: dict[str, str] = {}
    skip = {"csrf_token", "version", "draft_version", "source_url"}
    for index, name in enumerate(sorted(fields)):
        if name in skip or name.endswith(("-count", "-kind", "-time_unit", "-free", "-replaceable_by_data",
                                          "-fee_vnd", "-time_value", "_count")):
            continue
        typed[name] = NASTY[index % len(NASTY)] + f" #{index}"
    typed["name"] = NASTY[2] + NASTY[0]  # shown on every page, including the list
    response = admin_client.post(url, data={**fields, **typed, "action": "publish"}, follow_redirects=False)
    assert response.status_code == 303, response.text[:500]
    with session_factory() as session:
        content = crud.get_procedure(session, code="2.000635").content
    assert content["name"] == typed["name"]
    assert content["documents"][0]["name"] == typed["documents-0-name"]
    assert content["channels"][0]["fee_text"] == typed["channels-0-fee_text"]
    for page_url in (url, "/admin/procedures?q=2.000635", f"{url}/history"):
        html = admin_client.get(page_url).text
        assert "<script>alert" not in html and "<img src=x" not in html, page_url
        assert "&lt;script&gt;alert(" in html, page_url
        assert "{{ 7*7 }}" in html or "49 #" not in html
    # Invalid numbers carrying SQL are refused field by field, not executed.
    response = admin_client.post(url, data={**form_fields(admin_client.get(url).text, "procedure-form"),
                                            "channels-0-fee_vnd": "1; DELETE FROM procedures", "action": "publish"})
    assert response.status_code == 422
    with session_factory() as session:
        assert crud.count_procedures(session) == 3


def test_injection_strings_in_the_user_form_are_stored_and_escaped(
        admin_client: TestClient, staff_login: StaffLogin, session_factory: sessionmaker[Session]) -> None:
    user = staff_login(admin_client, role="publisher")
    response = admin_client.post("/admin/users", data={
        "csrf_token": user.csrf_token, "username": "can.bo-01", "display_name": NASTY[2] + NASTY[0],
        "role": "editor", "password": "Một câu mật khẩu dài 2025"}, follow_redirects=False)
    assert response.status_code == 303
    with session_factory() as session:
        account = find_account(session, username="can.bo-01")
        assert account is not None and account.display_name == NASTY[2] + NASTY[0]
    html = admin_client.get("/admin/users").text
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    refused = admin_client.post("/admin/users", data={
        "csrf_token": user.csrf_token, "username": NASTY[0], "display_name": "x", "role": "editor",
        "password": "Một câu mật khẩu dài 2025"})
    assert refused.status_code == 422
    assert "DROP TABLE" in refused.text and "<script>" not in refused.text


def test_widget_renders_chat_text_as_text() -> None:
    source = (Path(PROJECT_ROOT) / "channels" / "static" / "widget.js").read_text(encoding="utf-8")
    assert "textContent" in source or "createTextNode" in source
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write"):
        assert sink not in source, f"widget.js uses {sink}, which would render chat text as HTML"
