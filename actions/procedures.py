"""Actions that find a procedure and answer questions about it.

Each action reads the message and slots, asks the app, sends the app's rendered messages and sets
`answer_status`; rules in `nlu/data/rules.yml` say the matching reply for every status other than
`answered` (no match, ask back, app unavailable), so all fixed wording stays in the domain.
"""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import common
from actions.common import SearchOutcome
from actions.services import (
    ProcedureAnswer,
    ProcedureHit,
    ProcedureNotFound,
    QueryRejected,
    SearchResult,
    SearchTurnRequest,
    ServiceError,
    Services,
    get_services,
)

logger = logging.getLogger(__name__)

ACTIVE_PROCEDURE = "active_procedure"
ACTIVE_PROCEDURE_NAME = "active_procedure_name"
ANSWER_STATUS = "answer_status"
OFFERED_PROCEDURES = "offered_procedures"
REQUESTED_TOPIC = "requested_topic"
PROCEDURE_CODE = "procedure_code"
PROCEDURE_TERM = "procedure_term"

# What a newly found procedure opens with: who/what/where in short, then the documents to bring.
FIRST_TOPICS: tuple[str, ...] = ("overview", "documents")


class _ProcedureAction(Action, ABC):
    """Shared plumbing: injected services and the events of each outcome.

    Abstract, so rasa-sdk (which registers every `Action` subclass it imports) skips it.
    """

    def __init__(self, services: Services | None = None) -> None:
        self._services = services

    @abstractmethod
    def name(self) -> str:
        """The action name used in the domain."""

    @property
    def services(self) -> Services:
        if self._services is None:
            self._services = get_services()
        return self._services

    async def _search(self, tracker: Tracker) -> SearchResult | None:
        """Search with the message text; None when the app refused the text."""
        text = common.message_text(tracker)
        query = common.search_query(text, common.entity_values(tracker, PROCEDURE_TERM))
        if not query or common.is_payload(query):
            return None
        try:
            return await self.services.search(query, k=common.SEARCH_K)
        except QueryRejected:
            logger.info("Search text rejected by the app in conversation %s.", tracker.sender_id)
            return None

    async def _answer(
        self, dispatcher: CollectingDispatcher, code: str, topics: list[str], sender_id: str
    ) -> list[EventType]:
        """Send the rendered topics of `code` and make it the active procedure."""
        answers: list[ProcedureAnswer] = list(
            await asyncio.gather(*(self.services.answer(code, topic) for topic in topics))
        )
        return self._sent(dispatcher, answers, topics, sender_id)

    @staticmethod
    def _sent(
        dispatcher: CollectingDispatcher, answers: list[ProcedureAnswer], topics: Sequence[str], sender_id: str
    ) -> list[EventType]:
        """Send rendered topics of one procedure and make it the active procedure."""
        code = answers[0].code
        common.send_answers(dispatcher, answers)
        logger.info("Answered %s about %s in conversation %s.", "+".join(topics), code, sender_id)
        return [
            SlotSet(ACTIVE_PROCEDURE, code),
            SlotSet(ACTIVE_PROCEDURE_NAME, answers[0].name),
            SlotSet(REQUESTED_TOPIC, None),
            SlotSet(OFFERED_PROCEDURES, None),
            SlotSet(ANSWER_STATUS, "answered"),
        ]

    @staticmethod
    def _offer(
        dispatcher: CollectingDispatcher, hits: list[ProcedureHit], topic: str | None
    ) -> list[EventType]:
        """List the candidates as buttons; the rule for `choices` then asks which one."""
        dispatcher.utter_message(text=common.choice_list_text(hits), buttons=common.choice_buttons(hits))
        return [
            SlotSet(OFFERED_PROCEDURES, [hit.code for hit in hits]),
            SlotSet(REQUESTED_TOPIC, topic),
            SlotSet(ANSWER_STATUS, "choices"),
        ]

    @staticmethod
    def _status(status: str, **slots: Any) -> list[EventType]:
        return [*(SlotSet(name, value) for name, value in slots.items()), SlotSet(ANSWER_STATUS, status)]


class ActionSearchProcedure(_ProcedureAction):
    """A free question: find the procedure, then answer, ask back, or admit nothing fits."""

    def name(self) -> str:
        return "action_search_procedure"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        text = common.message_text(tracker)
        query = common.search_query(text, common.entity_values(tracker, PROCEDURE_TERM))
        if not query or common.is_payload(query):
            return self._status("not_found")
        # One call does the search, the judgement, the rendering and the question log.
        request = SearchTurnRequest(
            text=text or query, query=query, conversation_id=tracker.sender_id,
            channel=common.message_channel(tracker), topics=FIRST_TOPICS, k=common.SEARCH_K,
            confident=common.CONFIDENT, choices_min=common.CHOICES_MIN, ambiguity_margin=common.AMBIGUITY_MARGIN,
        )
        try:
            turn = await self.services.search_turn(request)
        except QueryRejected:
            logger.info("Search text rejected by the app in conversation %s.", tracker.sender_id)
            return self._status("not_found")
        except ServiceError as exc:
            logger.warning("Search failed in conversation %s: %s", tracker.sender_id, exc)
            return self._status("api_error")
        logger.info("Search outcome %s in conversation %s.", turn.outcome, tracker.sender_id)
        if turn.outcome == "answered" and turn.answers:
            return self._sent(dispatcher, list(turn.answers), FIRST_TOPICS, tracker.sender_id)
        if turn.outcome == "ambiguous" and turn.result.hits:
            return self._offer(dispatcher, list(turn.result.hits[: common.MAX_CHOICES]), None)
        return self._status("not_found")


class ActionAnswerTopic(_ProcedureAction):
    """A follow-up (documents, fee, time, where, online) about the procedure in question.

    The procedure is, in order: the code a button carries; a different procedure the question
    itself names; the active one. Without any of them the assistant asks which procedure is meant.
    """

    def name(self) -> str:
        return "action_answer_topic"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        topic = common.TOPIC_BY_INTENT.get(common.latest_intent(tracker), "overview")
        active = tracker.get_slot(ACTIVE_PROCEDURE)
        try:
            code = next(iter(common.entity_values(tracker, PROCEDURE_CODE)), None)
            if code is None:
                terms = common.entity_values(tracker, PROCEDURE_TERM)
                names = common.names_a_procedure(common.message_text(tracker), terms)
                if names or not active:
                    result = await self._search(tracker)
                    outcome = common.classify(result) if result else SearchOutcome.NOT_FOUND
                    if result and outcome is SearchOutcome.CONFIDENT:
                        code = result.hits[0].code
                    elif (result and outcome is SearchOutcome.CHOICES and names
                          and result.hits[0].code != active):
                        return self._offer(dispatcher, list(result.hits[: common.MAX_CHOICES]), topic)
                    elif not active:
                        status = "not_found" if names else "needs_procedure"
                        return self._status(status, **{REQUESTED_TOPIC: topic})
                code = code or active
            return await self._answer(dispatcher, str(code), [topic], tracker.sender_id)
        except ProcedureNotFound:
            logger.info("Unknown procedure code in conversation %s.", tracker.sender_id)
            return self._status("unknown_code", **{ACTIVE_PROCEDURE: None, ACTIVE_PROCEDURE_NAME: None})
        except ServiceError as exc:
            logger.warning("Answering %s failed in conversation %s: %s", topic, tracker.sender_id, exc)
            return self._status("api_error")


class ActionChooseProcedure(_ProcedureAction):
    """The citizen picked one of the offered procedures (button or "cái thứ 2")."""

    def name(self) -> str:
        return "action_choose_procedure"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        code = next(iter(common.entity_values(tracker, PROCEDURE_CODE)), None)
        if code is None:
            offered = tracker.get_slot(OFFERED_PROCEDURES) or []
            code = common.ordinal_choice(common.message_text(tracker), [str(c) for c in offered])
        if code is None:
            return self._status("needs_procedure")
        requested = tracker.get_slot(REQUESTED_TOPIC)
        known = requested in common.TOPIC_BY_INTENT.values()
        topics = ["overview", requested] if known else list(FIRST_TOPICS)
        try:
            return await self._answer(dispatcher, code, topics, tracker.sender_id)
        except ProcedureNotFound:
            logger.info("Unknown procedure code chosen in conversation %s.", tracker.sender_id)
            return self._status("unknown_code", **{ACTIVE_PROCEDURE: None, ACTIVE_PROCEDURE_NAME: None})
        except ServiceError as exc:
            logger.warning("Answering a choice failed in conversation %s: %s", tracker.sender_id, exc)
            return self._status("api_error")
