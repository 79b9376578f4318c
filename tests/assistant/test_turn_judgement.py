"""How the search's confidence and the words' evidence decide a turn (answer, ask back, not found, off topic)."""

from __future__ import annotations

import pytest

from assistant.search_turn import Thresholds, distinct_procedures, judge_turn
from index.documents import SearchHit, SearchResult
from index.evidence import Evidence

THRESHOLDS = Thresholds(confident=0.6, choices_min=0.25, ambiguity_margin=0.1)


def result(confidence: float) -> SearchResult:
    hits = [SearchHit(code="1.000894", name="Thủ tục đăng ký kết hôn", levels=("Cấp xã",), field="Hộ tịch",
                      score=1.0, confidence=confidence),
            SearchHit(code="1.001193", name="Thủ tục đăng ký khai sinh", levels=("Cấp xã",), field="Hộ tịch",
                      score=0.5, confidence=confidence * 0.3)]
    return SearchResult(query="q", hits=hits)


ADMIN = Evidence(administrative=True, name_coverage=1.0, content_syllables=4, best_choice_coverage=1.0)


@pytest.mark.parametrize(("confidence", "outcome"), [(0.95, "answered"), (0.4, "ambiguous"), (0.1, "low_confidence")])
def test_administrative_words_leave_the_judgement_to_the_confidence(confidence: float, outcome: str) -> None:
    for route in ("procedure", "gate"):
        assert judge_turn(result(confidence), ADMIN, THRESHOLDS, route) == outcome  # type: ignore[arg-type]


def test_a_confident_hit_whose_name_shares_few_of_the_words_is_offered_not_answered() -> None:
    collision = Evidence(administrative=True, name_coverage=2 / 6, content_syllables=6, best_choice_coverage=1.0)
    assert judge_turn(result(0.95), collision, THRESHOLDS, "procedure") == "ambiguous"


def test_candidates_whose_names_hold_few_of_the_words_are_offered_only_as_unsure() -> None:
    unrelated = Evidence(administrative=True, name_coverage=0.2, content_syllables=5, best_choice_coverage=0.2)
    assert judge_turn(result(0.95), unrelated, THRESHOLDS, "procedure") == "unsure"
    assert judge_turn(result(0.4), unrelated, THRESHOLDS, "procedure") == "unsure"
    # A message the classifier did not take for a question, or one without administrative words, gets none.
    assert judge_turn(result(0.4), unrelated, THRESHOLDS, "gate") == "low_confidence"
    plain = Evidence(administrative=False, name_coverage=0.5, content_syllables=4, best_choice_coverage=0.3)
    assert judge_turn(result(0.4), plain, THRESHOLDS, "procedure") == "low_confidence"
    # Below the confidence floor nothing is offered, however administrative the words.
    assert judge_turn(result(0.1), unrelated, THRESHOLDS, "procedure") == "low_confidence"


def test_without_administrative_words_the_name_must_hold_the_message() -> None:
    small_talk = Evidence(administrative=False, name_coverage=0.5, content_syllables=4, best_choice_coverage=0.5)
    assert judge_turn(result(0.95), small_talk, THRESHOLDS, "gate") == "off_topic"
    assert judge_turn(result(0.95), small_talk, THRESHOLDS, "procedure") == "answered"
    unrelated = Evidence(administrative=False, name_coverage=0.25, content_syllables=4, best_choice_coverage=0.25)
    assert judge_turn(result(0.95), unrelated, THRESHOLDS, "procedure") == "off_topic"
    named = Evidence(administrative=False, name_coverage=0.8, content_syllables=5, best_choice_coverage=0.8)
    assert judge_turn(result(0.95), named, THRESHOLDS, "gate") == "answered"


def _hit(code: str, name: str, confidence: float) -> SearchHit:
    return SearchHit(code=code, name=name, levels=("Cấp xã",), field="Xuất nhập cảnh", score=confidence,
                     confidence=confidence)


LOST_PASSPORT = "Trình báo mất hộ chiếu phổ thông"  # a procedure the portal lists at three levels


def test_the_same_procedure_at_another_level_is_not_a_rival() -> None:
    variants = SearchResult(query="q", hits=[
        _hit("1.010386", f"{LOST_PASSPORT} (thực hiện tại cấp xã)", 0.9),
        _hit("1.001445", f"{LOST_PASSPORT} (thực hiện tại cấp tỉnh)", 0.88),
        _hit("1.001456", "Cấp hộ chiếu phổ thông ở trong nước (thực hiện tại cấp tỉnh)", 0.5),
    ])
    assert THRESHOLDS.judge(distinct_procedures(variants, 4)) == "answered"
    rivals = SearchResult(query="q", hits=[variants.hits[0], _hit("1.001456", "Cấp hộ chiếu phổ thông", 0.88)])
    assert THRESHOLDS.judge(distinct_procedures(rivals, 4)) == "ambiguous"
    only_variants = SearchResult(query="q", hits=variants.hits[:2])
    assert THRESHOLDS.judge(distinct_procedures(only_variants, 4)) == "answered"


def test_choices_hold_one_level_of_each_procedure_and_keep_the_number_asked_for() -> None:
    searched = SearchResult(query="q", hits=[
        _hit("1.010386", f"{LOST_PASSPORT} (thực hiện tại cấp xã)", 0.7),
        _hit("1.001445", f"{LOST_PASSPORT} (thực hiện tại cấp tỉnh)", 0.69),
        _hit("1.001456", "Cấp hộ chiếu phổ thông ở trong nước (thực hiện tại cấp tỉnh)", 0.6),
        _hit("1.010385", f"Thủ tục {LOST_PASSPORT} (thực hiện tại cấp huyện)", 0.5),
        _hit("1.014064", "Cấp lại thẻ căn cước", 0.4),
        _hit("1.014063", "Cấp đổi thẻ căn cước", 0.3),
    ])
    assert [h.code for h in distinct_procedures(searched, 3).hits] == ["1.010386", "1.001456", "1.014064"]
    assert [h.code for h in distinct_procedures(searched, 10).hits] == ["1.010386", "1.001456", "1.014064", "1.014063"]


def test_a_message_saying_the_whole_name_is_answered_and_offered_however_long() -> None:
    long_message = Evidence(administrative=True, name_coverage=0.33, content_syllables=12,
                            best_choice_coverage=0.33, best_named=True, any_named=True)
    assert judge_turn(result(0.95), long_message, THRESHOLDS, "procedure") == "answered"
    assert judge_turn(result(0.4), long_message, THRESHOLDS, "procedure") == "ambiguous"
    rival_named = Evidence(administrative=True, name_coverage=0.33, content_syllables=12,
                           best_choice_coverage=0.33, best_named=False, any_named=True)
    assert judge_turn(result(0.95), rival_named, THRESHOLDS, "procedure") == "ambiguous"


def test_a_sibling_the_question_does_not_ask_for_is_not_a_rival() -> None:
    """"Xóa đăng ký tạm trú" scores like "Đăng ký tạm trú"; the question that does not say "xóa" is answered."""
    plain = _hit("1.004194", "Đăng ký tạm trú", 0.9)
    delete = _hit("1.004206", "Xóa đăng ký tạm trú", 0.88)
    for question in ("dk tạm trú mất phí không", "dk tam tru mat phi ko"):
        assert THRESHOLDS.judge(SearchResult(query=question, hits=[plain, delete])) == "answered"
    # A question that says both acts, or neither of two distinct acts, is asked back.
    both = SearchResult(query="xóa đăng ký tạm trú hay đăng ký tạm trú", hits=[plain, delete])
    assert THRESHOLDS.judge(both) == "ambiguous"
    reissue = _hit("1.014064", "Cấp lại thẻ căn cước", 0.9)
    renew = _hit("1.014063", "Cấp đổi thẻ căn cước", 0.88)
    assert THRESHOLDS.judge(SearchResult(query="thẻ căn cước làm ở đâu", hits=[reissue, renew])) == "ambiguous"
    assert THRESHOLDS.judge(SearchResult(query="căn cước bị mất làm lại", hits=[reissue, renew])) == "answered"
