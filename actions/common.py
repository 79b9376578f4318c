"""Small helpers shared by the procedure actions: reading the message, judging search results,
and sending the app's rendered messages.

The thresholds below interpret the app's calibrated search confidence: above `CONFIDENT` the best
hit is answered directly, between `CHOICES_MIN` and `CONFIDENT` the citizen picks from the top hits,
below `CHOICES_MIN` the assistant admits it found nothing rather than guess. A confident best hit
with a runner-up within `AMBIGUITY_MARGIN` is ambiguous ("chứng thực" fits several procedures equally):
the citizen chooses.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from enum import Enum
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.services import AnswerMessage, ProcedureAnswer, ProcedureHit, SearchResult

CONFIDENT = 0.6
CHOICES_MIN = 0.25
AMBIGUITY_MARGIN = 0.1
MAX_CHOICES = 4
MAX_BUTTON_TITLE = 60
SEARCH_K = 4
CHANNELS = frozenset({"web", "api", "telegram", "zalo"})

TOPIC_BY_INTENT: dict[str, str] = {
    "ask_documents": "documents",
    "ask_fee": "fee",
    "ask_time": "time",
    "ask_where": "where",
    "ask_online": "online",
}

# Phrases and words of a follow-up question that name no procedure (compared without diacritics).
# When nothing else is left, "lệ phí bao nhiêu" is about the procedure already being discussed.
_FOLLOW_UP_PHRASES = re.compile(
    r"\b(ho so|giay to|le phi|bao nhieu|thoi gian|bao lau|truc tuyen|truc tiep|o dau|cho nao|ngay lam viec"
    r"|buu chinh|buu dien|dich vu cong|mien phi|the nao|nhu the nao|chuan bi|can gi|nop online)\b"
)
_FOLLOW_UP_WORDS = frozenset(
    """
    a ad ah ak anh ay bn can cach cai chi cho chua co cua da dau day de den di duoc dc gi gio giup gom hay
    het hoi hom k ko khi khong kia lam lau mang may mat minh moi muon nao nay ne nhanh nhat nhieu nhung
    noi nop nua o oi onl online phai phi qua ra roi sao se thi thoi tien toi ton trong va vay ve vneid voi
    vui xin xong tam khoang ngay mien nhan duoc em ban ong ba
    """.split()
)
_PAYLOAD = re.compile(r"^/\w+")
_ORDINALS = (
    (re.compile(r"\b(cuoi|cuoi cung)\b"), -1),
    (re.compile(r"\b(1|mot|nhat|dau|dau tien)\b"), 0),
    (re.compile(r"\b(2|hai|nhi)\b"), 1),
    (re.compile(r"\b(3|ba)\b"), 2),
    (re.compile(r"\b(4|bon)\b"), 3),
)


class SearchOutcome(Enum):
    """How sure the search is about the best hit."""

    CONFIDENT = "confident"
    CHOICES = "choices"
    NOT_FOUND = "not_found"


def fold(text: str) -> str:
    """NFC, lower case, diacritics and "đ" removed: the form people type without accents."""
    decomposed = unicodedata.normalize("NFD", text.lower()).replace("đ", "d")
    stripped = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return unicodedata.normalize("NFC", stripped)


def message_text(tracker: Tracker) -> str:
    """The latest user text in NFC, trimmed."""
    text = tracker.latest_message.get("text") or ""
    return unicodedata.normalize("NFC", str(text)).strip()


def message_channel(tracker: Tracker) -> str:
    """The channel the app put in the message metadata; "api" when it is missing or unknown."""
    metadata = tracker.latest_message.get("metadata") or {}
    channel = metadata.get("channel") if isinstance(metadata, dict) else None
    return channel if channel in CHANNELS else "api"


def latest_intent(tracker: Tracker) -> str:
    """Name of the latest user intent, or ""."""
    intent = tracker.latest_message.get("intent") or {}
    return str(intent.get("name") or "")


def entity_values(tracker: Tracker, entity: str) -> list[str]:
    """Values of `entity` in the latest message, in order, without duplicates."""
    values: list[str] = []
    for found in tracker.latest_message.get("entities") or []:
        value = found.get("value")
        if found.get("entity") == entity and isinstance(value, str) and value and value not in values:
            values.append(value)
    return values


def is_payload(text: str) -> bool:
    """True for button payloads such as `/ask_fee` (sent back verbatim, carry no words)."""
    return bool(_PAYLOAD.match(text))


def search_query(text: str, terms: Iterable[str]) -> str:
    """The text plus the canonical names of colloquial terms it used ("sổ đỏ" adds its formal name)."""
    folded = fold(text)
    extra = [term for term in terms if fold(term) not in folded]
    return " ".join([text, *extra]).strip()


def names_a_procedure(text: str, terms: Sequence[str], *, min_words: int = 2) -> bool:
    """Whether a follow-up question also names a procedure and so needs a new search.

    With a procedure already under discussion one stray word ("còn phường thì sao") is not a new
    procedure, hence two by default; a first question needs only one ("passport mất bao lâu").
    """
    if terms:
        return True
    if not text or is_payload(text):
        return False
    words = re.findall(r"\w+", _FOLLOW_UP_PHRASES.sub(" ", fold(text)))
    content = [w for w in words if w not in _FOLLOW_UP_WORDS and not w.isdigit()]
    return len(content) >= min_words


def classify(result: SearchResult) -> SearchOutcome:
    """Answer, ask back, or admit nothing was found."""
    if not result.hits or result.confidence < CHOICES_MIN:
        return SearchOutcome.NOT_FOUND
    if result.confidence < CONFIDENT:
        return SearchOutcome.CHOICES
    runner_up = result.hits[1].confidence if len(result.hits) > 1 else 0.0
    if result.confidence - runner_up < AMBIGUITY_MARGIN:
        return SearchOutcome.CHOICES
    return SearchOutcome.CONFIDENT


def ordinal_choice(text: str, offered: Sequence[str]) -> str | None:
    """The offered code a message like "cái thứ 2" points at, if any."""
    if not offered:
        return None
    folded = fold(text)
    for pattern, index in _ORDINALS:
        if pattern.search(folded) and (index == -1 or index < len(offered)):
            return offered[index]
    return None


def choice_buttons(hits: Sequence[ProcedureHit]) -> list[dict[str, str]]:
    """Buttons that choose a procedure by code."""
    return [
        {"title": _clip(f"{number}. {hit.name}", MAX_BUTTON_TITLE), "payload": choose_payload(hit.code)}
        for number, hit in enumerate(hits, start=1)
    ]


def choice_list_text(hits: Sequence[ProcedureHit]) -> str:
    """A numbered list of the candidates, for channels that show no buttons and for long names."""
    lines = []
    for number, hit in enumerate(hits, start=1):
        levels = f" ({', '.join(hit.levels)})" if hit.levels else ""
        lines.append(f"{number}. {hit.name}{levels}")
    return "\n".join(lines)


def choose_payload(code: str) -> str:
    """The `choose` intent payload for one procedure."""
    return f'/choose{{"procedure_code":"{code}"}}'


def send_answers(dispatcher: CollectingDispatcher, answers: Sequence[ProcedureAnswer]) -> None:
    """Send the rendered messages in order; only the very last keeps its buttons.

    Each message names its procedure in a custom part, so a client (the end-to-end evaluator, a
    widget showing the source) knows what the bubble is about without reading its words.
    """
    messages: list[tuple[AnswerMessage, dict[str, str]]] = [
        (m, {"code": answer.code, "name": answer.name}) for answer in answers for m in answer.messages
    ]
    for position, (message, procedure) in enumerate(messages):
        last = position == len(messages) - 1
        buttons = [_button(b.title, b.payload) for b in message.buttons] if last else []
        dispatcher.utter_message(text=message.text, buttons=buttons, json_message={"procedure": procedure})


def _button(title: str, payload: str) -> dict[str, Any]:
    return {"title": title, "payload": payload}


def _clip(text: str, limit: int) -> str:
    """At most `limit` characters, cut between words (a title cut mid-word reads as a typo)."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    cut = head.rfind(" ")
    return (head[:cut] if cut > 0 else head).rstrip(" ,;:-") + "…"
