"""Secrets in the settings: every one is a `SecretStr`, shown nowhere, and still checked."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from assistant.config import Settings

SECRET_WORDS = ("token", "secret", "pepper", "password")


def test_every_secret_setting_is_a_secret_str(tmp_path: Path) -> None:
    secret_fields = [name for name in Settings.model_fields if any(word in name for word in SECRET_WORDS)]
    assert {"telegram_bot_token", "telegram_secret_token", "zalo_app_secret", "zalo_oa_secret",
            "zalo_access_token", "zalo_refresh_token", "metrics_token", "actions_token", "dossier_pepper",
            "chat_session_secret"} <= set(secret_fields)
    values = {name: f"value-of-{name.replace('_', '-')}-0123456789abcdef" for name in secret_fields}
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'a.db'}", **values)
    for name in secret_fields:
        assert isinstance(getattr(settings, name), SecretStr), name
        assert getattr(settings, name).get_secret_value() == values[name]
    shown = repr(settings) + str(settings) + settings.model_dump_json()
    assert not [name for name in secret_fields if values[name] in shown]


def test_the_telegram_secret_token_keeps_telegrams_rule_without_echoing_it() -> None:
    with pytest.raises(ValidationError, match="ASSISTANT_TELEGRAM_SECRET_TOKEN") as refused:
        Settings(telegram_secret_token="no spaces/allowed-here")
    assert "no spaces/allowed-here" not in str(refused.value)
    assert Settings(telegram_secret_token="ok_Secret-42").telegram_secret_token.get_secret_value() == "ok_Secret-42"
