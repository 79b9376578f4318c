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
from actions.services import (
    ProcedureAnswer,
    ProcedureHit,
    ProcedureNotFound,
    QueryRejected,
    SearchTurn,
    SearchTurnRequest,
    SearchTurnServices,
    ServiceError,
    Services,
    get_services,
)

logger = logging.getLogger(__name__)

ACTIVE_PROCEDURE = "active_procedure"
ACTIVE_PROCEDURE_NAME = "active_procedure_name"
ANSWER_STATUS = "answer_status"
# App outcomes whose candidates are offered, and the status each leaves: "unsure" offers them beside
# "not in my knowledge yet" (the app logged the question for the staff inbox).
OFFERING = {"ambiguous": "choices", "unsure": "unsure"}
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

    async def _answer(
        self, dispatcher: CollectingDispatcher, code: str, topics: list[str], sender_id: str
    ) -> list[EventType]:
        """Send the rendered topics of `code` and make it the active procedure."""
        answers: list[ProcedureAnswer] = list(
            await asyncio.gather(*(self.services.answer(code, topic) for topic in topics))
        )
        return [*self._sent(dispatcher, answers, topics, sender_id), SlotSet(ANSWER_STATUS, "answered")]

    @staticmethod
    def _sent(
        dispatcher: CollectingDispatcher, answers: list[ProcedureAnswer], topics: Sequence[str], sender_id: str
    ) -> list[EventType]:
        """Send rendered topics of one procedure and make it the active procedure (its slots, no status)."""
        code = answers[0].code
        common.send_answers(dispatcher, answers)
        logger.info("Answered %s about %s in conversation %s.", "+".join(topics), code, sender_id)
        return [
            SlotSet(ACTIVE_PROCEDURE, code),
            SlotSet(ACTIVE_PROCEDURE_NAME, answers[0].name),
            SlotSet(REQUESTED_TOPIC, None),
            SlotSet(OFFERED_PROCEDURES, None),
        ]

    @staticmethod
    def _offer(
        dispatcher: CollectingDispatcher, hits: list[ProcedureHit], topic: str | None
    ) -> list[EventType]:
        """List the candidates as buttons (their slots, no status); a rule or the caller then asks which one."""
        dispatcher.utter_message(text=common.choice_list_text(hits), buttons=common.choice_buttons(hits))
        return [SlotSet(OFFERED_PROCEDURES, [hit.code for hit in hits]), SlotSet(REQUESTED_TOPIC, topic)]

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
        status, events = await search_turn(self.services, dispatcher, tracker, route="procedure")
        return [*events, SlotSet(ANSWER_STATUS, status)]


async def request_turn(
    services: SearchTurnServices, tracker: Tracker, *, route: str, topics: Sequence[str] = FIRST_TOPICS
) -> SearchTurn | str:
    """The app's search turn for the latest message, or the status to report when there is none
    ("not_found" for an empty or refused text, "api_error" when the app failed)."""
    text = common.message_text(tracker)
    query = common.search_query(text, common.entity_values(tracker, PROCEDURE_TERM))
    if not query or common.is_payload(query):
        return "not_found"
    # One call does the search, the judgement, the rendering and the question log.
    request = SearchTurnRequest(
        text=text or query, query=query, conversation_id=tracker.sender_id,
        channel=common.message_channel(tracker), topics=tuple(topics), k=common.SEARCH_K,
        confident=common.CONFIDENT, choices_min=common.CHOICES_MIN, ambiguity_margin=common.AMBIGUITY_MARGIN,
        route=route,
    )
    try:
        turn = await services.search_turn(request)
    except QueryRejected:
        logger.info("Search text rejected by the app in conversation %s.", tracker.sender_id)
        return "not_found"
    except ServiceError as exc:
        logger.warning("Search failed in conversation %s: %s", tracker.sender_id, exc)
        return "api_error"
    logger.info("Search outcome %s (%s) in conversation %s.", turn.outcome, route, tracker.sender_id)
    return turn


async def answer_if_confident(
    services: SearchTurnServices, dispatcher: CollectingDispatcher, tracker: Tracker, topics: Sequence[str]
) -> list[EventType] | None:
    """`topics` of the procedure the message names, sent when the search turn is confident; else None."""
    turn = await request_turn(services, tracker, route="procedure", topics=topics)
    if isinstance(turn, SearchTurn) and turn.outcome == "answered" and turn.answers:
        sent = _ProcedureAction._sent(dispatcher, list(turn.answers), topics, tracker.sender_id)
        return [*sent, SlotSet(ANSWER_STATUS, "answered")]
    return None


async def search_turn(
    services: SearchTurnServices, dispatcher: CollectingDispatcher, tracker: Tracker, *, route: str
) -> tuple[str, list[EventType]]:
    """One search turn; the status (answered, choices, unsure, not_found, off_topic, api_error) and the slots.

    `route` "gate" is for messages the intent classifier did not take for a procedure question: the
    app then answers only on the evidence of the words (see `assistant.search_turn.judge_turn`).
    """
    turn = await request_turn(services, tracker, route=route)
    if isinstance(turn, str):
        return turn, []
    if turn.outcome == "answered" and turn.answers:
        return "answered", _ProcedureAction._sent(dispatcher, list(turn.answers), FIRST_TOPICS, tracker.sender_id)
    if turn.outcome in OFFERING and turn.result.hits:
        offered = _ProcedureAction._offer(dispatcher, list(turn.result.hits[: common.MAX_CHOICES]), None)
        return OFFERING[turn.outcome], offered
    return ("off_topic" if turn.outcome == "off_topic" else "not_found"), []


class ActionAnswerTopic(_ProcedureAction):
    """A follow-up (documents, fee, time, where, online) about the procedure in question.

    The procedure is, in order: the code a button carries; a different procedure the question
    itself names; the active one. Without any of them the assistant asks which procedure is meant.
    A first question is searched as soon as one word of it is not a follow-up word: "lam passport mat
    bao lau" names its procedure in a single word the classifier did not extract.
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
                names = common.names_a_procedure(common.message_text(tracker), terms, min_words=2 if active else 1)
                if not names and not active:
                    return self._status("needs_procedure", **{REQUESTED_TOPIC: topic})
                if names:
                    turn = await request_turn(self.services, tracker, route="procedure", topics=[topic])
                    if isinstance(turn, SearchTurn) and turn.outcome == "answered" and turn.answers:
                        sent = self._sent(dispatcher, list(turn.answers), [topic], tracker.sender_id)
                        return [*sent, SlotSet(ANSWER_STATUS, "answered")]
                    if (isinstance(turn, SearchTurn) and turn.outcome in OFFERING and turn.result.hits
                            and turn.result.hits[0].code != active):
                        offered = self._offer(dispatcher, list(turn.result.hits[: common.MAX_CHOICES]), topic)
                        return [*offered, SlotSet(ANSWER_STATUS, OFFERING[turn.outcome])]
                    if not active:
                        off_topic = isinstance(turn, SearchTurn) and turn.outcome == "off_topic"
                        status = turn if isinstance(turn, str) else ("off_topic" if off_topic else "not_found")
                        return self._status(status, **{REQUESTED_TOPIC: topic})
                code = active
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


class ProcedureGate:
    """Gives a message the intent classifier did not take for a procedure question a second chance.

    The classifier learned from a few hundred examples; the knowledge base knows the words of 2,642
    procedures. Out-of-scope, not-understood and remark turns therefore ask the app first (route "gate"),
    which answers only on the evidence of the words themselves; otherwise the caller says what it always
    said. The app logs the question either way.
    """

    def __init__(self, services: SearchTurnServices) -> None:
        self._services = services

    async def __call__(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, *, admit_not_found: bool
    ) -> tuple[str, list[EventType] | None]:
        """The search status, and the events when the reply was sent here (None: the caller replies).

        `admit_not_found`: an administrative question the knowledge base cannot answer gets "not in my
        knowledge yet" here; a caller that has a better reply for it (a remark) passes False.
        """
        status, events = await search_turn(self._services, dispatcher, tracker, route="gate")
        if status == "answered":
            return status, events
        if status == "choices":
            dispatcher.utter_message(response="utter_choose_procedure")
            return status, events
        if status == "not_found" and admit_not_found:
            dispatcher.utter_message(response="utter_procedure_not_found")
            return status, events
        return status, None
