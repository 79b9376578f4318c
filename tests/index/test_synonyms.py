from __future__ import annotations

import pytest

from index.synonyms import expand_query, expansions


@pytest.mark.parametrize(
    ("query", "official"),
    [
        ("làm sổ đỏ", "giấy chứng nhận quyền sử dụng đất"),
        ("lam so hong", "giấy chứng nhận quyền sử dụng đất"),
        ("lấy vợ ở quê", "đăng ký kết hôn"),
        ("photo cong chung", "chứng thực bản sao từ bản chính"),
        ("nhập hộ khẩu cho con", "đăng ký thường trú"),
        ("xin giấy độc thân", "xác nhận tình trạng hôn nhân"),
        ("bằng lái hết hạn", "giấy phép lái xe"),
        ("mat cccd", "thẻ căn cước"),
    ],
)
def test_colloquial_phrases_bring_the_official_wording(query: str, official: str) -> None:
    assert any(official in expansion for expansion in expansions(query))


def test_accented_syllables_must_match_their_own_accents() -> None:
    # "đời" (life) must not trigger the rule for "đổi" (exchange); unaccented "doi" may.
    assert "cấp đổi" not in expansions("người thân qua đời")
    assert "cấp đổi" in expansions("doi the")


def test_rules_match_whole_syllables_only() -> None:
    assert expansions("kinh doanh nông sản") == []


def test_expanded_query_keeps_the_citizens_words_first() -> None:
    expanded = expand_query("Làm SỔ ĐỎ!")
    assert expanded.startswith("làm sổ đỏ ")
    assert "quyền sử dụng đất" in expanded
