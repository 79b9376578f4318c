"""Handover to a person, the fallback that gives up twice, and the question log."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.handover import ActionFallback, ActionHandover, ActionOutOfScope, drain_background
from actions.services import (
    AnswerMessage,
    ProcedureAnswer,
    ProcedureHit,
    SearchResult,
    SearchTurn,
    ServiceError,
)
from tests.actions.citizen_fakes import SENDER, FakeCitizenApi, build_tracker, user_turn


@pytest.fixture
def api() -> FakeCitizenApi:
    return FakeCitizenApi()


def run_action(action: Action, tracker: Tracker) -> tuple[list[Any], CollectingDispatcher]:
    dispatcher = CollectingDispatcher()

    async def main() -> list[Any]:
        events = await action.run(dispatcher, tracker, {})
        await drain_background()
        return events

    return asyncio.run(main()), dispatcher


def test_asking_for_a_person_queues_the_conversation_with_the_active_procedure(api: FakeCitizenApi) -> None:
    tracker = build_tracker("cho tôi gặp cán bộ", "human_handoff", slots={"active_procedure": "1.001193"})
    events, dispatcher = run_action(ActionHandover(api), tracker)
    assert events == []
    assert api.calls == [("handover", SENDER, "telegram", "asked", "1.001193")]
    assert [m["text"] for m in dispatcher.messages] == ["Cán bộ sẽ trả lời bạn trong giờ hành chính."]


def test_handover_unavailable_says_how_to_reach_a_person(api: FakeCitizenApi) -> None:
    api.fail = ServiceError("down")
    _, dispatcher = run_action(ActionHandover(api), build_tracker("gặp cán bộ", "human_handoff", channel=None))
    assert api.calls == [("handover", SENDER, "api", "asked", None)]
    assert [m["response"] for m in dispatcher.messages] == ["utter_handover_unavailable"]


def test_first_fallback_apologises_and_logs_the_question(api: FakeCitizenApi) -> None:
    tracker = build_tracker("abc xyz", "nlu_fallback", confidence=0.3, slots={"active_procedure": "1.001193"},
                            earlier=user_turn("lệ phí bao nhiêu", "ask_fee", "action_answer_topic"))
    _, dispatcher = run_action(ActionFallback(api), tracker)
    assert [m["response"] for m in dispatcher.messages] == ["utter_nlu_fallback"]
    # The app judged (and logged) the words: not a procedure question.
    assert api.calls == [("search_turn", "abc xyz", "gate")]


def test_fallback_logs_the_question_itself_when_the_app_cannot_judge_it(api: FakeCitizenApi) -> None:
    api.fail = ServiceError("down")
    tracker = build_tracker("abc xyz", "nlu_fallback", confidence=0.3, slots={"active_procedure": "1.001193"},
                            earlier=user_turn("lệ phí bao nhiêu", "ask_fee", "action_answer_topic"))
    _, dispatcher = run_action(ActionFallback(api), tracker)
    assert [m["response"] for m in dispatcher.messages] == ["utter_nlu_fallback"]
    assert api.calls == [("search_turn", "abc xyz", "gate"),
                         ("question", SENDER, "telegram", "abc xyz", "fallback", None, "1.001193")]


@pytest.mark.parametrize("gave_up_with", ["action_fallback", "utter_procedure_not_found"])
def test_second_failure_in_a_row_hands_over(api: FakeCitizenApi, gave_up_with: str) -> None:
    earlier = user_turn("abc", "nlu_fallback", gave_up_with)
    _, dispatcher = run_action(ActionFallback(api), build_tracker("xyz", "nlu_fallback", earlier=earlier))
    assert ("handover", SENDER, "telegram", "gave_up", None) in api.calls
    assert [m["text"] for m in dispatcher.messages] == ["Cán bộ sẽ trả lời bạn trong giờ hành chính."]


def test_a_failure_two_turns_ago_does_not_count(api: FakeCitizenApi) -> None:
    earlier = [*user_turn("abc", "nlu_fallback", "action_fallback"),
               *user_turn("lệ phí bao nhiêu", "ask_fee", "action_answer_topic")]
    _, dispatcher = run_action(ActionFallback(api), build_tracker("xyz", "nlu_fallback", earlier=earlier))
    assert [m["response"] for m in dispatcher.messages] == ["utter_nlu_fallback"]
    assert not [c for c in api.calls if c[0] == "handover"]


def test_question_log_failure_never_blocks_the_reply(api: FakeCitizenApi) -> None:
    api.fail = ServiceError("down")
    _, dispatcher = run_action(ActionOutOfScope(api), build_tracker("giá vàng hôm nay", "out_of_scope"))
    assert [m["response"] for m in dispatcher.messages] == ["utter_out_of_scope"]
    assert api.calls == [("search_turn", "giá vàng hôm nay", "gate"),
                         ("question", SENDER, "telegram", "giá vàng hôm nay", "out_of_scope", 0.97, None)]


def _turn(outcome: str, *codes: str) -> SearchTurn:
    hits = tuple(ProcedureHit(code=c, name=f"Thủ tục {c}", confidence=0.9 - 0.1 * i) for i, c in enumerate(codes))
    answers = (ProcedureAnswer(code=codes[0], name=f"Thủ tục {codes[0]}",
                               messages=(AnswerMessage(text="Giấy tờ cần mang"),)),) if outcome == "answered" else ()
    return SearchTurn(result=SearchResult(query="q", confidence=0.9 if hits else 0.0, hits=hits), outcome=outcome,
                      answers=answers)


@pytest.mark.parametrize("action", [ActionOutOfScope, ActionFallback])
def test_a_misread_procedure_question_is_answered_on_the_evidence_of_its_words(
        api: FakeCitizenApi, action: type[Action]) -> None:
    text = "cấp giấy phép xây dựng nhà ở riêng lẻ"
    api.turns[text] = _turn("answered", "1.009994")
    events, dispatcher = run_action(action(api), build_tracker(text, "out_of_scope"))
    assert [m["text"] for m in dispatcher.messages] == ["Giấy tờ cần mang"]
    assert dispatcher.messages[0]["custom"] == {"procedure": {"code": "1.009994", "name": "Thủ tục 1.009994"}}
    assert {"event": "slot", "name": "active_procedure", "value": "1.009994", "timestamp": None} in events
    assert not [c for c in api.calls if c[0] == "question"]  # the app logged it with its outcome


def test_a_misread_question_with_several_candidates_offers_them(api: FakeCitizenApi) -> None:
    text = "xin phép khai thác nước dưới đất"
    api.turns[text] = _turn("ambiguous", "1.004232", "1.004228")
    _, dispatcher = run_action(ActionOutOfScope(api), build_tracker(text, "out_of_scope"))
    codes = [b["payload"] for b in dispatcher.messages[0]["buttons"]]
    assert codes == ['/choose{"procedure_code":"1.004232"}', '/choose{"procedure_code":"1.004228"}']
    assert dispatcher.messages[1]["response"] == "utter_choose_procedure"


def test_an_administrative_question_outside_the_knowledge_base_is_not_called_off_topic(
        api: FakeCitizenApi) -> None:
    text = "làm lại bằng tốt nghiệp cấp 3 bị mất"
    api.turns[text] = _turn("low_confidence")
    _, dispatcher = run_action(ActionOutOfScope(api), build_tracker(text, "out_of_scope"))
    assert [m["response"] for m in dispatcher.messages] == ["utter_procedure_not_found"]
