"""Vietnamese labels and sentences of the citizen-facing procedure answers.

Kept apart from the rendering logic so wording can be reviewed (and changed) by someone who reads
Vietnamese without touching the code. Sentences are short and plain: readers are on small phones,
often elderly, and the texts are read aloud by family members as often as read.
"""

from __future__ import annotations

from typing import Final

# Channel names, by `ChannelKind` value.
CHANNEL_LABELS: Final[dict[str, str]] = {
    "online": "Nộp trực tuyến",
    "post": "Gửi qua bưu chính",
    "in_person": "Nộp trực tiếp",
}

# Time units as the importer writes them in `SubmissionChannel.time_unit`.
TIME_UNITS: Final[dict[str, str]] = {
    "working_days": "ngày làm việc",
    "days": "ngày",
    "hours": "giờ",
    "working_hours": "giờ làm việc",
    "weeks": "tuần",
    "months": "tháng",
    "years": "năm",
}

# Follow-up buttons: topic -> title. Order is the order shown.
TOPIC_BUTTONS: Final[dict[str, str]] = {
    "documents": "Giấy tờ",
    "fee": "Lệ phí",
    "time": "Thời gian",
    "where": "Nộp ở đâu",
    "online": "Nộp online",
}

# Overview.
LEVEL_LINE: Final = "Cấp giải quyết: {levels}"
FIELD_LINE: Final = "Lĩnh vực: {field}"
APPLICANTS_LINE: Final = "Ai làm: {applicants}"
RESULT_LINE: Final = "Kết quả nhận được: {result}"
CHANNELS_LINE: Final = "Cách nộp: {channels}"
FEE_FREE_SHORT: Final = "Lệ phí: Miễn phí"
FEE_SHORT: Final = "Lệ phí: {fee}"
TIME_SHORT: Final = "Thời gian giải quyết: {time}"
OVERVIEW_ASK_MORE: Final = "Bạn muốn biết thêm gì? Chọn một mục bên dưới."
CHANNEL_SHORT_NAMES: Final[dict[str, str]] = {
    "online": "trực tuyến",
    "post": "qua bưu chính",
    "in_person": "trực tiếp",
}

# Documents.
DOCUMENTS_TITLE: Final = "Giấy tờ cần chuẩn bị cho {name}:"
DOCUMENTS_NONE: Final = (
    "Hiện chưa có danh sách giấy tờ cho thủ tục này. "
    "Bạn hỏi thêm cán bộ Trung tâm Phục vụ hành chính công nơi nộp hồ sơ nhé."
)
DOCUMENTS_MORE: Final = "... và {count} giấy tờ khác (bấm \"Xem đầy đủ\")."
DOCUMENTS_ONLY_CASES: Final = "Giấy tờ tùy từng trường hợp:"
DOCUMENTS_ONLY_NOTES: Final = (
    "Trang thủ tục không tách riêng giấy tờ phải mang. Bấm \"Xem đầy đủ\" để đọc nguyên văn."
)
DOCUMENTS_SPECIAL_LINE: Final = (
    "Có {count} giấy tờ chỉ cần trong trường hợp riêng ({examples}): bấm \"Trường hợp đặc biệt\"."
)
DOCUMENTS_DATA_LINE: Final = (
    "Giấy tờ đã có thông tin trên VNeID hoặc Cơ sở dữ liệu dân cư thì không cần nộp (cán bộ tự tra cứu)."
)
DOCUMENTS_SOURCE: Final = "Đầy đủ trên trang thủ tục: {url}"
DOCUMENTS_SPECIAL_TITLE: Final = "Giấy tờ cho trường hợp riêng khi làm {name}:"
DOCUMENTS_NO_SPECIAL: Final = "Thủ tục này không có giấy tờ riêng cho trường hợp đặc biệt."
DOCUMENTS_ALL_BRING: Final = "Giấy tờ cần mang:"
DOCUMENTS_ALL_CASES: Final = "Chỉ cần trong trường hợp riêng:"
DOCUMENTS_ALL_NOTES: Final = "Lưu ý trên trang thủ tục:"
DOCUMENT_PRESENT: Final = "mang bản chính để xuất trình"
DOCUMENT_CASE: Final = "Nếu {condition}: {paper}"
BUTTON_SPECIAL_CASES: Final = "Trường hợp đặc biệt"
BUTTON_ALL_DOCUMENTS: Final = "Xem đầy đủ"
DOCUMENT_ORIGINALS: Final = "{count} bản chính"
DOCUMENT_COPIES: Final = "{count} bản sao"
# The case a paper depends on, when the entry does not say it in its own words.
CONDITION_AUTHORISATION: Final = "khi nhờ người khác làm thay"
CONDITION_FOREIGN: Final = "giấy tờ do nước ngoài cấp"
CONDITION_IF_ANY: Final = "nếu có"

# Fee.
FEE_TITLE: Final = "Lệ phí của {name}:"
FEE_ALL_CHANNELS: Final = "{value} (áp dụng cho mọi cách nộp)."
FEE_FREE: Final = "Miễn phí"
FEE_FREE_WITH_NOTE: Final = "Miễn phí theo Cổng Dịch vụ công ({note})"
FEE_AMOUNT: Final = "{amount} đồng"
FEE_UNKNOWN: Final = "chưa có thông tin"
FEE_NONE: Final = (
    "Hiện chưa có thông tin lệ phí cho thủ tục này. "
    "Bạn hỏi thêm cán bộ nơi nộp hồ sơ nhé."
)

# Time.
TIME_TITLE: Final = "Thời gian giải quyết {name}:"
TIME_ALL_CHANNELS: Final = "{value} (áp dụng cho mọi cách nộp)."
TIME_UNKNOWN: Final = "chưa có thông tin"
TIME_TEXT_DIFFERS: Final = (
    "{statement} (theo nội dung thủ tục; bảng thời gian chỉ ghi số {value}, không ghi đơn vị)"
)
TIME_NO_UNIT: Final = "nguồn chỉ ghi số {value}, không ghi đơn vị (ngày hay giờ); bạn hỏi lại nơi nộp hồ sơ"
TIME_FROM_TEXT: Final = "{statement} (theo nội dung thủ tục)"
TIME_NONE: Final = (
    "Hiện chưa có thông tin thời gian giải quyết cho thủ tục này. "
    "Bạn hỏi thêm cán bộ nơi nộp hồ sơ nhé."
)
TIME_NOTE: Final = "Thời gian tính từ khi nhận đủ hồ sơ hợp lệ."

# Where.
WHERE_TITLE: Final = "Nơi nộp hồ sơ {name}:"
WHERE_COMMUNE: Final = (
    "Trung tâm Phục vụ hành chính công cấp xã (xã, phường, đặc khu) nơi bạn cư trú."
)
WHERE_PROVINCE: Final = "Trung tâm Phục vụ hành chính công cấp tỉnh."
WHERE_OTHER_LEVEL: Final = "Cơ quan có thẩm quyền ({level})."
WHERE_ADDRESS: Final = "Địa chỉ tiếp nhận: {address}"
WHERE_AGENCY: Final = "Cơ quan giải quyết: {agency}"
WHERE_POST: Final = "Bạn cũng có thể gửi hồ sơ qua bưu chính."
WHERE_ONLINE: Final = "Hoặc nộp trực tuyến, không cần đến nơi (bấm \"Nộp online\" để xem cách làm)."
WHERE_UNKNOWN: Final = (
    "Hiện chưa có thông tin nơi nộp cho thủ tục này. "
    "Bạn hỏi Trung tâm Phục vụ hành chính công xã, phường nơi bạn ở nhé."
)
COMMUNE_LEVEL: Final = "Cấp xã"
PROVINCE_LEVEL: Final = "Cấp tỉnh"

# Online.
ONLINE_TITLE: Final = "Nộp trực tuyến {name}:"
ONLINE_STEPS: Final[tuple[str, ...]] = (
    "1. Vào Cổng Dịch vụ công quốc gia: https://dichvucong.gov.vn",
    "2. Đăng nhập bằng tài khoản định danh điện tử VNeID.",
    "3. Tìm tên thủ tục, điền tờ khai và đính kèm ảnh chụp giấy tờ.",
    "4. Theo dõi hồ sơ ở mục \"Tra cứu hồ sơ\" bằng mã hồ sơ được cấp.",
)
ONLINE_VNEID: Final = "Một số thủ tục cũng làm được ngay trên ứng dụng VNeID (mục Thủ tục hành chính)."
ONLINE_CHANNEL_DETAIL: Final = "Khi nộp trực tuyến: thời gian {time}; lệ phí {fee}."
ONLINE_SOURCE: Final = "Trang thủ tục: {url}"
ONLINE_NOT_AVAILABLE: Final = (
    "Theo dữ liệu hiện có, thủ tục này chưa nộp trực tuyến được. "
    "Bạn nộp trực tiếp hoặc qua bưu chính (bấm \"Nộp ở đâu\" để xem nơi nộp)."
)

# Legal basis.
LEGAL_TITLE: Final = "Căn cứ pháp lý của {name}:"
LEGAL_MORE: Final = "... và {count} văn bản khác."
LEGAL_NONE: Final = "Hiện chưa có thông tin căn cứ pháp lý cho thủ tục này."

# Shared.
NEEDS_REVIEW_NOTE: Final = (
    "Lưu ý: thông tin này đang được cán bộ rà soát lại. "
    "Bạn nên hỏi lại nơi nộp hồ sơ trước khi đi."
)
# One short caution under an answer whose field is still in doubt, by topic.
REVIEW_CAUTIONS: Final[dict[str, str]] = {
    "documents": "Lưu ý: danh sách này còn chỗ chưa rõ, bạn đối chiếu trang thủ tục trước khi đi.",
    "fee": "Lưu ý: mức phí này chưa chắc chắn, bạn hỏi lại nơi nộp hồ sơ.",
    "time": "Lưu ý: thời gian này chưa chắc chắn, bạn hỏi lại nơi nộp hồ sơ.",
    "online": "Lưu ý: thời gian hoặc lệ phí chưa chắc chắn, bạn hỏi lại nơi nộp hồ sơ.",
}
ELLIPSIS: Final = "…"
LIST_BULLET: Final = "- "
THIS_PROCEDURE: Final = "thủ tục này"
