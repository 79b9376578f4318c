from __future__ import annotations

from collections.abc import Callable
from typing import Any

from knowledge.importer.document_table import HEADER, is_replaceable_by_data, parse_documents, split_templates


def test_groups_counts_and_prose_counts(load_record: Callable[[str], dict[str, Any]]) -> None:
    table = parse_documents(load_record("customs_glued_fee")["thanh_phan_ho_so"])

    groups = list(dict.fromkeys(document.group for document in table.documents))
    assert groups == [
        "1. Chứng từ phải nộp",
        "2. Hồ sơ hải quan đối với xuất khẩu xăng dầu, hóa chất, khí",
        "3. Hồ sơ hải quan đối với tái xuất xăng dầu, hóa chất, khí",
    ]
    first = table.documents[0]
    # "nộp 02 bản chính tờ khai" inside the name is prose, not the count cell.
    assert "nộp 02 bản chính tờ khai hàng hóa nhập khẩu" in first.name
    assert (first.original_count, first.copy_count) == (1, 0)
    invoice = next(document for document in table.documents if document.name.startswith("b) Hóa đơn"))
    assert invoice.name == "b) Hóa đơn thương mại: 01 bản chụp;"
    assert (invoice.original_count, invoice.copy_count) == (0, 1)
    assert len(table.documents) == 8 + 8 + 3
    assert table.problems == []


def test_submit_and_show_groups_and_data_replacement(load_record: Callable[[str], dict[str, Any]]) -> None:
    table = parse_documents(load_record("birth_registration_garbled_steps")["thanh_phan_ho_so"])

    groups = {document.group for document in table.documents}
    assert {"Giấy tờ phải nộp", "Giấy tờ phải xuất trình"} <= groups
    replaceable = [document for document in table.documents if document.replaceable_by_data]
    assert replaceable, "the record says data comes from the civil status database"
    assert all(
        "dữ liệu" in document.name.casefold() or "vneid" in document.name.casefold()
        for document in replaceable
    )
    assert not table.documents[0].replaceable_by_data


def test_form_templates_are_split_from_names(load_record: Callable[[str], dict[str, Any]]) -> None:
    table = parse_documents(load_record("form_templates")["thanh_phan_ho_so"])

    assert [(document.name, document.form_template) for document in table.documents] == [
        ("Dự án thành lập Cơ sở bảo tồn đa dạng sinh học", "Du án thanh lap CSBT.docx"),
        ("Đơn đề nghị cấp Giấy chứng nhận Cơ sở bảo tồn đa dạng sinh học", "Đơn đề nghi.CSBT.docx"),
    ]
    assert all(document.group == "" for document in table.documents)


def test_several_templates_and_template_like_start() -> None:
    name, templates, unsplit = split_templates(
        "Đề nghị hủy mã ngân hàng theo Phụ lục số 02.Phụ lục số 02.docxMẫu số 64.docx"
    )

    assert name == "Đề nghị hủy mã ngân hàng theo Phụ lục số 02."
    assert templates == ["Phụ lục số 02.docx", "Mẫu số 64.docx"]
    assert not unsplit


def test_year_digits_glued_to_the_count_go_back_to_the_name() -> None:
    text = (
        "--" + HEADER + "Văn bản đề nghị theo Mẫu số 01 Phụ lục II ban hành kèm theo "
        "Thông tư 81/2025/TT-BNNMT "
        "ngày 31/12/20251 bản chính,1 bản sao- Giấy tờ khác0 bản chính"
    )
    table = parse_documents(text)

    first, second = table.documents
    assert first.name.endswith("ngày 31/12/2025")
    assert (first.original_count, first.copy_count) == (1, 1)
    assert second.name == "Giấy tờ khác" and second.original_count == 0


def test_replaceable_needs_a_data_source_and_an_exemption() -> None:
    assert is_replaceable_by_data(
        "Trường hợp các thông tin cá nhân trong các giấy tờ này đã "
        "có trong Cơ sở dữ liệu quốc gia về dân cư, "
        "được hệ thống điền tự động thì không phải tải lên (theo hình thức trực tuyến)"
    )
    assert not is_replaceable_by_data("Bản đồ hiện trạng khu vực khai thác tận thu khoáng sản")
    assert not is_replaceable_by_data("Bản sao Giấy khai sinh không phải nộp lại khi đã nộp trước đó")


def test_missing_header_keeps_the_text_and_flags() -> None:
    table = parse_documents(") và nộp cho cơ quan BHXH nơi đang chi trả lương hưu, trợ cấp hàng tháng.")

    assert len(table.documents) == 1 and table.documents[0].original_count is None
    assert table.problems and "header missing" in table.problems[0]


def test_empty_fields() -> None:
    for text in ("", "--", "Không có thông tin"):
        table = parse_documents(text)
        assert table.documents == [] and table.problems == []
