"""Handover to a person, the fallback that gives up twice, and the question log."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.handover import ActionFallback, ActionHandover, ActionOutOfScope, drain_background
from actions.services import ServiceError
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
    assert api.calls == [("question", SENDER, "telegram", "abc xyz", "fallback", None, "1.001193")]


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
    assert api.calls == [("question", SENDER, "telegram", "giá vàng hôm nay", "out_of_scope", 0.97, None)]
