"""Channel-neutral helpers for turning the bot's replies into platform messages."""

from __future__ import annotations

from assistant import messages_vi
from assistant.rasa_client import BotMessage, Button


def split_text(text: str, limit: int) -> list[str]:
    """Pieces of at most `limit` characters, cut at a paragraph, line or word boundary when there is one."""
    text = text.strip()
    pieces: list[str] = []
    while len(text) > limit:
        window = text[:limit]
        cut = max(window.rfind("\n\n"), window.rfind("\n"))
        if cut < limit // 2:
            cut = window.rfind(" ")
        if cut < limit // 2:
            cut = limit
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        pieces.append(text)
    return pieces


def example_buttons() -> tuple[Button, ...]:
    """Sample questions a citizen can press instead of typing; the payload is the question itself."""
    return tuple(Button(title=question, payload=question) for question in messages_vi.EXAMPLE_QUESTIONS)


def please_type_replies(kind: str) -> list[BotMessage]:
    """What the assistant says to something it cannot read (voice, video, sticker, image, location)."""
    text = {
        "image": messages_vi.PLEASE_TYPE_IMAGE,
        "location": messages_vi.PLEASE_TYPE_LOCATION,
    }.get(kind, messages_vi.PLEASE_TYPE)
    return [BotMessage(text=text, buttons=example_buttons())]
