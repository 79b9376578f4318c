"""A fake app for the dossier, commune, handover and feedback actions, and a tracker builder."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from actions.services import SearchResult, SearchTurn, SearchTurnRequest, ServiceRefused

SENDER = "telegram:4242"
CODE = "000.00.15.H29-250714-0001"
MALFORMED_MESSAGE = "Mã hồ sơ chưa đúng dạng. Mã có dạng 000.00.15.H29-250714-0001."
NOT_FOUND_MESSAGE = "Không tìm thấy hồ sơ với mã và thông tin xác minh này."


class FakeCitizenApi:
    """Answers like the app's contracts #2–#4, #6 and #7; records every call."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self.codes: dict[str, str] = {CODE.replace(".", "").lower(): CODE}
        self.verification = "6789"
        self.fail: Exception | None = None
        self.refuse_lookup: ServiceRefused | None = None
        self.commune_answer: dict[str, Any] = {"status": "resolved", "text": "Xã Yên Thịnh cũ nay thuộc xã Yên Mô.",
                                               "choices": []}
        # The app's judgement of a gated message by its text; anything else is off topic, as small talk is.
        self.turns: dict[str, SearchTurn] = {}

    def _maybe_fail(self) -> None:
        if self.fail:
            raise self.fail

    async def parse_dossier_code(self, text: str) -> str:
        self.calls.append(("parse", text))
        self._maybe_fail()
        key = "".join(text.split()).replace(".", "").lower()
        if key not in self.codes:
            raise ServiceRefused(422, "malformed_code", MALFORMED_MESSAGE)
        return self.codes[key]

    async def lookup_dossier(self, code: str, verification: str, sender_id: str) -> str:
        self.calls.append(("lookup", code, verification, sender_id))
        self._maybe_fail()
        if self.refuse_lookup:
            raise self.refuse_lookup
        if code != CODE or verification != self.verification:
            raise ServiceRefused(404, "not_found", NOT_FOUND_MESSAGE)
        return f"Hồ sơ {code}: đang xử lý."

    async def subscribe_dossier(self, code: str, verification: str, sender_id: str, channel: str) -> str:
        self.calls.append(("subscribe", code, verification, sender_id, channel))
        self._maybe_fail()
        if verification != self.verification:
            raise ServiceRefused(404, "not_found", NOT_FOUND_MESSAGE)
        return "Tôi sẽ nhắn cho bạn khi hồ sơ thay đổi."

    async def resolve_commune(self, address: str, procedure: str | None) -> dict[str, Any]:
        self.calls.append(("resolve", address, procedure))
        self._maybe_fail()
        return self.commune_answer

    async def request_handover(
        self, conversation_id: str, channel: str, reason: str, active_procedure: str | None
    ) -> str:
        self.calls.append(("handover", conversation_id, channel, reason, active_procedure))
        self._maybe_fail()
        return "Cán bộ sẽ trả lời bạn trong giờ hành chính."

    async def record_question(
        self, conversation_id: str, channel: str, text: str, outcome: str,
        confidence: float | None = None, procedure_code: str | None = None,
    ) -> None:
        self.calls.append(("question", conversation_id, channel, text, outcome, confidence, procedure_code))
        self._maybe_fail()

    async def search_turn(self, request: SearchTurnRequest) -> SearchTurn:
        self.calls.append(("search_turn", request.text, request.route))
        self._maybe_fail()
        return self.turns.get(request.text, SearchTurn(result=SearchResult(query=request.query, confidence=0.0),
                                                       outcome="off_topic"))

    async def send_feedback(self, conversation_id: str, channel: str, rating: int, comment: str | None) -> None:
        self.calls.append(("feedback", conversation_id, channel, rating, comment))
        self._maybe_fail()


def build_tracker(
    text: str,
    intent: str,
    *,
    entities: list[dict[str, Any]] | None = None,
    slots: dict[str, Any] | None = None,
    earlier: list[dict[str, Any]] | None = None,
    channel: str | None = "telegram",
    confidence: float = 0.97,
) -> Tracker:
    """A tracker shaped like the JSON Rasa posts, with the channel in the message metadata."""
    latest: dict[str, Any] = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "entities": entities or [],
        "intent_ranking": [{"name": intent, "confidence": confidence}],
        "metadata": {"channel": channel} if channel else {},
    }
    return Tracker.from_dict({
        "sender_id": SENDER,
        "slots": dict(slots or {}),
        "latest_message": latest,
        "events": [*(earlier or []), {"event": "action", "name": "action_listen"},
                   {"event": "user", "text": text, "parse_data": latest}],
        "paused": False,
        "followup_action": None,
        "active_loop": {},
        "latest_action_name": "action_listen",
    })


def user_turn(text: str, intent: str, *actions: str) -> list[dict[str, Any]]:
    """Events of an earlier turn: the user message and the actions the bot ran after it."""
    return [{"event": "action", "name": "action_listen"},
            {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}},
            *({"event": "action", "name": name} for name in actions)]
