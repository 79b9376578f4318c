from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from knowledge.importer.portal_parser import RAW_FIELDS, RecordParseError, parse_record
from knowledge.importer.text_cleanup import clean_field, one_line
from knowledge.schemas import ChannelKind, ProcedureData

SOURCE_FIELDS = [
    "ma_thu_tuc",
    "ten_thu_tuc",
    "detail_url",
    "cap_thuc_hien",
    "linh_vuc",
    "loai_thu_tuc",
    "so_quyet_dinh",
    "doi_tuong_thuc_hien",
    "co_quan_co_tham_quyen",
    "co_quan_thuc_hien",
    "co_quan_duoc_uy_quyen",
    "co_quan_phoi_hop",
    "dia_chi_tiep_nhan",
    "yeu_cau_dieu_kien",
    "thu_tuc_lien_quan",
    "trinh_tu_thuc_hien",
    "cach_thuc_thuc_hien",
    "thanh_phan_ho_so",
    "can_cu_phap_ly",
    "ket_qua_xu_ly",
    "raw_text",
    "_bo_nganh",
]

# Pieces of real portal text, so that generated fields reach deep into the table parsers.
PORTAL_PIECES = st.sampled_from(
    [
        "Hình thức nộpThời gianPhí, lệ phíMô tả",
        "Trực tuyến",
        "Dịch vụ bưu chính",
        "Trực tiếp",
        "1",
        "7 Ngày làm việc",
        "Miễn phí",
        "Không có thông tin",
        "10,000 Việt Nam Đồng",
        "120 VNĐ",
        "(",
        ")",
        "Tên giấy tờMẫu đơn, tờ khaiSố lượng",
        "1 bản chính",
        "0 bản chính,1 bản sao",
        "Mẫu số 01.docx",
        "Tên văn bản pháp lýMã văn bản",
        "54/2014/QH13",
        "66.7/2025/NQ-CP",
        "Mã: KQ.G01.000064",
        "Chọn cơ quan thực hiện",
        "Bước 1:",
        "\n",
        "tâm Phục vụ",
    ]
)
PORTAL_TEXT = st.one_of(st.text(max_size=80), st.lists(PORTAL_PIECES, max_size=12).map("".join))


def test_birth_registration_record(load_record: Callable[[str], dict[str, Any]]) -> None:
    record = load_record("birth_registration_garbled_steps")

    procedure = parse_record(record)

    assert isinstance(procedure, ProcedureData)
    assert procedure.code == "1.001193"
    assert procedure.levels == ["Cấp xã"]
    assert procedure.ministry == record["_bo_nganh"]
    assert procedure.source_url == record["detail_url"]
    assert [channel.kind for channel in procedure.channels] == [
        ChannelKind.ONLINE,
        ChannelKind.POST,
        ChannelKind.IN_PERSON,
    ]
    assert procedure.result == "Giấy khai sinh"
    assert procedure.related_procedures == ""
    # The table's bare "1" is the text's "trả kết quả … trong ngày làm việc tiếp theo": no longer in doubt.
    assert all((c.time_value, c.time_unit) == (1, "working_days") for c in procedure.channels)
    assert set(procedure.review_flags) == {"steps"}
    assert procedure.raw["trinh_tu_thuc_hien"] == record["trinh_tu_thuc_hien"]
    assert procedure.raw["raw_text"] == record["raw_text"]


def test_two_levels_and_every_raw_field_kept(load_record: Callable[[str], dict[str, Any]]) -> None:
    record = load_record("free_unit_lost_two_levels")

    procedure = parse_record(record)

    assert procedure.levels == ["Cấp tỉnh", "Cấp xã"]
    assert set(procedure.raw) == {key for key in RAW_FIELDS if key in record}
    assert all(procedure.raw[key] == record[key] for key in procedure.raw)
    assert "documents" in procedure.review_flags


def test_clean_record_has_no_flags(load_record: Callable[[str], dict[str, Any]]) -> None:
    procedure = parse_record(load_record("fee_with_note"))

    assert procedure.review_flags == {}
    assert procedure.channels[0].fee_vnd == 70000
    assert procedure.documents[0].form_template == "Mauon (2).docx"
    assert procedure.conditions == ""


@pytest.mark.parametrize(
    ("record", "code"),
    [
        ({}, "?"),
        ({"ma_thu_tuc": "", "ten_thu_tuc": "Đăng ký khai sinh"}, "?"),
        ({"ma_thu_tuc": "abc", "ten_thu_tuc": "Đăng ký khai sinh"}, "abc"),
        ({"ma_thu_tuc": "1.001193", "ten_thu_tuc": "Không có thông tin"}, "1.001193"),
        ({"ma_thu_tuc": "1.001193"}, "1.001193"),
    ],
)
def test_unusable_records_are_refused(record: dict[str, Any], code: str) -> None:
    with pytest.raises(RecordParseError) as caught:
        parse_record(record)

    assert caught.value.code == code
    assert caught.value.reason


def test_non_mapping_is_refused() -> None:
    with pytest.raises(RecordParseError):
        parse_record(["1.001193"])  # type: ignore[arg-type]


def test_non_text_values_are_converted_and_flagged() -> None:
    procedure = parse_record({"ma_thu_tuc": "1.001193", "ten_thu_tuc": "Đăng ký khai sinh", "linh_vuc": 12})

    assert procedure.field == "12"
    assert "raw" in procedure.review_flags


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(SOURCE_FIELDS), PORTAL_TEXT))
def test_never_raises_anything_but_record_parse_error(record: dict[str, str]) -> None:
    try:
        procedure = parse_record(record)
    except RecordParseError:
        return
    assert procedure.code == record["ma_thu_tuc"].strip()
    assert all(isinstance(reason, str) and reason for reason in procedure.review_flags.values())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(st.sampled_from(SOURCE_FIELDS[2:]), PORTAL_TEXT),
    st.from_regex(r"\A[1-3]\.0[0-9]{5}\Z"),
    # A name of only zero-width or control characters is no name: the parser refuses it like an empty one.
    st.text(min_size=1, max_size=40).filter(lambda name: clean_field(one_line(name)) != ""),
)
def test_any_record_with_code_and_name_imports(record: dict[str, str], code: str, name: str) -> None:
    procedure = parse_record({**record, "ma_thu_tuc": code, "ten_thu_tuc": name})

    assert procedure.code == code
    assert all(channel.fee_vnd is None or channel.fee_vnd >= 0 for channel in procedure.channels)
