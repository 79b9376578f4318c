"""All settings in one place, read from `ASSISTANT_*` environment variables (and `.env`)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent

EncoderBackend = Literal["e5-bundled", "sentence-transformers", "hashing"]


class Settings(BaseSettings):
    """Runtime settings; every field maps to `ASSISTANT_<NAME>`."""

    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    log_level: str = "INFO"

    database_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'assistant.db'}"
    seed_file: Path = PROJECT_ROOT / "knowledge" / "seed" / "dvc_procedures_2642.jsonl.gz"
    aliases_file: Path = PROJECT_ROOT / "knowledge" / "seed" / "aliases.json"

    index_dir: Path = PROJECT_ROOT / "var" / "index"
    encoder_backend: EncoderBackend = "e5-bundled"
    # Model name or local path for the sentence-transformers backend; nothing is fetched at run time.
    encoder_model: str = ""
    encoder_threads: int = Field(default=2, ge=1, le=64)

    search_default_k: int = Field(default=5, ge=1, le=50)
    search_max_k: int = Field(default=20, ge=1, le=100)
    search_max_query_chars: int = Field(default=500, ge=10, le=5000)

    rasa_url: str = "http://127.0.0.1:5005"
    action_server_url: str = "http://127.0.0.1:5055"
    rasa_timeout_s: float = Field(default=10.0, gt=0)

    # Telegram: the channel is on when both the bot token and the webhook secret are set.
    telegram_bot_token: str = ""
    telegram_secret_token: str = Field(default="", pattern=r"^[A-Za-z0-9_-]{0,256}$")
    # "{token}" is replaced by the bot token; a self-hosted Bot API server or a test fake goes here.
    telegram_api_base: str = "https://api.telegram.org/bot{token}"
    # Zalo OA: the channel is on when the OA secret key and the app id are set.
    zalo_app_id: str = ""
    zalo_app_secret: str = ""
    zalo_oa_secret: str = ""
    # First tokens only: after a refresh the pair stored in the database wins.
    zalo_access_token: str = ""
    zalo_refresh_token: str = ""
    zalo_api_base: str = "https://openapi.zalo.me"
    zalo_oauth_base: str = "https://oauth.zaloapp.com"

    # Shared state for several app replicas (rate limits); empty keeps it in this process's memory.
    redis_url: str = ""

    # Web pages on other origins allowed to embed the widget (it calls /api/chat from their page).
    # Comma-separated, e.g. "https://tthc.tuyenquang.gov.vn,https://xa-yenthinh.gov.vn"; "*" allows any.
    widget_origins: str = ""

    @property
    def widget_origin_list(self) -> list[str]:
        return [origin.strip() for origin in self.widget_origins.split(",") if origin.strip()]

    @field_validator("database_url")
    @classmethod
    def _database_url_not_empty(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("ASSISTANT_DATABASE_URL must not be empty.")
        return value


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, built once; tests build their own `Settings(...)` instead."""
    return Settings()
