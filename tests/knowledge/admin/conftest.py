"""Console fixtures: an app on the `db_url` database with a few real procedures and a built index.

`staff_login(client, role="publisher")` creates an account and signs the client in through the real
login form, returning the `StaffUser` with its session's CSRF token (for form posts).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from assistant.config import Settings
from assistant.db import session_scope
from assistant.main import create_app
from assistant.search_service import SearchService
from index.encoders import E5BundledEncoder
from knowledge.admin.accounts import create_account
from knowledge.admin.auth import SESSION_COOKIE, StaffUser
from knowledge.admin.models import StaffAccount, StaffSession
from knowledge.admin.sessions import hash_token
from knowledge.portal_import import import_portal_file
from tests.kb_subset import seed_records, write_jsonl

# Birth registration, marriage registration, and a provincial procedure with several fees.
ADMIN_KB_CODES = ("1.001193", "1.000894", "2.000635")
STAFF_PASSWORD = "Mật-khẩu-đủ-dài-2025!"

StaffLogin = Callable[..., StaffUser]


@pytest.fixture
def admin_settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(database_url=db_url, index_dir=tmp_path / "index", environment="test",
                    rasa_url="http://127.0.0.1:9", action_server_url="http://127.0.0.1:9",
                    public_base_url="https://tthc.example.gov.vn")


@pytest.fixture
def admin_search(admin_settings: Settings, session_factory: sessionmaker[Session], tmp_path: Path,
                 e5_encoder: E5BundledEncoder) -> SearchService:
    import_portal_file(session_factory, write_jsonl(tmp_path / "kb.jsonl", seed_records(ADMIN_KB_CODES)))
    service = SearchService(admin_settings, session_factory, encoder=e5_encoder)
    service.rebuild(progress=False)
    return service


@pytest.fixture
def admin_app(admin_settings: Settings, admin_search: SearchService) -> FastAPI:
    return create_app(admin_settings, search=admin_search)


@pytest.fixture
def admin_client(admin_app: FastAPI) -> Iterator[TestClient]:
    # https, so the Secure session cookie (environment "test") is sent back like in production.
    with TestClient(admin_app, base_url="https://testserver") as client:
        yield client


@pytest.fixture
def staff_login(session_factory: sessionmaker[Session]) -> StaffLogin:
    def login(client: TestClient, role: str = "publisher", username: str | None = None) -> StaffUser:
        username = username or f"{role}-{uuid.uuid4().hex[:8]}"
        with session_scope(session_factory) as session:
            create_account(session, username=username, password=STAFF_PASSWORD, role=role,
                           display_name=f"Cán bộ {username}")
        page = client.get("/admin/login")
        match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert match, "the login page has no CSRF field"
        response = client.post("/admin/login", data={"username": username, "password": STAFF_PASSWORD,
                                                     "csrf_token": match.group(1)}, follow_redirects=False)
        assert response.status_code == 303, response.text
        token = client.cookies.get(SESSION_COOKIE)
        assert token
        with session_scope(session_factory) as session:
            row = session.scalar(select(StaffSession).where(StaffSession.token_hash == hash_token(token)))
            account = session.get(StaffAccount, row.account_id) if row else None
            assert row is not None and account is not None
            return StaffUser.from_account(account, row.csrf_token)

    return login
