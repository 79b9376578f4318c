"""Fakes and tracker builders for the action tests (run in the Rasa virtual environment)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, TypeVar

import pytest
from rasa_sdk import Tracker

from actions.common import SearchOutcome, classify
from actions.services import (
    AnswerButton,
    AnswerMessage,
    ProcedureAnswer,
    ProcedureHit,
    ProcedureNotFound,
    SearchResult,
    SearchTurn,
    SearchTurnRequest,
    ServiceError,
)

T = TypeVar("T")

NAMES = {
    "1.001193": "Thủ tục đăng ký khai sinh",
    "1.000894": "Thủ tục đăng ký kết hôn",
    "1.004746": "Thủ tục đăng ký lại kết hôn",
    "1.000094": "Thủ tục đăng ký kết hôn có yếu tố nước ngoài tại khu vực biên giới",
    "1.001456": "Cấp hộ chiếu phổ thông ở trong nước (thực hiện tại cấp tỉnh)",
    "1.004222": "Đăng ký thường trú",
}


class FakeServices:
    """Answers like the app would, from canned data; records every call."""

    def __init__(self) -> None:
        self.search_results: dict[str, SearchResult] = {}
        self.default_search = SearchResult(query="", confidence=0.0, hits=())
        self.fail_search: Exception | None = None
        self.fail_answer: Exception | None = None
        self.calls: list[tuple[str, ...]] = []
        self.turns: list[SearchTurnRequest] = []
        self.off_topic: set[str] = set()  # texts the app judges not administrative
        self.unsure: set[str] = set()  # texts whose candidates the app offers without being sure of them

    async def search(self, query: str, k: int = 3) -> SearchResult:
        self.calls.append(("search", query, str(k)))
        if self.fail_search:
            raise self.fail_search
        for needle, result in self.search_results.items():
            if needle in query:
                return result
        return self.default_search

    async def answer(self, code: str, topic: str) -> ProcedureAnswer:
        self.calls.append(("answer", code, topic))
        if self.fail_answer:
            raise self.fail_answer
        if code not in NAMES:
            raise ProcedureNotFound(f"No procedure {code!r}.")
        buttons = (AnswerButton(title="Lệ phí", payload=f'/ask_fee{{"procedure_code":"{code}"}}'),)
        return ProcedureAnswer(
            code=code,
            name=NAMES[code],
            messages=(
                AnswerMessage(text=f"{topic} của {NAMES[code]} (1)"),
                AnswerMessage(text=f"{topic} của {NAMES[code]} (2)", buttons=buttons),
            ),
        )


    async def search_turn(self, request: SearchTurnRequest) -> SearchTurn:
        """Judges like the app's `/api/procedures/search-turn`, with the thresholds the action sent."""
        self.turns.append(request)
        result = await self.search(request.query, k=request.k)
        if request.text in self.off_topic:
            return SearchTurn(result=result, outcome="off_topic")
        if request.text in self.unsure:
            return SearchTurn(result=result, outcome="unsure")
        outcome = {SearchOutcome.CONFIDENT: "answered", SearchOutcome.CHOICES: "ambiguous"}.get(
            classify(result), "low_confidence")
        answers: tuple[ProcedureAnswer, ...] = ()
        if outcome == "answered":
            answers = tuple([await self.answer(result.hits[0].code, topic) for topic in request.topics])
        return SearchTurn(result=result, outcome=outcome, answers=answers)


def hit(code: str, confidence: float) -> ProcedureHit:
    return ProcedureHit(code=code, name=NAMES[code], levels=("Cấp xã",), field="Hộ tịch", score=confidence,
                        confidence=confidence)


def result(confidence: float, *codes: str) -> SearchResult:
    return SearchResult(query="q", confidence=confidence,
                        hits=tuple(hit(code, confidence - 0.3 * i) for i, code in enumerate(codes)))


def make_tracker(
    text: str,
    intent: str,
    entities: list[dict[str, Any]] | None = None,
    slots: dict[str, Any] | None = None,
) -> Tracker:
    """A tracker shaped like the JSON Rasa posts to the action server."""
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.97},
        "entities": entities or [],
        "intent_ranking": [{"name": intent, "confidence": 0.97}],
    }
    state = {
        "sender_id": "test-conversation",
        "slots": {
            "active_procedure": None,
            "active_procedure_name": None,
            "answer_status": None,
            "offered_procedures": None,
            "requested_topic": None,
            **(slots or {}),
        },
        "latest_message": latest,
        "events": [
            {"event": "action", "name": "action_listen"},
            {"event": "user", "text": text, "parse_data": latest},
        ],
        "paused": False,
        "followup_action": None,
        "active_loop": {},
        "latest_action_name": "action_listen",
    }
    return Tracker.from_dict(state)


def run(awaitable: Awaitable[T]) -> T:
    return asyncio.run(awaitable)  # type: ignore[arg-type]


@pytest.fixture
def services() -> FakeServices:
    return FakeServices()


__all__ = ["FakeServices", "ServiceError", "make_tracker", "result", "run"]
