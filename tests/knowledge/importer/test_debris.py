from __future__ import annotations

from knowledge.importer.debris import clean_result, has_debris, split_result

PICKER = (
    "Từ khóaKhông có thông tinMô tảKhông có thông tinChọn cơ "
    "quan thực hiệnTỉnh/ Thành phốBộ ngành-- Chọn Tỉnh/ "
    "Thành phố --Phường/ XãSở-- Chọn Phường/ Xã --Hệ thống chỉ "
    "hiển thị những cơ quan đã áp dụng dịch vụ công "
    "trực tuyếnNộp hồ sơ"
)


def test_result_codes_and_picker_are_removed() -> None:
    text = (
        "Thông báo về việc chi trả lương hưu, trợ cấp BHXHMã: "
        "KQ.G24.000024Thông báo về việc tiếp nhận hồ sơ chờ "
        "hưởng lương hưu/trợ cấp hàng thángMã: KQ.G24.000025" + PICKER
    )

    cleaned = clean_result(text)

    assert cleaned.split("\n") == [
        "Thông báo về việc chi trả lương hưu, trợ cấp BHXH",
        "Thông báo về việc tiếp nhận hồ sơ chờ hưởng lương hưu/trợ cấp hàng tháng",
    ]
    assert not has_debris(cleaned)
    assert has_debris(text)


def test_a_real_description_is_kept() -> None:
    names, description = split_result("Giấy phépMã: KQ.G19.000286Từ khóaKhông có thông tinMô tảBản giấy")

    assert names == ["Giấy phép"]
    assert description == "Bản giấy"
    assert clean_result(
        "Xác nhận thông quanMã: KQ.G12.000327Từ khóaKhông có thông tinMô tảKhông có thông tin"
    ) == ("Xác nhận thông quan")
