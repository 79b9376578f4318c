"""Whether the words of a message are administrative, and how much of them a procedure's name holds."""

from __future__ import annotations

import pytest

from index.evidence import content_syllables, gather, is_administrative, name_coverage


@pytest.mark.parametrize("text", [
    "cấp giấy phép xây dựng nhà ở riêng lẻ", "dk tam tru can giay to gi", "lấy vợ cần gì",
    "làm sổ đỏ", "xin cấp lại căn cước bị mất", "thu tuc dang ky ho kinh doanh", "giay to lam ho chieu",
])
def test_administrative_words_directly_or_through_their_official_wording(text: str) -> None:
    assert is_administrative(text)


@pytest.mark.parametrize("text", [
    "kết quả bóng đá", "giá vàng hôm nay", "mua giày ở đâu rẻ", "cách nấu phở bò", "xin công thức làm bánh",
    "thời tiết hà nội ngày mai", "ket qua xo so mien bac",
])
def test_everyday_talk_is_not_administrative(text: str) -> None:
    assert not is_administrative(text)


def test_accents_typed_must_match_but_unaccented_words_may_be_either() -> None:
    assert not is_administrative("giày dép")  # shoes, not papers
    assert is_administrative("giay to")  # typed without accents: papers is a fair reading


def test_a_missing_stroke_or_an_i_for_y_still_says_the_administrative_act() -> None:
    assert is_administrative("dăng ký khai sin cho con")
    assert is_administrative("xin li lịch tư pháp online")
    assert not is_administrative("mẹo giải rubik nhanh")  # "giai" is not "giay" however "y" is read


def test_filler_typed_with_accents_must_be_spelled_as_filler() -> None:
    assert content_syllables("cấp thẻ nhà báo thế nào") == ["cap", "the", "nha", "bao"]
    assert content_syllables("cap the nha bao the nao") == ["cap"]  # typed bare, each may be filler


def test_coverage_counts_the_messages_own_content_words() -> None:
    assert content_syllables("cho hỏi đăng ký tạm trú cần những gì ạ") == ["dang", "ky", "tam", "tru"]
    coverage, count = name_coverage("dk tam tru can giay to gi", ["Thủ tục đăng ký kết hôn"])
    assert count == 6 and coverage == pytest.approx(2 / 6)
    assert name_coverage("đăng ký tạm trú", ["Thủ tục đăng ký tạm trú"])[0] == 1.0


def test_colloquial_words_are_covered_through_their_official_wording() -> None:
    name = "Đăng ký đất đai, tài sản gắn liền với đất lần đầu; cấp giấy chứng nhận quyền sử dụng đất"
    assert gather("làm sổ đỏ", [[name]]).name_coverage > 0.5
    assert name_coverage("làm sổ đỏ", [name])[0] < 0.5, "the words alone do not say it"


def test_nothing_to_cover_without_content_words() -> None:
    evidence = gather("cho hỏi với ạ", [["Thủ tục đăng ký khai sinh"]])
    assert evidence.content_syllables == 0 and evidence.name_coverage == 0.0


def test_the_best_candidate_coverage_is_kept_for_choices() -> None:
    evidence = gather("đăng ký tạm trú", [["Thủ tục đăng ký kết hôn"], ["Đăng ký tạm trú", "dk tạm trú"]])
    assert evidence.name_coverage == 0.5 and evidence.best_choice_coverage == 1.0


def test_a_colloquial_verb_alone_does_not_make_a_message_administrative() -> None:
    assert not is_administrative("quen mat khau facebook lay lai the nao")  # "mat" folds like "mất" (lost)
    assert is_administrative("mất căn cước làm lại ở đâu")


def test_in_a_message_typed_with_accents_the_accents_must_match() -> None:
    name = ["Cấp thẻ căn cước cho công dân Việt Nam dưới 14 tuổi"]
    assert gather("tử vi tuổi Dần năm 2027", [name]).name_coverage == pytest.approx(1 / 5)  # only "tuổi"
    assert gather("tu vi tuoi dan nam 2027", [name]).name_coverage == pytest.approx(3 / 5)  # may be either
    assert gather("thẻ căn cước dưới 14 tuổi", [name]).name_coverage == 1.0


def test_an_official_wording_counts_with_its_own_accents_for_a_message_typed_without() -> None:
    name = ["Cấp giấy chứng nhận quyền sử dụng đất lần đầu"]
    assert gather("lam so do lan dau", [name]).name_coverage > 0.5


@pytest.mark.parametrize("text", [
    "nộp đơn khởi kiện qua mạng", "tòa xử thắng rồi làm đơn yêu cầu thi hành án", "nghiem thu pccc cho nha xuong",
    "dkkd ho ca the het bao nhieu tien", "giay xn tthn het han",
])
def test_requests_to_courts_and_agencies_and_their_abbreviations_are_administrative(text: str) -> None:
    assert is_administrative(text)


@pytest.mark.parametrize("text", [
    "nhà bị lũ cuốn trôi muốn xin hỗ trợ ở đâu", "muon lap quy hoc bong cho hoc sinh ngheo",
    "công bố sản phẩm nước mắm nhà làm",
])
def test_asking_the_state_for_help_or_declaring_a_product_is_administrative(text: str) -> None:
    assert is_administrative(text)


def test_an_order_is_not_a_petition() -> None:
    assert not is_administrative("đơn hàng Giao Hàng Nhanh của tôi đến đâu rồi")


def test_a_long_message_that_says_the_whole_name_names_that_procedure() -> None:
    text = "be sinh o benh vien tinh khac thi dang ky khai sinh o dau, que hay noi sinh"
    evidence = gather(text, [["Thủ tục đăng ký khai sinh"], ["Thủ tục đăng ký kết hôn"]])
    assert evidence.name_coverage < 0.5  # the name is a small part of what the message says
    assert evidence.best_named and evidence.any_named


def test_a_name_said_in_full_by_two_candidates_names_neither_first() -> None:
    evidence = gather("đăng ký lại khai sinh", [["Thủ tục đăng ký khai sinh"], ["Thủ tục đăng ký lại khai sinh"]])
    assert not evidence.best_named and evidence.any_named


def test_a_short_name_said_in_passing_names_nothing() -> None:
    evidence = gather("tách thửa đất của hộ gia đình", [["Tách hộ"]])  # two distinctive syllables only
    assert not evidence.best_named and not evidence.any_named
