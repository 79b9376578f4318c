"""Yes and no: short replies that are sometimes whole questions.

The classifier hears "không" at the end of "đăng ký kết hôn có cần khám sức khỏe không" and calls the
message a "no"; answering it "Vâng ạ" throws the question away. A reply long enough to be a question
(several words besides follow-up words) is first given to the procedure gate, like an out-of-scope
message; a plain "vâng" or "không cần" gets the usual short reply without a search, so the staff inbox
is not filled with yeses and noes.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions import common
from actions.procedures import ProcedureGate
from actions.services import SearchTurnServices, get_services

# Words besides follow-up words ("có", "không", "cần", "ạ"...) that make a yes or no a question.
QUESTION_WORDS = 3


class _ShortReply(Action, ABC):
    """Abstract, so rasa-sdk (which registers every `Action` subclass it imports) skips it."""

    def __init__(self, services: SearchTurnServices | None = None) -> None:
        self._services = services

    @property
    def services(self) -> SearchTurnServices:
        if self._services is None:
            self._services = get_services()
        return self._services

    @property
    @abstractmethod
    def response(self) -> str:
        """The short reply when the message is only a yes or a no."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if common.names_a_procedure(common.message_text(tracker), [], min_words=QUESTION_WORDS):
            _, events = await ProcedureGate(self.services)(dispatcher, tracker, admit_not_found=True)
            if events is not None:
                return events
        dispatcher.utter_message(response=self.response)
        return []


class ActionAffirm(_ShortReply):
    response = "utter_affirm"

    def name(self) -> str:
        return "action_affirm"


class ActionDeny(_ShortReply):
    response = "utter_deny"

    def name(self) -> str:
        return "action_deny"
