from __future__ import annotations

from index.levels import (
    CENTRAL,
    COMMUNE,
    PROVINCE,
    document_levels,
    preference,
    requested_level,
    variant_key,
)


def test_variants_of_one_procedure_share_a_key() -> None:
    assert variant_key("Cấp lại thẻ căn cước (thực hiện tại cấp tỉnh)") == variant_key("Cấp lại thẻ căn cước")
    assert variant_key("Thủ tục đăng ký khai sinh") == variant_key("Đăng ký khai sinh")
    assert variant_key("Cấp đổi thẻ căn cước") != variant_key("Cấp lại thẻ căn cước")
    assert variant_key("Phí (nếu có) phải nộp") != variant_key("Phí phải nộp")


def test_document_levels_read_name_remarks_first() -> None:
    assert document_levels("Cấp lại thẻ BHYT (thực hiện tại cấp trung ương)", ["Cấp tỉnh"]) == {CENTRAL}
    assert document_levels("Đăng ký thành lập hộ kinh doanh", ["Cấp bộ", "Cấp xã"]) == {CENTRAL, COMMUNE}


def test_requested_level_needs_an_explicit_mention() -> None:
    assert requested_level("xác nhận tình trạng hôn nhân") is None
    assert requested_level("làm căn cước ở tỉnh") == PROVINCE
    assert requested_level("lam can cuoc o tinh") == PROVINCE
    assert requested_level("cấp hộ chiếu tại trung ương") == CENTRAL
    assert requested_level("ra ủy ban xã làm") == COMMUNE


def test_preference_puts_the_commune_first_unless_asked() -> None:
    both = frozenset({COMMUNE, PROVINCE})
    province = frozenset({PROVINCE})
    assert preference(both, None) < preference(province, None)
    assert preference(province, PROVINCE) < preference(frozenset({COMMUNE}), PROVINCE)
