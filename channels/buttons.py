"""Button payloads that do not fit a platform's limit travel as a short key stored in the database.

Telegram's `callback_data` holds 1–64 bytes, while a Rasa payload such as
'/choose{"procedure_code":"1.001193"}' may be longer. The key is derived from the payload, so sending the
same button twice stores one row, and a press arriving at another process (or after a restart) resolves.
"""

from __future__ import annotations

import base64
import hashlib

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from assistant.db import session_scope
from channels.models import ButtonPayload

KEY_PREFIX = "k:"


def payload_key(payload: str) -> str:
    digest = hashlib.sha256(payload.encode("utf-8")).digest()[:15]
    return KEY_PREFIX + base64.urlsafe_b64encode(digest).decode("ascii")


class ButtonPayloadStore:
    def __init__(self, factory: sessionmaker[Session], max_bytes: int = 64) -> None:
        self._factory = factory
        self._max_bytes = max_bytes

    def shorten(self, payload: str) -> str:
        """The payload itself when it fits (and cannot be mistaken for a key), else a stored key."""
        if len(payload.encode("utf-8")) <= self._max_bytes and not payload.startswith(KEY_PREFIX):
            return payload
        key = payload_key(payload)
        with self._factory() as session:
            if session.get(ButtonPayload, key) is not None:
                return key
        try:
            with session_scope(self._factory) as session:
                session.add(ButtonPayload(key=key, payload=payload))
        except IntegrityError:
            pass  # stored concurrently by another send of the same button: the row is there
        return key

    def resolve(self, data: str) -> str | None:
        """The payload behind a button's data; None for a key this database never issued."""
        if not data.startswith(KEY_PREFIX):
            return data
        with self._factory() as session:
            row = session.get(ButtonPayload, data)
            return row.payload if row is not None else None
