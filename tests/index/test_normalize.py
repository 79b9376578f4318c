from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from index.normalize import (
    FOLDED_PREFIX,
    document_terms,
    fold,
    has_diacritics,
    normalize,
    query_terms,
    syllables,
)

vietnamese_text = st.text(
    alphabet=st.sampled_from(
        list(
            "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợ"
            "ùúủũụừứửữựỳýỷỹỵĐĂÂÊÔƠƯ .,?!-0123456789"
        )
    ),
    max_size=60,
)


def test_fold_removes_tones_and_maps_d_bar() -> None:
    assert fold("đăng ký khai sinh") == "dang ky khai sinh"
    assert fold("giấy chứng nhận quyền sử dụng đất") == "giay chung nhan quyen su dung dat"


def test_normalize_composes_lowercases_and_drops_punctuation() -> None:
    decomposed = unicodedata.normalize("NFD", "Đăng Ký, KẾT HÔN?!")
    assert normalize(decomposed) == "đăng ký kết hôn"


def test_abbreviations_expand_with_or_without_accents() -> None:
    assert syllables("dk kết hôn") == ["đăng", "ký", "kết", "hôn"]
    assert syllables("đk kết hôn") == ["đăng", "ký", "kết", "hôn"]
    assert syllables("làm CCCD") == ["làm", "căn", "cước", "công", "dân"]
    assert syllables("the bhyt ko dc") == ["the", "bảo", "hiểm", "y", "tế", "không", "được"]
    assert syllables("gplx") == ["giấy", "phép", "lái", "xe"]


@pytest.mark.parametrize(("typed", "words"), [
    ("doi nguoi dai dien cty tnhh", "công ty trách nhiệm hữu hạn"), ("quyet toan thue tncn", "thu nhập cá nhân"),
    ("gia han cchn thu y", "chứng chỉ hành nghề"), ("dk mua noxh", "nhà ở xã hội"),
    ("nghiem thu pccc", "phòng cháy chữa cháy"), ("dkkd ho ca the", "đăng ký kinh doanh"),
])
def test_the_abbreviations_of_business_tax_and_licensing_expand(typed: str, words: str) -> None:
    assert words in " ".join(syllables(typed))


def test_document_terms_hold_accented_folded_and_bigram_forms() -> None:
    terms = document_terms("Khai sinh")
    assert {"khai", "sinh", "khai_sinh", f"{FOLDED_PREFIX}khai_sinh"} <= set(terms)
    assert f"{FOLDED_PREFIX}dang_ky" in document_terms("Đăng ký")


def test_unaccented_query_meets_accented_document_on_folded_terms() -> None:
    doc = set(document_terms("Thủ tục đăng ký khai sinh"))
    query = set(query_terms("dang ky khai sinh"))
    shared = doc & query
    assert f"{FOLDED_PREFIX}dang_ky" in shared and f"{FOLDED_PREFIX}khai_sinh" in shared
    assert "đăng" not in query


def test_accented_query_shares_more_terms_with_exact_spelling() -> None:
    query = set(query_terms("đổi thẻ"))
    exact = set(document_terms("Cấp đổi thẻ"))
    other_tone = set(document_terms("Cấp đối thẻ"))
    assert len(query & exact) > len(query & other_tone)


def test_query_filler_words_are_dropped() -> None:
    terms = query_terms("tôi muốn hỏi đăng ký kết hôn cần những gì")
    assert "tôi" not in terms and "những" not in terms and "gì" not in terms
    assert "kết_hôn" in terms


def test_has_diacritics() -> None:
    assert has_diacritics("sổ đỏ")
    assert not has_diacritics("so do")


def _fold_by_decomposition(text: str) -> str:
    stripped = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
    return unicodedata.normalize("NFC", stripped).replace("đ", "d").replace("Đ", "D")


@given(st.one_of(vietnamese_text, st.text(max_size=40)))
def test_fold_by_table_equals_fold_by_decomposition(text: str) -> None:
    assert fold(text) == _fold_by_decomposition(text)


@given(vietnamese_text)
def test_fold_is_idempotent_and_ascii_letters_only(text: str) -> None:
    folded = fold(normalize(text))
    assert fold(folded) == folded
    assert not has_diacritics(folded)
    assert all(ch.isascii() for ch in folded)


@given(vietnamese_text)
def test_normalize_is_idempotent_and_query_terms_fold_back(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once
    assert once == once.strip() and "  " not in once
    for term in query_terms(text):
        if term.startswith(FOLDED_PREFIX):
            assert not has_diacritics(term)


@given(vietnamese_text)
def test_every_accented_term_has_its_folded_twin(text: str) -> None:
    terms = set(document_terms(text))
    for term in terms:
        if not term.startswith(FOLDED_PREFIX):
            assert FOLDED_PREFIX + fold(term) in terms
