"""Yes and no replies: a question the classifier read as a "no" is still answered."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.replies import ActionAffirm, ActionDeny
from actions.services import AnswerMessage, ProcedureAnswer, ProcedureHit, SearchResult, SearchTurn
from tests.actions.citizen_fakes import FakeCitizenApi, build_tracker


def run_action(action: Action, tracker: Tracker) -> tuple[list[Any], CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    return asyncio.run(action.run(dispatcher, tracker, {})), dispatcher


def answered(code: str) -> SearchTurn:
    hit = ProcedureHit(code=code, name="Thủ tục đăng ký kết hôn", confidence=0.9)
    answer = ProcedureAnswer(code=code, name=hit.name, messages=(AnswerMessage(text="Giấy tờ cần mang"),))
    return SearchTurn(result=SearchResult(query="q", confidence=0.9, hits=(hit,)), outcome="answered",
                      answers=(answer,))


@pytest.mark.parametrize(("action", "intent", "text", "response"), [
    (ActionDeny, "deny", "không cần đâu", "utter_deny"),
    (ActionDeny, "deny", "khong", "utter_deny"),
    (ActionAffirm, "affirm", "vâng ạ", "utter_affirm"),
    (ActionAffirm, "affirm", "đúng rồi", "utter_affirm"),
])
def test_a_plain_yes_or_no_gets_the_short_reply_without_a_search(
        action: type[Action], intent: str, text: str, response: str) -> None:
    api = FakeCitizenApi()
    _, dispatcher = run_action(action(api), build_tracker(text, intent))
    assert [m["response"] for m in dispatcher.messages] == [response]
    assert api.calls == []  # nothing searched, nothing logged for the staff inbox


def test_a_question_read_as_a_no_is_answered() -> None:
    api = FakeCitizenApi()
    text = "dang ky ket hon co can kham suc khoe khong"
    api.turns[text] = answered("1.000894")
    events, dispatcher = run_action(ActionDeny(api), build_tracker(text, "deny"))
    assert api.calls == [("search_turn", text, "gate")]
    assert [m["text"] for m in dispatcher.messages] == ["Giấy tờ cần mang"]
    assert {"event": "slot", "name": "active_procedure", "value": "1.000894", "timestamp": None} in events


def test_a_long_no_that_is_not_administrative_keeps_the_short_reply() -> None:
    api = FakeCitizenApi()  # the app judges it off topic
    text = "không cần nữa, hôm nay trời mưa to quá"
    _, dispatcher = run_action(ActionDeny(api), build_tracker(text, "deny"))
    assert api.calls == [("search_turn", text, "gate")]
    assert [m["response"] for m in dispatcher.messages] == ["utter_deny"]
