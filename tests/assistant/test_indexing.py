from __future__ import annotations

from assistant.indexing import RESULT_CHARS, SUMMARY_CHARS, build_index_document
from tests.factories import procedure_data


def test_index_document_carries_the_searchable_fields() -> None:
    procedure = procedure_data(
        levels=["Cấp xã", " "], result="Giấy khai sinhMã: KQ.G12.000327Từ khóaKhông có"
    )
    doc = build_index_document(
        procedure, ["  làm giấy khai sinh ", "lam giay khai sinh", "làm giấy khai sinh", ""]
    )
    assert doc.code == "1.001193"
    assert doc.name == "Thủ tục đăng ký khai sinh"
    assert doc.field == "Hộ tịch" and doc.levels == ("Cấp xã",)
    assert doc.result == "Giấy khai sinh"
    assert doc.aliases == ("làm giấy khai sinh", "lam giay khai sinh")
    assert doc.summary.startswith("Công dân Việt Nam. Nộp hồ sơ tại Trung tâm")


def test_summary_and_result_stay_short_and_steps_lose_their_labels() -> None:
    long_step = "Bước 1: " + "Người yêu cầu nộp hồ sơ " * 40
    procedure = procedure_data(steps=[long_step, "Bước 2: Nhận kết quả"], result="Kết quả " * 60)
    doc = build_index_document(procedure, [])
    assert len(doc.summary) <= SUMMARY_CHARS + 1 and doc.summary.endswith("…")
    assert "Bước" not in doc.summary and "Nhận kết quả" not in doc.summary
    assert len(doc.result) <= RESULT_CHARS + 1


def test_text_changes_change_the_content_hash() -> None:
    base = build_index_document(procedure_data(), ["lấy vợ"])
    assert base.content_hash() == build_index_document(procedure_data(), ["lấy vợ"]).content_hash()
    assert base.content_hash() != build_index_document(procedure_data(), ["cưới vợ"]).content_hash()
    assert (
        base.content_hash() != build_index_document(procedure_data(name="Đăng ký khai tử"), []).content_hash()
    )
