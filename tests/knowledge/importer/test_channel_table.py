from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from knowledge.importer.channel_table import HEADER, parse_amount, parse_channels
from knowledge.importer.time_text import find_time_statements
from knowledge.schemas import ChannelKind


def test_free_rows_with_lost_unit_keep_the_number_and_are_flagged() -> None:
    table = parse_channels(HEADER + "Trực tuyến1Miễn phíDịch vụ bưu chính1Miễn phíTrực tiếp1Miễn phí")

    assert [channel.kind for channel in table.channels] == [
        ChannelKind.ONLINE,
        ChannelKind.POST,
        ChannelKind.IN_PERSON,
    ]
    for channel in table.channels:
        assert (channel.time_value, channel.time_unit, channel.time_text) == (1.0, None, "1")
        assert channel.free and channel.fee_vnd == 0 and channel.fee_text == "Miễn phí"
    assert len(table.problems) == 3 and all("unit lost" in problem for problem in table.problems)


def test_amount_with_matching_note_is_clear(load_record: Callable[[str], dict[str, Any]]) -> None:
    table = parse_channels(load_record("fee_with_note")["cach_thuc_thuc_hien"])

    assert len(table.channels) == 3
    online = table.channels[0]
    assert (online.time_value, online.time_unit) == (2.0, "working_days")
    assert online.fee_vnd == 70000 and not online.free
    assert online.fee_text == "70,000 VNĐ (70.000 đồng/Giấy chứng nhận)"
    assert table.problems == []


def test_glued_time_and_fee_digits_are_split_and_flagged(
    load_record: Callable[[str], dict[str, Any]],
) -> None:
    table = parse_channels(load_record("customs_glued_fee")["cach_thuc_thuc_hien"])

    (online,) = table.channels
    assert online.time_value == 1.0 and online.time_unit is None
    assert online.fee_vnd == 20000
    assert online.fee_text.startswith("20,000 VNĐ (Theo khoản 1 Điều 3")
    assert any("glued" in problem for problem in table.problems)


def test_glued_split_prefers_a_time_seen_in_another_row() -> None:
    text = (
        HEADER + "Trực tuyến1Miễn phí(Miễn lệ phí đăng ký doanh nghiệp đối với trường hợp đăng ký qua mạng "
        "điện tử, đăng ký thành lập trên cơ sở chuyển đổi từ hộ kinh doanh (Thông tư số 47/2019/TT-BTC).)"
        "Dịch vụ bưu chính125 VNĐTrực tiếp125 VNĐ"
    )
    table = parse_channels(text)

    online, post, in_person = table.channels
    assert online.free and online.fee_vnd == 0
    assert (post.time_value, post.fee_vnd) == (1.0, 25)
    assert (in_person.time_value, in_person.fee_vnd) == (1.0, 25)


def test_a_reduced_rate_for_a_period_keeps_the_cell_amount_and_its_note() -> None:
    text = (
        HEADER + "Trực tuyến15 Ngày làm việc800,000 Việt Nam Đồng(áp dụng mức phí 400.000 đồng/hồ sơ kể từ "
        "ngày 01/7/2025 đến hết ngày 31/12/2026 theo Thông tư số 64/2025/TT-BTC)"
    )
    table = parse_channels(text)

    (online,) = table.channels
    assert online.fee_vnd == 800_000 and not online.free
    assert "400.000 đồng/hồ sơ" in online.fee_text
    assert table.problems == []


def test_unexplained_extra_amounts_leave_the_fee_unknown() -> None:
    text = HEADER + "Trực tuyến15 Ngày làm việc40,000 Việt Nam Đồng(50.000đ/giấy thông hành)"
    table = parse_channels(text)

    (online,) = table.channels
    assert online.fee_vnd is None and not online.free
    assert any("several fee amounts" in problem for problem in table.problems)


def test_a_lost_unit_is_taken_from_the_procedure_text() -> None:
    text = HEADER + "Trực tuyến3Miễn phíTrực tiếp1Miễn phí"
    hints = find_time_statements(["Trong thời hạn 03 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ, cơ quan cấp."])

    table = parse_channels(text, hints)

    online, in_person = table.channels
    assert (online.time_value, online.time_unit) == (3, "working_days")
    assert in_person.time_unit is None
    (problem,) = table.problems
    assert problem.startswith("Trực tiếp: time unit lost ('1')") and "03 ngày làm việc" in problem


def test_text_time_and_description_are_kept(load_record: Callable[[str], dict[str, Any]]) -> None:
    table = parse_channels(load_record("text_time")["cach_thuc_thuc_hien"])

    assert len(table.channels) == 3
    for channel in table.channels:
        assert channel.time_text == "Không phải trả kết quả cho người nộp thuế"
        assert channel.time_value is None and channel.free
    assert table.channels[2].description.startswith("Nộp hồ sơ trực tiếp tại Trung tâm phục vụ")


@pytest.mark.parametrize(
    ("fixture", "value", "unit"),
    [("months", 6.0, "months"), ("hours", 1.0, "hours")],
)
def test_time_units(
    load_record: Callable[[str], dict[str, Any]], fixture: str, value: float, unit: str
) -> None:
    table = parse_channels(load_record(fixture)["cach_thuc_thuc_hien"])

    assert table.channels and all(
        (channel.time_value, channel.time_unit) == (value, unit) for channel in table.channels
    )


def test_usd_fee_is_kept_as_stated_and_free_with_fee_elsewhere_is_flagged(
    load_record: Callable[[str], dict[str, Any]],
) -> None:
    usd = parse_channels(load_record("months")["cach_thuc_thuc_hien"])
    elsewhere = parse_channels(load_record("hours")["cach_thuc_thuc_hien"])

    assert usd.channels[0].fee_vnd is None and usd.channels[0].fee_text.startswith("100 USD")
    assert not any("USD" in problem for problem in usd.problems)
    assert all(not channel.free and channel.fee_vnd is None for channel in elsewhere.channels)
    assert any("fee set elsewhere" in problem for problem in elsewhere.problems)


def test_a_fee_the_province_sets_is_not_free_and_not_in_doubt() -> None:
    text = (HEADER + "Trực tiếp5 Ngày làm việcMiễn phí(Mức lệ phí cụ thể do Hội đồng nhân dân tỉnh, thành phố "
            "trực thuộc Trung ương quyết định)")
    table = parse_channels(text)

    (channel,) = table.channels
    assert not channel.free and channel.fee_vnd is None
    assert "Hội đồng nhân dân tỉnh" in channel.fee_text
    assert table.problems == []


def test_fee_only_in_description_is_flagged(load_record: Callable[[str], dict[str, Any]]) -> None:
    table = parse_channels(load_record("fee_in_description")["cach_thuc_thuc_hien"])

    assert table.channels and all(channel.fee_vnd is None for channel in table.channels)
    assert all("Lệ phí : 20.000 Đồng" in channel.description for channel in table.channels)
    assert any("several amounts" in problem for problem in table.problems)


def test_channel_word_inside_a_description_does_not_open_a_row() -> None:
    text = (
        HEADER + "Trực tiếp20 Ngày làm việcKhông có thông tin- Trực tiếp: nộp hồ sơ trực tiếp tại "
        "Bộ phận Một cửa"
    )
    table = parse_channels(text)

    (only,) = table.channels
    assert only.kind is ChannelKind.IN_PERSON
    assert only.description == "- Trực tiếp: nộp hồ sơ trực tiếp tại Bộ phận Một cửa"
    assert only.fee_vnd is None and only.fee_text == ""


@pytest.mark.parametrize("text", ["", HEADER, "Không có thông tin"])
def test_empty_tables_give_no_channels(text: str) -> None:
    assert parse_channels(text).channels == []


@pytest.mark.parametrize(
    ("text", "value"), [("10,000", 10000), ("1.350.000", 1350000), ("25", 25), ("1,5a", None)]
)
def test_parse_amount(text: str, value: int | None) -> None:
    assert parse_amount(text) == value
