"""Satisfaction ratings and written remarks from citizens.

A rating (1–5, from the goodbye buttons or typed as "5 sao") is sent to the app (`POST /api/feedback`,
contract #4) in the background, with the remark the citizen wrote before it if any. A remark without a
rating is kept in a slot and the citizen is asked for a rating, since the app stores feedback as a
rating with an optional comment.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Protocol

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import fold
from actions.handover import channel_of, in_background, user_text
from actions.procedures import ProcedureGate
from actions.services import SearchTurnServices, get_services

logger = logging.getLogger(__name__)

RATING = "rating"
COMMENT = "feedback_comment"
MAX_COMMENT = 1000
# "5 sao", "4 điểm", "cho 3*", "⭐ 5": a digit from 1 to 5 next to a rating word (compared without diacritics).
_TYPED_RATING = re.compile(r"(?<!\d)([1-5])\s*(?:sao|diem|\*|⭐)|(?:⭐|sao|diem)\s*([1-5])(?!\d)")


class FeedbackServices(SearchTurnServices, Protocol):
    """The part of the app's API this action uses; tests pass fakes."""

    async def send_feedback(self, conversation_id: str, channel: str, rating: int, comment: str | None) -> None:
        """Store a rating with an optional remark."""


def rating_of(tracker: Tracker) -> int | None:
    """The rating a button carries, or one typed like "5 sao"; None when the message has none."""
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == RATING:
            try:
                value = int(str(entity.get("value")).strip())
            except ValueError:
                continue
            if 1 <= value <= 5:
                return value
    match = _TYPED_RATING.search(fold(user_text(tracker)))
    return int(match.group(1) or match.group(2)) if match else None


class ActionSubmitFeedback(Action):
    """Send a rating, or keep a remark and ask for a rating."""

    def __init__(self, services: FeedbackServices | None = None) -> None:
        self._services = services

    def name(self) -> str:
        return "action_submit_feedback"

    @property
    def services(self) -> FeedbackServices:
        if self._services is None:
            self._services = get_services()
        return self._services

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        rating = rating_of(tracker)
        if rating is None:
            # A "remark" may be a procedure question the classifier misread ("góp ý thủ tục cấp phép
            # xây dựng"): answered when its words name a procedure; otherwise kept as a remark.
            _, events = await ProcedureGate(self.services)(dispatcher, tracker, admit_not_found=False)
            if events is not None:
                return events
            text = user_text(tracker)
            text = "" if text.startswith("/") else text  # a payload carries no remark
            dispatcher.utter_message(response="utter_feedback_thanks")
            dispatcher.utter_message(response="utter_ask_rating")
            return [SlotSet(COMMENT, text[:MAX_COMMENT] or None)]
        comment = tracker.get_slot(COMMENT)
        in_background(
            self.services.send_feedback(tracker.sender_id, channel_of(tracker), rating,
                                        str(comment) if comment else None),
            "Sending feedback", tracker.sender_id,
        )
        logger.info("Rating %d received in conversation %s.", rating, tracker.sender_id)
        dispatcher.utter_message(response="utter_rating_thanks")
        return [SlotSet(COMMENT, None)]
