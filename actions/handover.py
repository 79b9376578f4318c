"""Handing a conversation to a person, and logging the questions the bot could not answer.

A citizen who asks for a person, or whom the bot failed twice in a row, is queued for a clerk through
the app (`POST /api/handover`); the app's answer says when someone will reply. Questions that fell back
or were out of scope are logged for the staff inbox (`POST /api/questions`) in the background: the log
is best effort and never delays or blocks the reply.
"""

from __future__ import annotations

import asyncio
import logging
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Coroutine
from typing import Any, Protocol

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.procedures import ProcedureGate
from actions.services import SearchTurnServices, ServiceError, get_services

logger = logging.getLogger(__name__)

DEFAULT_CHANNEL = "api"
# The channels the app's conversation API accepts; anything else is reported as the plain API.
KNOWN_CHANNELS = frozenset({"web", "api", "telegram", "zalo"})
ACTIVE_PROCEDURE = "active_procedure"
MAX_LOGGED_TEXT = 1000
# What the bot says when it gives up on a turn; two of these in a row hand the conversation over.
GAVE_UP_ACTIONS = frozenset({"action_fallback", "utter_procedure_not_found", "utter_nlu_fallback"})

_background: set[asyncio.Task[None]] = set()


class HandoverServices(SearchTurnServices, Protocol):
    """The part of the app's API these actions use; tests pass fakes."""

    async def request_handover(
        self, conversation_id: str, channel: str, reason: str, active_procedure: str | None
    ) -> str:
        """Queue the conversation for a clerk; the text to show."""

    async def record_question(
        self, conversation_id: str, channel: str, text: str, outcome: str,
        confidence: float | None = None, procedure_code: str | None = None,
    ) -> None:
        """Log an unanswered question."""


def channel_of(tracker: Tracker) -> str:
    """The channel the app put in the message metadata (web, telegram, zalo, api)."""
    metadata = tracker.latest_message.get("metadata") or {}
    channel = metadata.get("channel") if isinstance(metadata, dict) else None
    return str(channel) if channel in KNOWN_CHANNELS else DEFAULT_CHANNEL


def user_text(tracker: Tracker) -> str:
    """The latest user text in NFC, trimmed."""
    return unicodedata.normalize("NFC", str(tracker.latest_message.get("text") or "")).strip()


def in_background(coroutine: Coroutine[Any, Any, None], what: str, conversation_id: str) -> None:
    """Run a best-effort call after the reply; failures are logged, never raised."""

    async def guarded() -> None:
        try:
            await coroutine
        except ServiceError as exc:
            logger.warning("%s failed in conversation %s: %s", what, conversation_id, exc)

    task = asyncio.get_running_loop().create_task(guarded())
    _background.add(task)
    task.add_done_callback(_background.discard)


async def drain_background() -> None:
    """Wait for the best-effort calls still running (tests, shutdown)."""
    while _background:
        await asyncio.gather(*list(_background))


def best_intent_confidence(tracker: Tracker) -> float | None:
    """The confidence of the best real intent (the fallback itself excluded)."""
    ranking = tracker.latest_message.get("intent_ranking") or []
    scores = [float(r.get("confidence") or 0.0) for r in ranking if r.get("name") != "nlu_fallback"]
    return max(scores) if scores else None


def log_question(tracker: Tracker, services: HandoverServices, outcome: str) -> None:
    """Queue the latest question for the staff inbox with its outcome."""
    text = user_text(tracker)[:MAX_LOGGED_TEXT]
    if not text:
        return
    procedure = tracker.get_slot(ACTIVE_PROCEDURE)
    in_background(
        services.record_question(tracker.sender_id, channel_of(tracker), text, outcome,
                                 confidence=best_intent_confidence(tracker),
                                 procedure_code=str(procedure) if procedure else None),
        f"Logging a {outcome} question", tracker.sender_id,
    )


def gave_up_on_previous_turn(tracker: Tracker) -> bool:
    """Whether the bot's answer to the previous user message was a fallback or "nothing found"."""
    users_seen = 0
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            users_seen += 1
            if users_seen == 2:
                return False
        elif users_seen == 1 and event.get("event") == "action" and event.get("name") in GAVE_UP_ACTIONS:
            return True
    return False


class _ServicesAction(Action, ABC):
    """Injected services, built lazily so importing the module opens nothing.

    Abstract, so rasa-sdk (which registers every `Action` subclass it imports) skips it.
    """

    def __init__(self, services: HandoverServices | None = None) -> None:
        self._services = services

    @abstractmethod
    def name(self) -> str:
        """The action name used in the domain."""

    @property
    def services(self) -> HandoverServices:
        if self._services is None:
            self._services = get_services()
        return self._services

    async def _hand_over(self, dispatcher: CollectingDispatcher, tracker: Tracker, reason: str) -> None:
        procedure = tracker.get_slot(ACTIVE_PROCEDURE)
        try:
            text = await self.services.request_handover(
                tracker.sender_id, channel_of(tracker), reason, str(procedure) if procedure else None)
        except ServiceError as exc:
            logger.warning("Handover (%s) failed in conversation %s: %s", reason, tracker.sender_id, exc)
            dispatcher.utter_message(response="utter_handover_unavailable")
            return
        logger.info("Conversation %s handed over (%s).", tracker.sender_id, reason)
        dispatcher.utter_message(text=text)


class ActionHandover(_ServicesAction):
    """The citizen asked for a person."""

    def name(self) -> str:
        return "action_handover"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        await self._hand_over(dispatcher, tracker, "asked")
        return []


class ActionFallback(_ServicesAction):
    """Not understood: log it, apologise, and hand over when the previous turn failed too."""

    def name(self) -> str:
        return "action_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        status, events = await ProcedureGate(self.services)(dispatcher, tracker, admit_not_found=True)
        if events is not None:
            return events
        if status == "api_error":
            log_question(tracker, self.services, "fallback")  # the app logs every question it judged
        if gave_up_on_previous_turn(tracker):
            await self._hand_over(dispatcher, tracker, "gave_up")
        else:
            dispatcher.utter_message(response="utter_nlu_fallback")
        return []


class ActionOutOfScope(_ServicesAction):
    """Off-topic: log it and redirect politely."""

    def name(self) -> str:
        return "action_out_of_scope"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        status, events = await ProcedureGate(self.services)(dispatcher, tracker, admit_not_found=True)
        if events is not None:
            return events
        if status == "api_error":
            log_question(tracker, self.services, "out_of_scope")  # the app logs every question it judged
        dispatcher.utter_message(response="utter_out_of_scope")
        return []
