from __future__ import annotations

from index.siblings import chosen_over, name_syllables, prefer_said, said_syllables


def _order(names: list[str], question: str) -> list[str]:
    positions = prefer_said(range(len(names)), names.__getitem__, said_syllables(question))
    return [names[p] for p in positions]


def test_plain_procedure_goes_ahead_of_an_unasked_act() -> None:
    names = ["Xóa đăng ký tạm trú", "Đăng ký tạm trú", "Gia hạn tạm trú"]
    assert _order(names, "đăng ký tạm trú mất phí không") == ["Đăng ký tạm trú", "Xóa đăng ký tạm trú",
                                                              "Gia hạn tạm trú"]


def test_an_asked_act_keeps_its_place_or_comes_first() -> None:
    names = ["Xóa đăng ký tạm trú", "Đăng ký tạm trú"]
    assert _order(names, "xóa đăng ký tạm trú cho người đã chuyển đi") == names
    names = ["Cấp giấy phép lái xe", "Cấp lại giấy phép lái xe"]
    assert _order(names, "mất bằng nên xin cấp lại giấy phép lái xe") == names[::-1]


def test_between_two_acts_the_one_said_comes_first() -> None:
    names = ["Cấp lại thẻ căn cước", "Cấp đổi thẻ căn cước"]
    assert _order(names, "thẻ căn cước hết hạn đổi ở đâu") == names[::-1]
    # Saying both, or neither, leaves the ranking's order.
    assert _order(names, "thẻ căn cước bị gãy đổi lại ở đâu") == names
    assert _order(names, "thẻ căn cước làm ở đâu") == names


def test_accents_decide_what_was_said() -> None:
    # "lái xe" does not ask for "lại"; the abbreviation "dk" says "đăng ký".
    names = ["Cấp lại giấy phép lái xe", "Đổi giấy phép lái xe", "Cấp giấy phép lái xe"]
    assert _order(names, "thi giấy phép lái xe máy ở đâu")[0] == "Cấp giấy phép lái xe"
    assert {"đăng", "ký"} <= said_syllables("dk tạm trú")


def test_without_accents_any_reading_of_a_syllable_counts_as_said() -> None:
    # "lai" may be "lại": a question typed bare keeps the ranking's order rather than guess.
    names = ["Cấp lại giấy phép lái xe", "Cấp giấy phép lái xe"]
    assert _order(names, "bang lai xe may mat thi lam lai") == names
    names = ["Xóa đăng ký tạm trú", "Đăng ký tạm trú"]
    assert _order(names, "dk tam tru mat phi ko") == names[::-1]


def test_level_remarks_prefix_and_grammar_do_not_make_a_sibling() -> None:
    assert name_syllables("Thủ tục đăng ký kết hôn") == name_syllables("Đăng ký kết hôn (cấp xã)")
    assert not chosen_over("Thủ tục đăng ký kết hôn", "Đăng ký kết hôn (cấp xã)", said_syllables("kết hôn"))
    names = ["Thủ tục đăng ký lại kết hôn", "Thủ tục đăng ký kết hôn"]
    assert _order(names, "đăng ký kết hôn mất bao nhiêu tiền") == names[::-1]


def test_a_longer_difference_is_another_procedure() -> None:
    names = ["Thủ tục đăng ký khai sinh kết hợp đăng ký nhận cha, mẹ, con", "Thủ tục đăng ký khai sinh"]
    assert _order(names, "khai sinh cho con có mất phí không") == names


def test_only_the_top_ranks_are_compared() -> None:
    names = ["Xóa đăng ký tạm trú", "a", "b", "c", "d", "Đăng ký tạm trú"]
    assert _order(names, "đăng ký tạm trú") == names


def test_chosen_over_is_never_mutual() -> None:
    said = said_syllables("gia hạn tạm trú")
    pairs = [("Gia hạn tạm trú", "Tạm trú"), ("Xóa đăng ký tạm trú", "Đăng ký tạm trú")]
    for first, second in pairs:
        assert not (chosen_over(first, second, said) and chosen_over(second, first, said))
    assert chosen_over("Gia hạn tạm trú", "Tạm trú", said)


def test_the_official_wording_of_a_colloquial_phrase_is_said_but_not_a_generic_verb() -> None:
    # "hộ khẩu" stands for "đăng ký thường trú": the citizen asked for the residence one.
    names = ["Xóa đăng ký", "Xóa đăng ký thường trú"]
    assert _order(names, "xóa hộ khẩu") == names[::-1]
    # "mất" stands for "cấp lại" when a paper is lost, and is also "it takes": it chooses no act.
    assert "lại" not in said_syllables("đăng ký kết hôn mất bao lâu")


def test_a_remark_naming_who_a_procedure_is_for_keeps_it_apart() -> None:
    business = ("Thông báo tạm ngừng kinh doanh, tiếp tục kinh doanh trước thời hạn đã thông báo "
                "(doanh nghiệp, chi nhánh, văn phòng đại diện, địa điểm kinh doanh)")
    household = "Tạm ngừng kinh doanh, tiếp tục kinh doanh trước thời hạn đã thông báo của hộ kinh doanh"
    assert not chosen_over(business, household, said_syllables("tạm ngừng kinh doanh"))
    assert name_syllables("Cấp lại thẻ căn cước (thực hiện tại cấp tỉnh)") == name_syllables("Cấp lại thẻ căn cước")
