from __future__ import annotations

import pytest

from knowledge.importer.legal_table import HEADER, find_codes, parse_legal_basis


def test_title_ending_with_its_own_code() -> None:
    table = parse_legal_basis(
        HEADER + "Luật 54/2014/QH1354/2014/QH13Thông tư "
        "92/2015/TT-BTC92/2015/TT-BTCLuật 78/2006/QH1178/2006/QH11"
    )

    assert [(document.title, document.code) for document in table.documents] == [
        ("Luật 54/2014/QH13", "54/2014/QH13"),
        ("Thông tư 92/2015/TT-BTC", "92/2015/TT-BTC"),
        ("Luật 78/2006/QH11", "78/2006/QH11"),
    ]
    assert table.problems == []


def test_real_entries_with_decimal_codes_and_codes_glued_on_the_left() -> None:
    text = (
        HEADER + "Nghị quyết số 24/2026/NQ-CP ngày 29/4/2026 của Chính phủ "
        "cắt giảm, phân cấp, đơn giản hóa thủ "
        "tục hành chính, điều kiện kinh doanh lĩnh vực quốc phòng, "
        "nội vụ, tài chính, xây dựng, ngoại giao, tư "
        "pháp, ngân hàng.24/2026/NQ-CP Nghị quyết số 66.7/2025/NQ-CP "
        "của Chính phủ: Quy định cắt giảm, đơn giản "
        "hóa thủ tục hành chính dựa trên dữ liệu66.7/2025/NQ-CP\t "
        "Thông tư 34/2015/TT-NHNN34/2015/TT-NHNNThông "
        "tư sửa đổi, bổ sung một số quy định tại các văn bản quy "
        "phạm pháp luật trong lĩnh vực quản lý hoạt động "
        "cung ứng dịch vụ và sử dụng ngoại hối để thực thi phương án "
        "cắt giảm, đơn giản hóa thủ tục hành chính"
        "Thông tư số 75/2025/TT-NHNNNghị định "
        "89/2016/NĐ-CP89/2016/NĐ-CPVề việc khuyến khích Người Việt Nam ở "
        "nước ngoài chuyển tiền về nước.170/1999/QĐ-TTg"
    )
    table = parse_legal_basis(text)

    assert [document.code for document in table.documents] == [
        "24/2026/NQ-CP",
        "66.7/2025/NQ-CP",
        "34/2015/TT-NHNN",
        "75/2025/TT-NHNN",
        "89/2016/NĐ-CP",
        "170/1999/QĐ-TTg",
    ]
    assert table.documents[3].title.endswith("đơn giản hóa thủ tục hành chính")
    expected = "Về việc khuyến khích Người Việt Nam ở nước ngoài chuyển tiền về nước."
    assert table.documents[5].title == expected


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("85/2019/TT-BTCNghị định", ["85/2019/TT-BTC"]),
        ("163/QĐ-BTPThông tư", ["163/QĐ-BTP"]),
        ("năm 202548/2026/NĐ-CP", ["48/2026/NĐ-CP"]),
        ("Nghị quyết số 190/2025/QH15 của Quốc hội", ["190/2025/QH15"]),
        ("18/2026/NĐ-CPhướng dẫn", ["18/2026/NĐ-CP"]),
    ],
)
def test_find_codes(text: str, codes: list[str]) -> None:
    assert [code for _, _, code in find_codes(text)] == codes


def test_entry_without_code_is_kept_and_flagged() -> None:
    table = parse_legal_basis(HEADER + "Luật Hộ tịch")

    assert [(document.title, document.code) for document in table.documents] == [("Luật Hộ tịch", "")]
    assert table.problems


def test_no_information_gives_nothing() -> None:
    assert parse_legal_basis("Không có thông tin").documents == []
