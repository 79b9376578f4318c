from __future__ import annotations

import unicodedata

from knowledge.importer.text_cleanup import camel_join_positions, clean_field, is_no_information, normalize


def test_clean_field_turns_the_empty_marker_into_empty_text() -> None:
    assert clean_field("Không có thông tin") == ""
    assert clean_field("  Không có thông tin. ") == ""
    assert clean_field("Cấp xã ") == "Cấp xã"


def test_normalize_composes_and_collapses_spaces() -> None:
    decomposed = unicodedata.normalize("NFD", "Giấy  khai\u00a0sinh \n\n  bản sao")

    assert normalize(decomposed) == "Giấy khai sinh\nbản sao"


def test_camel_joins_include_vietnamese_capitals() -> None:
    assert camel_join_positions("xử lýBước 10") == [5]
    assert camel_join_positions("Trung tâm Phục vụ") == []
    assert is_no_information("") and not is_no_information("Không")
