"""Which new commune or ward, and which service center, serves an address after the 2025 reorganisation.

The citizen's own words go to the app's resolver (`GET /api/communes/resolve`) together with the
procedure being discussed, so the answer can say whether that procedure is filed there. An ambiguous
address comes back with candidates, sent as buttons that carry the candidate's full address. A "where do
I file" question whose "place" the resolver does not know is answered as a procedure question when the
search is confident about it: the classifier reads any "xã …" or "tỉnh …" as a place.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Protocol

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions import common
from actions.handover import user_text
from actions.procedures import answer_if_confident
from actions.services import QueryRejected, SearchTurnServices, ServiceError, get_services

logger = logging.getLogger(__name__)

ADDRESS = "address"
ACTIVE_PROCEDURE = "active_procedure"
# Zalo shows at most 5 buttons; a button title longer than this is cut.
MAX_CHOICES = 5
MAX_TITLE = 60
UNKNOWN = "unknown"  # the resolver's status for an address naming no place it knows


class CommuneServices(SearchTurnServices, Protocol):
    """The part of the app's API this action uses; tests pass fakes."""

    async def resolve_commune(self, address: str, procedure: str | None) -> dict[str, Any]:
        """The resolver's answer: `status`, `text`, `choices`."""


def _asks_where_to_file_a_procedure(tracker: Tracker) -> bool:
    return common.latest_intent(tracker) == "ask_where" and common.names_a_procedure(user_text(tracker), [])


def commune_payload(address: str) -> str:
    """The button payload that asks again with one candidate's full address."""
    return "/find_commune" + json.dumps({ADDRESS: address}, ensure_ascii=False)


def _address(tracker: Tracker) -> str:
    """A button's address, else the message itself (a bare payload carries no address)."""
    for entity in tracker.latest_message.get("entities") or []:
        value = entity.get("value")
        if entity.get("entity") == ADDRESS and isinstance(value, str) and value.strip():
            return value.strip()
    text = user_text(tracker)
    return "" if text.startswith("/") else text


def _buttons(choices: Any) -> list[dict[str, str]]:
    buttons: list[dict[str, str]] = []
    for choice in choices if isinstance(choices, list) else []:
        if not isinstance(choice, dict) or not choice.get("address"):
            continue
        title = str(choice.get("title") or choice["address"])
        title = title if len(title) <= MAX_TITLE else title[: MAX_TITLE - 1].rstrip() + "…"
        buttons.append({"title": title, "payload": commune_payload(str(choice["address"]))})
    return buttons[:MAX_CHOICES]


class ActionFindCommune(Action):
    """Resolve the address the citizen typed (or picked) and show the app's answer."""

    def __init__(self, services: CommuneServices | None = None) -> None:
        self._services = services

    def name(self) -> str:
        return "action_find_commune"

    @property
    def services(self) -> CommuneServices:
        if self._services is None:
            self._services = get_services()
        return self._services

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        address = _address(tracker)
        if not address:
            dispatcher.utter_message(response="utter_ask_address")
            return []
        procedure = tracker.get_slot(ACTIVE_PROCEDURE)
        try:
            answer = await self.services.resolve_commune(address, str(procedure) if procedure else None)
        except QueryRejected:
            logger.info("Address rejected by the app in conversation %s.", tracker.sender_id)
            dispatcher.utter_message(response="utter_ask_address")
            return []
        except ServiceError as exc:
            logger.warning("Commune lookup failed in conversation %s: %s", tracker.sender_id, exc)
            dispatcher.utter_message(response="utter_commune_unavailable")
            return []
        logger.info("Commune lookup %s in conversation %s.", answer.get("status"), tracker.sender_id)
        if answer.get("status") == UNKNOWN and _asks_where_to_file_a_procedure(tracker):
            # "thi tuyển công chức xã năm nay nộp hồ sơ ở đâu": "xã năm nay" was read as a place and no
            # such place exists; the question is where to file a procedure.
            events = await answer_if_confident(self.services, dispatcher, tracker, ["where"])
            if events is not None:
                return events
        dispatcher.utter_message(text=str(answer["text"]), buttons=_buttons(answer.get("choices")))
        return []
