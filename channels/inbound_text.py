"""Typed text from a platform, made fit for the NLU: composed Vietnamese, no control characters."""

from __future__ import annotations

import unicodedata

from assistant import messages_vi
from assistant.rasa_client import BotMessage

MAX_TEXT_CHARS = 2000  # the same limit as POST /api/chat


def clean_text(text: str) -> str:
    # Rasa's featurizers expect NFC; phones often send decomposed diacritics.
    text = unicodedata.normalize("NFC", text)
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C").strip()


def too_long_reply(text: str) -> BotMessage | None:
    """The polite refusal for an over-long message, or None when the text is within the limit."""
    if len(text) <= MAX_TEXT_CHARS:
        return None
    return BotMessage(text=messages_vi.MESSAGE_TOO_LONG.format(limit=MAX_TEXT_CHARS))
