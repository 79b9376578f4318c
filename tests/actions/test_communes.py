"""The commune action: what it sends to the resolver and how it shows the answer."""

from __future__ import annotations

import asyncio

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.communes import ActionFindCommune, commune_payload
from actions.services import (
    AnswerMessage,
    ProcedureAnswer,
    ProcedureHit,
    QueryRejected,
    SearchResult,
    SearchTurn,
    ServiceError,
)
from tests.actions.citizen_fakes import FakeCitizenApi, build_tracker

QUESTION = "tôi ở xã Yên Thịnh, huyện Yên Mô cũ thì giờ nộp hồ sơ ở đâu?"


@pytest.fixture
def api() -> FakeCitizenApi:
    return FakeCitizenApi()


def run_action(api: FakeCitizenApi, text: str, **kwargs: object) -> tuple[list[object], CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    tracker = build_tracker(text, "find_commune", **kwargs)  # type: ignore[arg-type]
    return asyncio.run(ActionFindCommune(api).run(dispatcher, tracker, {})), dispatcher


def test_the_citizens_words_and_the_active_procedure_go_to_the_resolver(api: FakeCitizenApi) -> None:
    events, dispatcher = run_action(api, QUESTION, slots={"active_procedure": "1.001193"})
    assert events == []
    assert api.calls == [("resolve", QUESTION, "1.001193")]
    assert dispatcher.messages[0]["text"] == "Xã Yên Thịnh cũ nay thuộc xã Yên Mô."
    assert dispatcher.messages[0]["buttons"] == []


def test_without_a_procedure_none_is_sent(api: FakeCitizenApi) -> None:
    run_action(api, "xã Gia Sinh huyện Gia Viễn")
    assert api.calls == [("resolve", "xã Gia Sinh huyện Gia Viễn", None)]


def test_ambiguous_answer_offers_choices_that_resolve_the_full_address(api: FakeCitizenApi) -> None:
    api.commune_answer = {
        "status": "ambiguous", "text": "Có 2 nơi tên Yên Thịnh, bạn ở đâu?",
        "choices": [{"title": "Yên Thịnh (Ninh Bình)", "address": "xã Yên Thịnh, huyện Yên Mô, tỉnh Ninh Bình"},
                    {"title": "Yên Thịnh (Yên Bái)", "address": "xã Yên Thịnh, huyện Lục Yên, tỉnh Yên Bái"}],
    }
    _, dispatcher = run_action(api, "xã Yên Thịnh")
    buttons = dispatcher.messages[0]["buttons"]
    assert [b["title"] for b in buttons] == ["Yên Thịnh (Ninh Bình)", "Yên Thịnh (Yên Bái)"]
    assert buttons[0]["payload"] == '/find_commune{"address": "xã Yên Thịnh, huyện Yên Mô, tỉnh Ninh Bình"}'


def test_a_pressed_button_sends_its_address(api: FakeCitizenApi) -> None:
    address = "xã Yên Thịnh, huyện Lục Yên, tỉnh Yên Bái"
    run_action(api, commune_payload(address), entities=[{"entity": "address", "value": address}])
    assert api.calls == [("resolve", address, None)]


def test_a_bare_payload_asks_for_an_address(api: FakeCitizenApi) -> None:
    _, dispatcher = run_action(api, "/find_commune")
    assert api.calls == []
    assert dispatcher.messages[0]["response"] == "utter_ask_address"


@pytest.mark.parametrize(("error", "response"), [
    (QueryRejected("too long"), "utter_ask_address"), (ServiceError("down"), "utter_commune_unavailable")])
def test_refusals_and_failures_become_fixed_replies(api: FakeCitizenApi, error: Exception, response: str) -> None:
    api.fail = error
    _, dispatcher = run_action(api, QUESTION)
    assert [m["response"] for m in dispatcher.messages] == [response]


def _where_answer(code: str) -> SearchTurn:
    hit = ProcedureHit(code=code, name="Thủ tục đăng ký khai sinh", confidence=0.9)
    answer = ProcedureAnswer(code=code, name=hit.name, messages=(AnswerMessage(text="Nộp tại UBND cấp xã"),))
    return SearchTurn(result=SearchResult(query="q", confidence=0.9, hits=(hit,)), outcome="answered",
                      answers=(answer,))


def _ask_where(api: FakeCitizenApi, text: str) -> tuple[list[object], CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    tracker = build_tracker(text, "ask_where", entities=[{"entity": "admin_unit", "value": "phường"}])
    return asyncio.run(ActionFindCommune(api).run(dispatcher, tracker, {})), dispatcher


def test_a_procedure_question_whose_place_is_no_place_gets_the_procedure_answer(api: FakeCitizenApi) -> None:
    text = "đăng ký khai sinh cho con thứ 2 ở phường nộp ở đâu"
    api.commune_answer = {"status": "unknown", "text": "Mình không tìm thấy xã/phường.", "choices": []}
    api.turns[text] = _where_answer("1.001193")
    events, dispatcher = _ask_where(api, text)
    assert [m["text"] for m in dispatcher.messages] == ["Nộp tại UBND cấp xã"]
    assert api.calls == [("resolve", text, None), ("search_turn", text, "procedure")]
    assert {"event": "slot", "name": "active_procedure", "value": "1.001193", "timestamp": None} in events


def test_a_place_the_resolver_knows_keeps_the_commune_answer(api: FakeCitizenApi) -> None:
    text = "đăng ký khai sinh ở phường Bến Nghé nộp ở đâu"
    api.turns[text] = _where_answer("1.001193")
    _, dispatcher = _ask_where(api, text)
    assert [m["text"] for m in dispatcher.messages] == ["Xã Yên Thịnh cũ nay thuộc xã Yên Mô."]
    assert api.calls == [("resolve", text, None)]


def test_an_unknown_place_without_a_confident_procedure_keeps_the_resolvers_reply(api: FakeCitizenApi) -> None:
    api.commune_answer = {"status": "unknown", "text": "Mình không tìm thấy xã/phường.", "choices": []}
    _, dispatcher = _ask_where(api, "tôi ở phường Yên Thịnh cũ nộp ở đâu")  # the app judges it off topic
    assert [m["text"] for m in dispatcher.messages] == ["Mình không tìm thấy xã/phường."]
