"""Every Vietnamese sentence the app itself says to a citizen (the dialogue's own texts live in nlu/domain)."""

from __future__ import annotations

ASSISTANT_UNAVAILABLE = (
    "Xin lỗi, hệ thống trả lời tự động đang tạm gián đoạn. Bạn vui lòng thử lại sau ít phút, "
    "hoặc gọi Trung tâm Phục vụ hành chính công của xã/phường để được hỗ trợ."
)
NO_REPLY = (
    "Xin lỗi, tôi chưa trả lời được câu này lúc này. Bạn vui lòng thử lại, hoặc gõ \"gặp cán bộ\" "
    "để được cán bộ hỗ trợ."
)
EMPTY_MESSAGE = "Bạn chưa nhập nội dung. Hãy gõ câu hỏi, ví dụ: \"làm giấy khai sinh cần gì\"."
MESSAGE_TOO_LONG = "Tin nhắn dài quá {limit} ký tự. Bạn vui lòng hỏi ngắn gọn hơn."
