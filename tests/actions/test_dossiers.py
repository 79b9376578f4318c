"""The dossier form's validation and the status action, against a fake app."""

from __future__ import annotations

import asyncio
import logging

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.dossiers import ActionCheckDossierStatus, ValidateDossierForm, verification_digits
from actions.services import ServiceError, ServiceRefused
from tests.actions.citizen_fakes import (
    CODE,
    MALFORMED_MESSAGE,
    NOT_FOUND_MESSAGE,
    SENDER,
    FakeCitizenApi,
    build_tracker,
)


@pytest.fixture
def api() -> FakeCitizenApi:
    return FakeCitizenApi()


def validate_code(api: FakeCitizenApi, value: object) -> tuple[dict[str, object], CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    result = asyncio.run(ValidateDossierForm(api).validate_dossier_code(
        value, dispatcher, build_tracker(str(value), "inform"), {}))
    return result, dispatcher


def test_code_typed_with_spaces_and_lower_case_is_normalised_by_the_app(api: FakeCitizenApi) -> None:
    result, dispatcher = validate_code(api, "000 00 15 h29-250714-0001")
    assert result == {"dossier_code": CODE}
    assert dispatcher.messages == []
    assert api.calls == [("parse", "000 00 15 h29-250714-0001")]


def test_code_found_twice_in_a_message_uses_the_first(api: FakeCitizenApi) -> None:
    result, _ = validate_code(api, [CODE, CODE.lower()])
    assert result == {"dossier_code": CODE}


def test_malformed_code_shows_the_apps_message_and_asks_again(api: FakeCitizenApi) -> None:
    result, dispatcher = validate_code(api, "12345")
    assert result == {"dossier_code": None}
    assert [m["text"] for m in dispatcher.messages] == [MALFORMED_MESSAGE]


def test_code_check_unavailable_keeps_the_compacted_code(api: FakeCitizenApi) -> None:
    api.fail = ServiceError("down")
    result, dispatcher = validate_code(api, "000.00.15.h29 - 250714 - 0001")
    assert result == {"dossier_code": "000.00.15.H29-250714-0001"}
    assert dispatcher.messages == []


@pytest.mark.parametrize(("typed", "digits"), [
    ("6789", "6789"), ("4 số cuối là 6789", "6789"), ("６７８９", "6789"), ("0912346789", "6789"),
    ("079301006789", "6789"), ("67", None), ("không nhớ", None), ("123456", None),
])
def test_verification_digits(typed: str, digits: str | None) -> None:
    assert verification_digits(typed) == digits


def test_invalid_verification_is_asked_again(api: FakeCitizenApi) -> None:
    dispatcher = CollectingDispatcher()
    result = asyncio.run(ValidateDossierForm(api).validate_dossier_verification(
        "không nhớ", dispatcher, build_tracker("không nhớ", "deny"), {}))
    assert result == {"dossier_verification": None}
    assert dispatcher.messages[0]["response"] == "utter_dossier_verification_invalid"


def run_status(api: FakeCitizenApi, slots: dict[str, object]) -> tuple[list[object], CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionCheckDossierStatus(api).run(dispatcher, build_tracker("6789", "inform", slots=slots),
                                                           {}))
    return events, dispatcher


def test_status_is_shown_then_notifications_offered_and_the_answer_forgotten(
    api: FakeCitizenApi, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    events, dispatcher = run_status(api, {"dossier_code": CODE, "dossier_verification": "6789",
                                          "dossier_purpose": "status"})
    assert events == [SlotSet("dossier_verification", None), SlotSet("dossier_purpose", None)]
    assert dispatcher.messages[0]["text"] == f"Hồ sơ {CODE}: đang xử lý."
    assert dispatcher.messages[1]["response"] == "utter_dossier_offer_subscription"
    assert api.calls == [("lookup", CODE, "6789", SENDER)]
    assert "6789" not in caplog.text


def test_unknown_code_or_wrong_answer_shows_the_apps_message_and_forgets_the_code(api: FakeCitizenApi) -> None:
    events, dispatcher = run_status(api, {"dossier_code": CODE, "dossier_verification": "0000"})
    assert events == [SlotSet("dossier_verification", None), SlotSet("dossier_purpose", None),
                      SlotSet("dossier_code", None)]
    assert [m["text"] for m in dispatcher.messages] == [NOT_FOUND_MESSAGE]


def test_rate_limited_lookup_keeps_the_code(api: FakeCitizenApi) -> None:
    api.refuse_lookup = ServiceRefused(429, "rate_limited", "Bạn đã thử quá nhiều lần, xin thử lại sau 10 phút.")
    events, dispatcher = run_status(api, {"dossier_code": CODE, "dossier_verification": "6789"})
    assert events == [SlotSet("dossier_verification", None), SlotSet("dossier_purpose", None)]
    assert [m["text"] for m in dispatcher.messages] == ["Bạn đã thử quá nhiều lần, xin thử lại sau 10 phút."]


def test_app_down_says_so_and_still_forgets_the_answer(api: FakeCitizenApi) -> None:
    api.fail = ServiceError("down")
    events, dispatcher = run_status(api, {"dossier_code": CODE, "dossier_verification": "6789"})
    assert SlotSet("dossier_verification", None) in events
    assert [m["response"] for m in dispatcher.messages] == ["utter_dossier_unavailable"]


def test_subscription_uses_the_channel_and_offers_nothing_more(api: FakeCitizenApi) -> None:
    events, dispatcher = run_status(api, {"dossier_code": CODE, "dossier_verification": "6789",
                                          "dossier_purpose": "subscribe"})
    assert api.calls == [("subscribe", CODE, "6789", SENDER, "telegram")]
    assert [m["text"] for m in dispatcher.messages] == ["Tôi sẽ nhắn cho bạn khi hồ sơ thay đổi."]
    assert events == [SlotSet("dossier_verification", None), SlotSet("dossier_purpose", None)]


def test_missing_answers_ask_for_the_code_without_calling_the_app(api: FakeCitizenApi) -> None:
    events, dispatcher = run_status(api, {"dossier_code": None, "dossier_verification": None})
    assert api.calls == []
    assert [m["response"] for m in dispatcher.messages] == ["utter_ask_dossier_code"]
    assert events == [SlotSet("dossier_verification", None), SlotSet("dossier_purpose", None)]


def test_a_masked_answer_read_back_from_the_tracker_store_is_asked_again_not_sent(api: FakeCitizenApi) -> None:
    events, dispatcher = run_status(api, {"dossier_code": CODE, "dossier_verification": "***"})
    assert api.calls == []
    assert [m["response"] for m in dispatcher.messages] == ["utter_ask_dossier_code"]
    assert events == [SlotSet("dossier_verification", None), SlotSet("dossier_purpose", None)]
