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
PLEASE_TYPE = (
    "Xin lỗi, tôi chưa nghe được tin nhắn thoại, video hay nhãn dán. Bạn vui lòng gõ câu hỏi bằng chữ "
    "(có dấu hay không dấu đều được), hoặc chọn một câu hỏi mẫu bên dưới."
)
PLEASE_TYPE_IMAGE = (
    "Cảm ơn bạn đã gửi ảnh. Tôi chưa đọc được nội dung ảnh, bạn vui lòng gõ câu hỏi bằng chữ, "
    "hoặc chọn một câu hỏi mẫu bên dưới."
)
PLEASE_TYPE_LOCATION = (
    "Cảm ơn bạn đã gửi vị trí. Để tìm nơi nộp hồ sơ, bạn vui lòng gõ tên xã/phường và thủ tục cần làm, "
    "ví dụ: \"đăng ký khai sinh ở phường Dịch Vọng\"."
)
# Example questions offered as buttons when the citizen did not type; each is also the button's payload.
EXAMPLE_QUESTIONS = (
    "Làm giấy khai sinh cần giấy tờ gì?",
    "Đăng ký kết hôn cần giấy tờ gì?",
    "Đăng ký thường trú nộp ở đâu?",
)
MORE_CHOICES = "Lựa chọn khác:"
BUTTON_EXPIRED = "Nút này đã hết hạn. Bạn vui lòng gõ lại câu hỏi, hoặc chọn một câu hỏi mẫu bên dưới."
RATE_LIMITED = (
    "Bạn đã gửi nhiều tin nhắn liên tiếp. Bạn vui lòng chờ khoảng {minutes} phút rồi gửi lại câu hỏi."
)
DATABASE_UNAVAILABLE = (
    "Xin lỗi, hệ thống đang bận hoặc tạm gián đoạn. Bạn vui lòng thử lại sau ít phút, "
    "hoặc gọi Trung tâm Phục vụ hành chính công của xã/phường để được hỗ trợ."
)
# Said once when a citizen writes while a clerk holds the conversation; later messages get no bot reply.
CLERK_IS_ANSWERING = "Cán bộ đang trực tiếp hỗ trợ bạn. Bạn vui lòng chờ, câu trả lời sẽ hiện ở đây."
# Answers to "I want to talk to a person" (POST /api/handover). {when} is e.g. "07:30 thứ Hai, ngày 08/12".
HANDOVER_IN_HOURS = (
    "Tôi đã chuyển câu hỏi của bạn tới cán bộ Trung tâm Phục vụ hành chính công. Cán bộ sẽ trả lời bạn "
    "ngay tại đây trong ít phút, bạn vui lòng chờ."
)
HANDOVER_OUT_OF_HOURS = (
    "Hiện đã ngoài giờ làm việc. Câu hỏi của bạn đã được ghi lại, cán bộ sẽ trả lời bạn ngay tại đây "
    "từ {when}. Trong lúc chờ, bạn vẫn có thể hỏi tôi về thủ tục hành chính."
)
HANDOVER_OUT_OF_HOURS_UNKNOWN = (
    "Hiện đã ngoài giờ làm việc. Câu hỏi của bạn đã được ghi lại, cán bộ sẽ trả lời bạn ngay tại đây "
    "khi trung tâm mở cửa trở lại."
)
WEEKDAYS = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")
TODAY = "hôm nay"
TOMORROW = "ngày mai"
# `/api/chat` and the clerk-reply poll with an id this app did not issue (the widget gets a new one by itself).
CHAT_SESSION_REFUSED = (
    "This conversation id was not issued by this server: get one from POST /api/chat/session and send it as "
    "sender_id. / Mã cuộc trò chuyện này không do máy chủ cấp: hãy lấy mã mới từ POST /api/chat/session."
)
CHAT_FOREIGN_NAMESPACE = (
    "sender_id must not contain ':' — ids such as telegram:… or zalo:… belong to other channels; get an id "
    "from POST /api/chat/session."
)
