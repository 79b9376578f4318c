from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant import cli
from assistant.config import get_settings
from assistant.db import create_db_engine, create_session_factory
from knowledge.admin.accounts import find_account


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("ASSISTANT_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def test_create_publisher_from_stdin(cli_db: str, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("Một mật khẩu đủ dài 2025\n"))
    assert cli.main(["-q", "admin", "create-publisher", "Lan.Nguyen", "--password-stdin"]) == 0
    assert "publisher" in capsys.readouterr().out
    engine = create_db_engine(cli_db)
    with create_session_factory(engine)() as session:
        account = find_account(session, username="lan.nguyen")
        assert account is not None and account.role == "publisher"
        assert account.password_hash.startswith("$argon2id$")
    engine.dispose()


def test_weak_password_is_refused_with_the_reason(cli_db: str, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("ASSISTANT_ADMIN_PASSWORD", "12345678")
    assert cli.main(["-q", "admin", "create-publisher", "lan"]) == 1
    assert "quá ngắn" in capsys.readouterr().err
