"""Talks to Rasa's REST channel; the one place that knows its wire format."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from typing import Any

import httpx

logger = logging.getLogger(__name__)


class RasaUnavailable(Exception):
    """Rasa did not answer (down, timed out, or answered with an error)."""


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class BotMessage:
    """One bot reply in channel-neutral form."""

    text: str = ""
    buttons: tuple[Button, ...] = ()
    image: str | None = None
    custom: dict[str, Any] | None = field(default=None)


class RasaClient:
    def __init__(self, http: httpx.AsyncClient, base_url: str, timeout_s: float) -> None:
        self._http = http
        self._url = f"{base_url.rstrip('/')}/webhooks/rest/webhook"
        self._timeout = timeout_s

    async def send(self, sender_id: str, text: str, metadata: dict[str, Any] | None = None) -> list[BotMessage]:
        payload = {"sender": sender_id, "message": text, "metadata": metadata or {}}
        try:
            response = await self._http.post(self._url, json=payload, timeout=self._timeout)
        except httpx.HTTPError as exc:
            raise RasaUnavailable(f"Rasa did not answer at {self._url}: {type(exc).__name__}") from exc
        if not response.is_success:
            raise RasaUnavailable(f"Rasa answered HTTP {response.status_code} at {self._url}")
        try:
            body = response.json()
        except ValueError as exc:
            raise RasaUnavailable(f"Rasa answered with a body that is not JSON at {self._url}") from exc
        if not isinstance(body, list):
            raise RasaUnavailable(f"Rasa answered with a JSON {type(body).__name__}, expected a list")
        return merge_procedure_tags([message for item in body if (message := parse_bot_message(item)) is not None])


# Outcomes a reply may report (`outcome` of a custom part): the dialogue's own words for "not a
# procedure question" and "a procedure question the knowledge base cannot answer".
OUTCOMES = frozenset({"out_of_scope", "not_found", "unsure"})


def merge_procedure_tags(messages: list[BotMessage]) -> list[BotMessage]:
    """Fold a custom part that only tags a reply (its procedure, its outcome) into the bubble before it.

    Rasa's REST channel sends an action's `json_message` (and a response's `custom`) as its own list
    element right after the text; channels would otherwise see an empty bubble, and a client could not
    tell which bubble the tag belongs to. A tag with no bubble before it is dropped.
    """
    merged: list[BotMessage] = []
    for message in messages:
        tag = _tag(message.custom)
        if tag is not None and not (message.text or message.buttons or message.image):
            if merged:
                merged[-1] = replace(merged[-1], custom={**(merged[-1].custom or {}), **tag})
            continue
        merged.append(message)
    return merged


def _tag(custom: dict[str, Any] | None) -> dict[str, Any] | None:
    """The custom part when it is a well-formed tag (`procedure` and/or `outcome`), else None."""
    if not custom or not set(custom) <= {"procedure", "outcome"}:
        return None
    tag: dict[str, Any] = {}
    procedure = custom.get("procedure")
    if procedure is not None:
        if not (isinstance(procedure, dict) and isinstance(procedure.get("code"), str)
                and isinstance(procedure.get("name"), str)):
            return None
        tag["procedure"] = {"code": procedure["code"], "name": procedure["name"]}
    outcome = custom.get("outcome")
    if outcome is not None:
        if outcome not in OUTCOMES:
            return None
        tag["outcome"] = outcome
    return tag


def procedure_of(message: BotMessage) -> dict[str, str] | None:
    """The procedure a bubble is about, when the action said so."""
    tag = _tag(message.custom)
    return tag.get("procedure") if tag else None


def outcome_of(message: BotMessage) -> str | None:
    """"out_of_scope", "not_found" or "unsure" when the reply says so."""
    tag = _tag(message.custom)
    return tag.get("outcome") if tag else None


def parse_bot_message(item: Any) -> BotMessage | None:
    """One element of Rasa's REST answer; unknown shapes are skipped, not fatal."""
    if not isinstance(item, dict):
        return None
    buttons = tuple(
        Button(title=str(b.get("title", "")), payload=str(b.get("payload", "")))
        for b in item.get("buttons") or []
        if isinstance(b, dict) and b.get("payload")
    )
    custom = item.get("custom") if isinstance(item.get("custom"), dict) else None
    message = BotMessage(text=str(item.get("text") or ""), buttons=buttons,
                         image=str(item["image"]) if item.get("image") else None, custom=custom)
    if not (message.text or message.buttons or message.image or message.custom):
        return None
    return message
