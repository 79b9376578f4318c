"""Rasa's REST answer: an action's procedure tag and a response's outcome tag reach the right bubble."""

from __future__ import annotations

from assistant.rasa_client import BotMessage, Button, merge_procedure_tags, outcome_of, parse_bot_message, procedure_of

TAG = {"procedure": {"code": "1.001193", "name": "Thủ tục đăng ký khai sinh"}}


def parsed(*items: dict[str, object]) -> list[BotMessage]:
    return merge_procedure_tags([m for item in items if (m := parse_bot_message(item)) is not None])


def test_a_procedure_tag_is_folded_into_the_bubble_before_it() -> None:
    messages = parsed({"text": "Tổng quan"}, {"custom": TAG}, {"text": "Giấy tờ", "buttons": [
        {"title": "Lệ phí", "payload": "/ask_fee"}]}, {"custom": TAG})
    assert [m.text for m in messages] == ["Tổng quan", "Giấy tờ"]
    assert [procedure_of(m) for m in messages] == [TAG["procedure"]] * 2
    assert messages[1].buttons == (Button(title="Lệ phí", payload="/ask_fee"),)


def test_an_outcome_tag_is_read_and_an_unknown_one_is_not() -> None:
    messages = parsed({"text": "Xin lỗi, tôi chỉ hỗ trợ…"}, {"custom": {"outcome": "out_of_scope"}},
                      {"text": "khác"}, {"custom": {"outcome": "drop tables"}})
    assert [outcome_of(m) for m in messages[:2]] == ["out_of_scope", None]
    assert messages[2].custom == {"outcome": "drop tables"}, "not a tag: kept as the custom message it is"


def test_a_tag_with_no_bubble_before_it_is_dropped_not_sent_empty() -> None:
    assert parsed({"custom": TAG}, {"text": "Chào bạn"}) == [BotMessage(text="Chào bạn")]


def test_a_malformed_procedure_tag_is_not_trusted() -> None:
    messages = parsed({"text": "a"}, {"custom": {"procedure": {"code": 7}}})
    assert procedure_of(messages[0]) is None
