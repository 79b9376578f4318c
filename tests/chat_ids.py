"""Signed `/api/chat` ids for tests, named for readability (`signed("web-77")`)."""

from __future__ import annotations

import hashlib

from assistant import chat_identity


def conversation(name: str) -> str:
    """The conversation id a readable test name stands for (`web-<24 hex>`, stable across runs)."""
    return "web-" + hashlib.sha256(name.encode()).hexdigest()[:24]


def signed(name: str, secret: str = chat_identity.DEVELOPMENT_SECRET) -> str:
    """The id an `/api/chat` caller sends for that conversation, signed with the app's secret."""
    return chat_identity.sign(secret, conversation(name))
