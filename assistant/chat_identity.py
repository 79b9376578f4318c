"""Server-issued conversation ids for the plain-HTTP door (`/api/chat`, the web widget, integrators).

A caller of `/api/chat` used to choose its own `sender_id`, and that id was the Rasa tracker id: anyone could
type `telegram:<chat id>` and join that Telegram user's conversation, or read a widget conversation's clerk
replies by knowing its id. Now the app mints every id (`POST /api/chat/session`): a random conversation id
plus an HMAC of it under `ASSISTANT_CHAT_SESSION_SECRET`. Only the conversation id (`web-<24 hex>`) reaches
Rasa, the transcript and the logs; the signed form is the caller's proof of ownership and is never logged.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from typing import Final

# `web-` + 96 random bits, a dot, then 128 bits of HMAC-SHA256: fits the old sender-id alphabet and length.
SIGNED_ID_PATTERN: Final = re.compile(r"^(web-[0-9a-f]{24})\.([0-9a-f]{32})$")
_CONTEXT: Final = b"assistant/chat-session/v1:"
# Production refuses a secret shorter than this (and the development default).
MIN_SECRET_CHARS: Final = 32
DEVELOPMENT_SECRET: Final = "dev-only-chat-session-secret-change-me"
# The clerk-reply poll may name the conversation in its path and send the signed id here, out of access logs.
CHAT_SESSION_HEADER: Final = "X-Chat-Session"


def foreign_namespace(sender_id: str) -> bool:
    """True for ids shaped like another channel's tracker id (`telegram:…`, `zalo:…`, anything with `:`)."""
    return ":" in sender_id


def _signature(secret: str, conversation_id: str) -> str:
    digest = hmac.new(secret.encode(), _CONTEXT + conversation_id.encode(), hashlib.sha256).hexdigest()
    return digest[:32]


def sign(secret: str, conversation_id: str) -> str:
    """The signed id of an existing conversation id (`web-<24 hex>`)."""
    if not re.fullmatch(r"web-[0-9a-f]{24}", conversation_id):
        raise ValueError(f"A conversation id to sign has the shape web-<24 hex digits>, not {conversation_id!r}.")
    return f"{conversation_id}.{_signature(secret, conversation_id)}"


def issue(secret: str) -> str:
    """A new signed id for a new conversation."""
    return sign(secret, "web-" + secrets.token_hex(12))


def verify(secret: str, signed_id: str) -> str | None:
    """The conversation id inside `signed_id` when this app signed it, else None (compared in constant time)."""
    match = SIGNED_ID_PATTERN.fullmatch(signed_id)
    if match is None:
        return None
    conversation_id, presented = match.groups()
    if not hmac.compare_digest(presented, _signature(secret, conversation_id)):
        return None
    return conversation_id


def secret_problem(secret: str) -> str | None:
    """Why a secret is unfit for production, or None."""
    if not secret or secret == DEVELOPMENT_SECRET:
        return ("ASSISTANT_CHAT_SESSION_SECRET must be set in production (it signs the web widget's conversation "
                "ids); generate one with: python -c \"import secrets; print(secrets.token_urlsafe(32))\"")
    if len(secret) < MIN_SECRET_CHARS:
        return f"ASSISTANT_CHAT_SESSION_SECRET must be at least {MIN_SECRET_CHARS} characters long in production."
    return None
