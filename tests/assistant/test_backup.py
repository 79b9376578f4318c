"""Backup and restore through the `assistant db` commands, on SQLite and PostgreSQL.

A restore goes into a fresh database; after rebuilding the index there, the API the action server calls
answers exactly as it did on the original database.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from assistant.backup import BackupError, restore
from assistant.config import PROJECT_ROOT, Settings
from assistant.db import create_db_engine, create_session_factory, session_scope
from assistant.main import create_app
from assistant.search_service import SearchService
from channels.models import ChannelDelivery
from index.encoders import E5BundledEncoder
from knowledge.migrate import upgrade_database
from knowledge.portal_import import import_aliases, import_portal_file
from tests.kb_subset import SUBSET_CODES, seed_records, write_jsonl

QUESTIONS = ("lam giay khai sinh cho con", "đăng ký kết hôn cần gì", "chứng thực bản sao", "thường trú")


def _cli(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ASSISTANT_DATABASE_URL": database_url}
    # `python -m` from the project root: the same entry point as the `assistant` script.
    return subprocess.run([sys.executable, "-m", "assistant.cli", "-q", "db", *args], env=env, cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture
def fresh_url(db_url: str, tmp_path: Path) -> Iterator[str]:
    """An empty database of the same kind as `db_url`: a new SQLite file, or a new PostgreSQL database."""
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    name = f"restore_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url.set(query={}), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _build_kb(database_url: str, index_dir: Path, tmp_path: Path, encoder: E5BundledEncoder) -> Settings:
    settings = Settings(database_url=database_url, index_dir=index_dir, rasa_url="http://127.0.0.1:9",
                        action_server_url="http://127.0.0.1:9")
    engine = create_db_engine(database_url)
    upgrade_database(engine)
    factory = create_session_factory(engine)
    import_portal_file(factory, write_jsonl(tmp_path / "subset.jsonl", seed_records(SUBSET_CODES[:10])))
    import_aliases(factory, settings.aliases_file)
    with session_scope(factory) as session:
        session.add(_delivery())
    SearchService(settings, factory, encoder=encoder).rebuild(progress=False)
    engine.dispose()
    return settings


def _delivery() -> ChannelDelivery:
    now = datetime.now(UTC)
    return ChannelDelivery(channel="telegram", message_id="m-1", conversation_id="telegram:42", kind="text",
                           status="done", attempts=1, last_error="", replies=[{"text": "Xin chào"}],
                           created_at=now, updated_at=now)


def _answers(settings: Settings, encoder: E5BundledEncoder) -> list[Any]:
    """What the action server would get from the app for a few questions and their fee follow-ups."""
    engine = create_db_engine(settings.database_url)
    service = SearchService(settings, create_session_factory(engine), encoder=encoder)
    service.load()
    seen: list[Any] = []
    with TestClient(create_app(settings, search=service)) as client:
        for question in QUESTIONS:
            found = client.get("/api/procedures/search", params={"q": question}).json()
            seen.append([(hit["code"], round(hit["confidence"], 4)) for hit in found["hits"]])
            best = found["hits"][0]["code"]
            seen.append(client.get(f"/api/procedures/{best}/answer", params={"topic": "fee"}).json())
            seen.append(client.get(f"/api/procedures/{best}/answer", params={"topic": "documents"}).json())
    engine.dispose()
    return seen


def test_backup_then_restore_into_a_fresh_database_answers_the_same(
    db_url: str, fresh_url: str, tmp_path: Path, e5_encoder: E5BundledEncoder
) -> None:
    original = _build_kb(db_url, tmp_path / "index-original", tmp_path, e5_encoder)
    before = _answers(original, e5_encoder)

    backup_file = tmp_path / "backups" / "assistant.backup"
    made = _cli(db_url, "backup", str(backup_file))
    assert made.returncode == 0, made.stderr
    assert json.loads(made.stdout)["bytes"] == backup_file.stat().st_size > 0

    restored = _cli(fresh_url, "restore", str(backup_file))
    assert restored.returncode == 0, restored.stderr
    settings = original.model_copy(update={"database_url": fresh_url, "index_dir": tmp_path / "index-restored"})
    engine = create_db_engine(fresh_url)
    SearchService(settings, create_session_factory(engine), encoder=e5_encoder).rebuild(progress=False)
    with engine.connect() as connection:
        deliveries = connection.execute(text("SELECT conversation_id, replies FROM channel_deliveries")).all()
    engine.dispose()

    assert _answers(settings, e5_encoder) == before
    assert [(d.conversation_id, d.replies if isinstance(d.replies, list) else json.loads(d.replies))
            for d in deliveries] == [("telegram:42", [{"text": "Xin chào"}])]


def test_restore_refuses_a_database_that_has_data(db_url: str, tmp_path: Path) -> None:
    engine = create_db_engine(db_url)
    upgrade_database(engine)
    engine.dispose()
    backup_file = tmp_path / "a.backup"
    assert _cli(db_url, "backup", str(backup_file)).returncode == 0
    with pytest.raises(BackupError, match="fresh, empty database"):
        restore(db_url, backup_file)
    refused = _cli(db_url, "restore", str(backup_file))
    assert refused.returncode == 1 and "fresh, empty database" in refused.stderr


def test_restore_of_a_missing_or_foreign_file_fails_clearly(tmp_path: Path) -> None:
    target = f"sqlite:///{tmp_path / 'new.db'}"
    with pytest.raises(BackupError, match="no backup file"):
        restore(target, tmp_path / "nope.backup")
    foreign = tmp_path / "dump.backup"
    foreign.write_bytes(b"PGDMP\x01\x0e\x00")
    with pytest.raises(BackupError, match="not a SQLite backup"):
        restore(target, foreign)
