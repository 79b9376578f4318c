"""The procedure actions: events, messages and the calls they make, with a fake app."""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.procedures import ActionAnswerTopic, ActionChooseProcedure, ActionSearchProcedure
from actions.services import ProcedureNotFound, QueryRejected, ServiceError
from tests.actions.conftest import FakeServices, make_tracker, result, run

CODE_ENTITY = "procedure_code"


def texts(dispatcher: CollectingDispatcher) -> list[str]:
    return [m["text"] for m in dispatcher.messages]


def buttons(dispatcher: CollectingDispatcher) -> list[list[dict[str, Any]]]:
    return [m["buttons"] for m in dispatcher.messages]


def answered(code: str, name: str) -> list[SlotSet]:
    return [
        SlotSet("active_procedure", code),
        SlotSet("active_procedure_name", name),
        SlotSet("requested_topic", None),
        SlotSet("offered_procedures", None),
        SlotSet("answer_status", "answered"),
    ]


# --- action_search_procedure -------------------------------------------------------------------

def test_confident_search_sends_overview_then_documents(services: FakeServices) -> None:
    services.search_results["khai sinh"] = result(0.9, "1.001193", "1.000894")
    dispatcher = CollectingDispatcher()
    events = run(ActionSearchProcedure(services).run(
        dispatcher, make_tracker("lam giay khai sinh can gi", "ask_procedure"), {}))
    assert events == answered("1.001193", "Thủ tục đăng ký khai sinh")
    assert texts(dispatcher) == [
        "overview của Thủ tục đăng ký khai sinh (1)", "overview của Thủ tục đăng ký khai sinh (2)",
        "documents của Thủ tục đăng ký khai sinh (1)", "documents của Thủ tục đăng ký khai sinh (2)",
    ]
    assert buttons(dispatcher)[:3] == [[], [], []], "only the last bubble keeps buttons"
    assert buttons(dispatcher)[3][0]["payload"] == '/ask_fee{"procedure_code":"1.001193"}'
    assert ("search", "lam giay khai sinh can gi", "4") in services.calls
    procedure = {"code": "1.001193", "name": "Thủ tục đăng ký khai sinh"}
    assert [m["custom"] for m in dispatcher.messages] == [{"procedure": procedure}] * 4, "each bubble names it"


def test_colloquial_term_adds_its_formal_name_to_the_query(services: FakeServices) -> None:
    services.search_results["quyền sử dụng đất"] = result(0.8, "1.001193")
    tracker = make_tracker("làm sổ đỏ cần gì", "ask_procedure", entities=[
        {"entity": "procedure_term", "value": "giấy chứng nhận quyền sử dụng đất", "start": 4, "end": 9}])
    run(ActionSearchProcedure(services).run(CollectingDispatcher(), tracker, {}))
    assert services.calls[0] == ("search", "làm sổ đỏ cần gì giấy chứng nhận quyền sử dụng đất", "4")


def test_ambiguous_search_offers_top_hits_as_buttons(services: FakeServices) -> None:
    services.search_results["ket hon"] = result(0.45, "1.000894", "1.004746", "1.000094")
    dispatcher = CollectingDispatcher()
    events = run(ActionSearchProcedure(services).run(
        dispatcher, make_tracker("dk ket hon", "ask_procedure"), {}))
    assert events == [
        SlotSet("offered_procedures", ["1.000894", "1.004746", "1.000094"]),
        SlotSet("requested_topic", None),
        SlotSet("answer_status", "choices"),
    ]
    (message,) = dispatcher.messages
    assert message["text"].splitlines()[0] == "1. Thủ tục đăng ký kết hôn (Cấp xã)"
    assert [b["payload"] for b in message["buttons"]] == [
        '/choose{"procedure_code":"1.000894"}', '/choose{"procedure_code":"1.004746"}',
        '/choose{"procedure_code":"1.000094"}']
    assert all(len(b["title"]) <= 60 for b in message["buttons"])
    assert not [c for c in services.calls if c[0] == "answer"]


def test_unsure_search_offers_the_candidates_with_its_own_status(services: FakeServices) -> None:
    text = "mở xưởng đồ gỗ ở nhà cần đăng ký gì"
    services.default_search = result(0.45, "1.001193", "1.000894")
    services.unsure.add(text)
    dispatcher = CollectingDispatcher()
    events = run(ActionSearchProcedure(services).run(dispatcher, make_tracker(text, "ask_procedure"), {}))
    assert events == [
        SlotSet("offered_procedures", ["1.001193", "1.000894"]),
        SlotSet("requested_topic", None),
        SlotSet("answer_status", "unsure"),
    ]
    (message,) = dispatcher.messages
    assert [b["payload"] for b in message["buttons"]] == [
        '/choose{"procedure_code":"1.001193"}', '/choose{"procedure_code":"1.000894"}']


def test_unsure_topic_question_offers_the_candidates_and_remembers_the_topic(services: FakeServices) -> None:
    text = "mở xưởng đồ gỗ thì nộp hồ sơ ở đâu"
    services.default_search = result(0.45, "1.001193", "1.000894")
    services.unsure.add(text)
    events = run(ActionAnswerTopic(services).run(CollectingDispatcher(), make_tracker(text, "ask_where"), {}))
    assert events[-2:] == [SlotSet("requested_topic", "where"), SlotSet("answer_status", "unsure")]


def test_low_confidence_admits_nothing_found(services: FakeServices) -> None:
    services.default_search = result(0.1, "1.001193")
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("xin trợ cấp", "ask_procedure")
    events = run(ActionSearchProcedure(services).run(dispatcher, tracker, {}))
    assert events == [SlotSet("answer_status", "not_found")]
    assert dispatcher.messages == []


def test_rejected_query_counts_as_not_found(services: FakeServices) -> None:
    services.fail_search = QueryRejected("too long")
    events = run(ActionSearchProcedure(services).run(
        CollectingDispatcher(), make_tracker("x" * 600, "ask_procedure"), {}))
    assert events == [SlotSet("answer_status", "not_found")]


def test_search_api_down_reports_api_error_without_crashing(services: FakeServices) -> None:
    services.fail_search = ServiceError("timeout")
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("khai sinh", "ask_procedure")
    events = run(ActionSearchProcedure(services).run(dispatcher, tracker, {}))
    assert events == [SlotSet("answer_status", "api_error")]
    assert dispatcher.messages == []


def test_answer_api_down_after_confident_search_reports_api_error(services: FakeServices) -> None:
    services.search_results["khai sinh"] = result(0.9, "1.001193")
    services.fail_answer = ServiceError("HTTP 500")
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("khai sinh", "ask_procedure")
    events = run(ActionSearchProcedure(services).run(dispatcher, tracker, {}))
    assert events == [SlotSet("answer_status", "api_error")]
    assert dispatcher.messages == []


# --- action_answer_topic -----------------------------------------------------------------------

def test_follow_up_uses_the_active_procedure_without_searching(services: FakeServices) -> None:
    tracker = make_tracker("lệ phí bao nhiêu", "ask_fee", slots={"active_procedure": "1.001193"})
    dispatcher = CollectingDispatcher()
    events = run(ActionAnswerTopic(services).run(dispatcher, tracker, {}))
    assert events == answered("1.001193", "Thủ tục đăng ký khai sinh")
    assert services.calls == [("answer", "1.001193", "fee")]
    assert texts(dispatcher) == [
        "fee của Thủ tục đăng ký khai sinh (1)", "fee của Thủ tục đăng ký khai sinh (2)"]


def test_button_code_wins_over_the_active_procedure(services: FakeServices) -> None:
    tracker = make_tracker('/ask_time{"procedure_code":"1.000894"}', "ask_time",
                           entities=[{"entity": CODE_ENTITY, "value": "1.000894"}],
                           slots={"active_procedure": "1.001193"})
    events = run(ActionAnswerTopic(services).run(CollectingDispatcher(), tracker, {}))
    assert services.calls == [("answer", "1.000894", "time")]
    assert events == answered("1.000894", "Thủ tục đăng ký kết hôn")


def test_follow_up_naming_another_procedure_searches_first(services: FakeServices) -> None:
    services.search_results["kết hôn"] = result(0.85, "1.000894")
    tracker = make_tracker("đăng ký kết hôn mất bao nhiêu tiền", "ask_fee",
                           entities=[{"entity": "procedure_term", "value": "kết hôn"}],
                           slots={"active_procedure": "1.001193"})
    events = run(ActionAnswerTopic(services).run(CollectingDispatcher(), tracker, {}))
    assert [c[0] for c in services.calls] == ["search", "answer"]
    assert services.calls[1] == ("answer", "1.000894", "fee")
    assert events == answered("1.000894", "Thủ tục đăng ký kết hôn")


def test_follow_up_naming_something_unclear_keeps_the_active_procedure(services: FakeServices) -> None:
    services.default_search = result(0.1, "1.000894")
    tracker = make_tracker("giấy chứng sinh bị mất thì nộp ở đâu", "ask_where",
                           slots={"active_procedure": "1.001193"})
    events = run(ActionAnswerTopic(services).run(CollectingDispatcher(), tracker, {}))
    assert services.calls[-1] == ("answer", "1.001193", "where")
    assert events[-1] == SlotSet("answer_status", "answered")


def test_ambiguous_named_procedure_offers_choices_and_remembers_the_topic(services: FakeServices) -> None:
    services.search_results["ket hon"] = result(0.4, "1.000894", "1.004746")
    tracker = make_tracker("ket hon nop o dau", "ask_where",
                           entities=[{"entity": "procedure_term", "value": "kết hôn"}])
    dispatcher = CollectingDispatcher()
    events = run(ActionAnswerTopic(services).run(dispatcher, tracker, {}))
    assert events == [
        SlotSet("offered_procedures", ["1.000894", "1.004746"]),
        SlotSet("requested_topic", "where"),
        SlotSet("answer_status", "choices"),
    ]
    assert len(dispatcher.messages) == 1


def test_generic_follow_up_without_context_asks_which_procedure(services: FakeServices) -> None:
    services.default_search = result(0.4, "1.000894", "1.004746")
    events = run(ActionAnswerTopic(services).run(
        CollectingDispatcher(), make_tracker("lệ phí bao nhiêu", "ask_fee"), {}))
    assert events == [SlotSet("requested_topic", "fee"), SlotSet("answer_status", "needs_procedure")]


def test_follow_up_without_context_but_confident_search_answers(services: FakeServices) -> None:
    services.search_results["khai sinh"] = result(0.92, "1.001193")
    events = run(ActionAnswerTopic(services).run(
        CollectingDispatcher(), make_tracker("khai sinh lệ phí bao nhiêu", "ask_fee"), {}))
    assert services.calls[-1] == ("answer", "1.001193", "fee")
    assert events == answered("1.001193", "Thủ tục đăng ký khai sinh")


def test_first_question_naming_its_procedure_in_one_word_is_searched(services: FakeServices) -> None:
    services.search_results["passport"] = result(0.92, "1.001456")
    events = run(ActionAnswerTopic(services).run(
        CollectingDispatcher(), make_tracker("lam passport mat bao lau", "ask_time"), {}))
    assert services.calls[-1] == ("answer", "1.001456", "time")
    assert events[-1] == SlotSet("answer_status", "answered")


def test_one_stray_word_within_a_conversation_keeps_the_active_procedure(services: FakeServices) -> None:
    services.search_results["phuong"] = result(0.92, "1.004222")
    tracker = make_tracker("ở phường mất bao lâu", "ask_time", slots={"active_procedure": "1.001193"})
    run(ActionAnswerTopic(services).run(CollectingDispatcher(), tracker, {}))
    assert services.calls[-1] == ("answer", "1.001193", "time")


def test_unknown_active_code_clears_the_procedure(services: FakeServices) -> None:
    tracker = make_tracker("nộp ở đâu", "ask_where", slots={"active_procedure": "9.999999"})
    events = run(ActionAnswerTopic(services).run(CollectingDispatcher(), tracker, {}))
    assert events == [SlotSet("active_procedure", None), SlotSet("active_procedure_name", None),
                      SlotSet("answer_status", "unknown_code")]


def test_answer_api_error_is_reported(services: FakeServices) -> None:
    services.fail_answer = ServiceError("timeout")
    tracker = make_tracker("mất bao lâu", "ask_time", slots={"active_procedure": "1.001193"})
    dispatcher = CollectingDispatcher()
    events = run(ActionAnswerTopic(services).run(dispatcher, tracker, {}))
    assert events == [SlotSet("answer_status", "api_error")]
    assert dispatcher.messages == []


# --- action_choose_procedure -------------------------------------------------------------------

def test_choose_by_button_sends_overview_and_documents(services: FakeServices) -> None:
    tracker = make_tracker('/choose{"procedure_code":"1.000894"}', "choose",
                           entities=[{"entity": CODE_ENTITY, "value": "1.000894"}],
                           slots={"offered_procedures": ["1.000894", "1.004746"]})
    dispatcher = CollectingDispatcher()
    events = run(ActionChooseProcedure(services).run(dispatcher, tracker, {}))
    assert services.calls == [("answer", "1.000894", "overview"), ("answer", "1.000894", "documents")]
    assert events == answered("1.000894", "Thủ tục đăng ký kết hôn")
    assert len(dispatcher.messages) == 4


def test_choose_answers_the_topic_asked_before_the_choice(services: FakeServices) -> None:
    tracker = make_tracker('/choose{"procedure_code":"1.004746"}', "choose",
                           entities=[{"entity": CODE_ENTITY, "value": "1.004746"}],
                           slots={"requested_topic": "where"})
    run(ActionChooseProcedure(services).run(CollectingDispatcher(), tracker, {}))
    assert services.calls == [("answer", "1.004746", "overview"), ("answer", "1.004746", "where")]


def test_choose_by_ordinal_text(services: FakeServices) -> None:
    tracker = make_tracker("cái thứ hai", "choose", slots={"offered_procedures": ["1.000894", "1.004746"]})
    events = run(ActionChooseProcedure(services).run(CollectingDispatcher(), tracker, {}))
    assert services.calls[0] == ("answer", "1.004746", "overview")
    assert events[0] == SlotSet("active_procedure", "1.004746")


def test_choose_without_offer_asks_which_procedure(services: FakeServices) -> None:
    events = run(ActionChooseProcedure(services).run(
        CollectingDispatcher(), make_tracker("cái thứ hai", "choose"), {}))
    assert events == [SlotSet("answer_status", "needs_procedure")]
    assert services.calls == []


def test_choose_unknown_code(services: FakeServices) -> None:
    services.fail_answer = ProcedureNotFound("gone")
    tracker = make_tracker('/choose{"procedure_code":"1.000894"}', "choose",
                           entities=[{"entity": CODE_ENTITY, "value": "1.000894"}])
    events = run(ActionChooseProcedure(services).run(CollectingDispatcher(), tracker, {}))
    assert events[-1] == SlotSet("answer_status", "unknown_code")


def test_choose_api_error(services: FakeServices) -> None:
    services.fail_answer = ServiceError("refused")
    tracker = make_tracker('/choose{"procedure_code":"1.000894"}', "choose",
                           entities=[{"entity": CODE_ENTITY, "value": "1.000894"}])
    dispatcher = CollectingDispatcher()
    events = run(ActionChooseProcedure(services).run(dispatcher, tracker, {}))
    assert events == [SlotSet("answer_status", "api_error")]
    assert dispatcher.messages == []


def test_action_names_match_the_domain() -> None:
    assert ActionSearchProcedure().name() == "action_search_procedure"
    assert ActionAnswerTopic().name() == "action_answer_topic"
    assert ActionChooseProcedure().name() == "action_choose_procedure"


def test_action_server_registers_the_procedure_actions() -> None:
    from rasa_sdk.executor import ActionExecutor

    executor = ActionExecutor()
    executor.register_package("actions")
    assert {"action_search_procedure", "action_answer_topic", "action_choose_procedure"} <= set(executor.actions)


def test_search_turn_sends_the_dialogue_thresholds_channel_and_citizen_words(services: FakeServices) -> None:
    services.search_results["khai sinh"] = result(0.9, "1.001193")
    tracker = make_tracker("lam giay khai sinh", "ask_procedure")
    tracker.latest_message["metadata"] = {"channel": "zalo"}
    run(ActionSearchProcedure(services).run(CollectingDispatcher(), tracker, {}))
    (request,) = services.turns
    assert (request.confident, request.choices_min, request.ambiguity_margin) == (0.6, 0.25, 0.1)
    assert (request.channel, request.conversation_id, request.text) == ("zalo", "test-conversation",
                                                                         "lam giay khai sinh")
    assert request.topics == ("overview", "documents") and request.k == 4


def test_a_topic_question_the_app_calls_off_topic_gets_the_redirect_status(services: FakeServices) -> None:
    services.off_topic.add("giá vàng hôm nay bao nhiêu")
    dispatcher = CollectingDispatcher()
    events = run(ActionAnswerTopic(services).run(
        dispatcher, make_tracker("giá vàng hôm nay bao nhiêu", "ask_fee"), {}))
    assert events[-1] == SlotSet("answer_status", "off_topic")
    assert dispatcher.messages == []
    assert services.turns[0].topics == ("fee",) and services.turns[0].route == "procedure"
