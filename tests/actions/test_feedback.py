"""Ratings and remarks: what reaches the app and what the citizen is told."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.feedback import ActionSubmitFeedback
from actions.handover import drain_background
from actions.services import (
    AnswerMessage,
    ProcedureAnswer,
    ProcedureHit,
    SearchResult,
    SearchTurn,
    ServiceError,
)
from tests.actions.citizen_fakes import SENDER, FakeCitizenApi, build_tracker


@pytest.fixture
def api() -> FakeCitizenApi:
    return FakeCitizenApi()


def run_action(api: FakeCitizenApi, text: str, **kwargs: Any) -> tuple[list[Any], CollectingDispatcher]:
    dispatcher = CollectingDispatcher()

    async def main() -> list[Any]:
        events = await ActionSubmitFeedback(api).run(dispatcher, build_tracker(text, "feedback", **kwargs), {})
        await drain_background()
        return events

    return asyncio.run(main()), dispatcher


def test_rating_button_is_sent_with_the_earlier_remark(api: FakeCitizenApi) -> None:
    events, dispatcher = run_action(api, '/feedback{"rating":"2"}', entities=[{"entity": "rating", "value": "2"}],
                                    slots={"feedback_comment": "lệ phí sai rồi"})
    assert api.calls == [("feedback", SENDER, "telegram", 2, "lệ phí sai rồi")]
    assert events == [SlotSet("feedback_comment", None)]
    assert [m["response"] for m in dispatcher.messages] == ["utter_rating_thanks"]


@pytest.mark.parametrize(("typed", "rating"), [("5 sao", 5), ("tôi chấm 4 điểm", 4), ("cho 3*", 3),
                                               ("1 sao thoi", 1)])
def test_typed_rating(api: FakeCitizenApi, typed: str, rating: int) -> None:
    run_action(api, typed)
    assert api.calls == [("feedback", SENDER, "telegram", rating, None)]


def test_remark_without_rating_is_kept_and_a_rating_asked_for(api: FakeCitizenApi) -> None:
    events, dispatcher = run_action(api, "bot trả lời sai lệ phí rồi")
    assert api.calls == [("search_turn", "bot trả lời sai lệ phí rồi", "gate")]
    assert events == [SlotSet("feedback_comment", "bot trả lời sai lệ phí rồi")]
    assert [m["response"] for m in dispatcher.messages] == ["utter_feedback_thanks", "utter_ask_rating"]


def test_a_remark_about_an_unknown_procedure_stays_a_remark(api: FakeCitizenApi) -> None:
    text = "thủ tục rườm rà quá"
    api.turns[text] = SearchTurn(result=SearchResult(query=text, confidence=0.1), outcome="low_confidence")
    events, dispatcher = run_action(api, text)
    assert events == [SlotSet("feedback_comment", text)]
    assert [m["response"] for m in dispatcher.messages] == ["utter_feedback_thanks", "utter_ask_rating"]


def test_a_procedure_question_read_as_a_remark_is_answered(api: FakeCitizenApi) -> None:
    text = "góp ý giúp tôi thủ tục cấp giấy phép xây dựng"
    api.turns[text] = SearchTurn(
        result=SearchResult(query=text, confidence=0.9, hits=(ProcedureHit(code="1.009994", name="Cấp GPXD"),)),
        outcome="answered",
        answers=(ProcedureAnswer(code="1.009994", name="Cấp GPXD", messages=(AnswerMessage(text="Giấy tờ"),)),))
    events, dispatcher = run_action(api, text)
    assert [m["text"] for m in dispatcher.messages] == ["Giấy tờ"]
    assert SlotSet("feedback_comment", text) not in events
    assert not [c for c in api.calls if c[0] == "feedback"]


def test_out_of_range_rating_is_not_sent(api: FakeCitizenApi) -> None:
    run_action(api, '/feedback{"rating":"9"}', entities=[{"entity": "rating", "value": "9"}])
    assert api.calls == []


def test_app_down_still_thanks(api: FakeCitizenApi) -> None:
    api.fail = ServiceError("down")
    _, dispatcher = run_action(api, "5 sao")
    assert [m["response"] for m in dispatcher.messages] == ["utter_rating_thanks"]
