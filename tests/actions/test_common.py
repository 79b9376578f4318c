"""Helpers of the procedure actions: follow-up detection, ordinals, query building, outcomes."""

from __future__ import annotations

import pytest

from actions.common import (
    SearchOutcome,
    choice_buttons,
    classify,
    fold,
    is_payload,
    names_a_procedure,
    ordinal_choice,
    search_query,
)
from actions.services import ProcedureHit, SearchResult
from tests.actions.conftest import hit, result


@pytest.mark.parametrize("text", [
    "lệ phí bao nhiêu", "le phi bn", "mất bao lâu", "nộp ở đâu vậy ạ", "cần giấy tờ gì", "hồ sơ gồm những gì",
    "làm online được không", "có mất tiền ko", "/ask_fee", '/ask_fee{"procedure_code":"1.001193"}',
])
def test_pure_follow_ups_name_no_procedure(text: str) -> None:
    assert not names_a_procedure(text, [])


@pytest.mark.parametrize("text", [
    "đăng ký kết hôn mất bao nhiêu tiền", "khai sinh nộp ở đâu", "lam ho chieu bao lau",
    "cấp lại thẻ căn cước ở đâu",
])
def test_follow_ups_naming_a_procedure(text: str) -> None:
    assert names_a_procedure(text, [])


@pytest.mark.parametrize("text", ["lệ phí bao nhiêu", "mất bao lâu", "nộp ở đâu vậy ạ", "có mất tiền ko"])
def test_a_first_question_of_follow_up_words_alone_names_no_procedure(text: str) -> None:
    assert not names_a_procedure(text, [], min_words=1)


def test_a_first_question_names_its_procedure_in_one_word() -> None:
    # Within a conversation one stray word is not a new procedure; as a first question it is the subject.
    assert not names_a_procedure("lam passport mat bao lau moi co", [])
    assert names_a_procedure("lam passport mat bao lau moi co", [], min_words=1)


def test_an_extracted_term_always_names_a_procedure() -> None:
    assert names_a_procedure("cccd bn tiền", ["thẻ căn cước"])


def test_fold_removes_diacritics_and_d_bar() -> None:
    assert fold("Đăng Ký Khai Sinh") == "dang ky khai sinh"
    assert fold("giê\u0301y") == fold("giếy")


def test_search_query_adds_only_new_formal_terms() -> None:
    assert search_query("làm sổ đỏ", ["giấy chứng nhận quyền sử dụng đất"]) == \
        "làm sổ đỏ giấy chứng nhận quyền sử dụng đất"
    assert search_query("dang ky khai sinh", ["khai sinh"]) == "dang ky khai sinh"


@pytest.mark.parametrize(("text", "expected"), [
    ("cái đầu tiên", "a"), ("số 2", "b"), ("cai thu hai", "b"), ("chọn cái thứ 3", "c"), ("cái cuối", "c"),
    ("thủ tục thứ ba", "c"),
])
def test_ordinal_choice(text: str, expected: str) -> None:
    assert ordinal_choice(text, ["a", "b", "c"]) == expected


def test_ordinal_beyond_the_offer_is_none() -> None:
    assert ordinal_choice("số 3", ["a", "b"]) is None
    assert ordinal_choice("cái thứ bốn", ["a", "b", "c", "d"]) == "d"
    assert ordinal_choice("số 1", []) is None


def test_is_payload() -> None:
    assert is_payload('/choose{"procedure_code":"1.001193"}')
    assert not is_payload("làm giấy khai sinh")


@pytest.mark.parametrize(("confidence", "outcome"), [
    (0.95, SearchOutcome.CONFIDENT), (0.6, SearchOutcome.CONFIDENT), (0.59, SearchOutcome.CHOICES),
    (0.25, SearchOutcome.CHOICES), (0.24, SearchOutcome.NOT_FOUND),
])
def test_classify_thresholds(confidence: float, outcome: SearchOutcome) -> None:
    assert classify(result(confidence, "1.001193")) is outcome


def test_classify_without_hits_is_not_found() -> None:
    assert classify(result(0.9)) is SearchOutcome.NOT_FOUND


def test_confident_best_hit_with_a_close_runner_up_asks_back() -> None:
    close = SearchResult(query="kết hôn", confidence=0.9, hits=(hit("1.000894", 0.9), hit("1.004746", 0.86)))
    clear = SearchResult(query="kết hôn", confidence=0.98, hits=(hit("1.000894", 0.98), hit("1.004746", 0.55)))
    assert classify(close) is SearchOutcome.CHOICES
    assert classify(clear) is SearchOutcome.CONFIDENT


def test_long_button_titles_are_cut_between_words() -> None:
    name = "Thủ tục đăng ký kết hôn có yếu tố nước ngoài tại khu vực biên giới giữa công dân Việt Nam"
    (button,) = choice_buttons([ProcedureHit(code="1.000094", name=name)])
    title = button["title"]
    assert len(title) <= 60 and title.endswith("…")
    assert f"1. {name}".startswith(title[:-1]) and f"1. {name}"[len(title) - 1] == " ", title
