"""Every Vietnamese text of the staff console, in plain words for service-center clerks."""

from __future__ import annotations

CONSOLE_TITLE = "Quản lý trợ lý thủ tục"

# Sign-in and permissions
LOGIN_TITLE = "Đăng nhập"
LOGIN_USERNAME = "Tên đăng nhập"
LOGIN_PASSWORD = "Mật khẩu"
LOGIN_BUTTON = "Đăng nhập"
LOGOUT_BUTTON = "Đăng xuất"
LOGIN_INVALID = "Tên đăng nhập hoặc mật khẩu không đúng."
LOGIN_LOCKED = "Tài khoản tạm khóa do nhập sai mật khẩu nhiều lần. Vui lòng thử lại sau {minutes} phút."
LOGIN_TOO_MANY = "Có quá nhiều lần đăng nhập sai từ máy này. Vui lòng thử lại sau {minutes} phút."
LOGIN_FORM_EXPIRED = "Trang đăng nhập đã hết hạn. Vui lòng nhập lại."
LOGGED_OUT = "Bạn đã đăng xuất."
NOT_SIGNED_IN = "Vui lòng đăng nhập để tiếp tục."
PUBLISHER_ONLY = "Chỉ người có quyền duyệt đăng mới làm được việc này."
CSRF_FAILED = "Biểu mẫu đã hết hạn hoặc không hợp lệ. Vui lòng tải lại trang rồi thử lại."
ROLE_LABELS = {"editor": "Biên tập", "publisher": "Duyệt đăng"}

# Accounts
USERNAME_INVALID = (
    "Tên đăng nhập gồm 3–64 ký tự: chữ thường không dấu, số, dấu chấm, gạch ngang hoặc gạch dưới."
)
ROLE_INVALID = "Vai trò phải là 'editor' (biên tập) hoặc 'publisher' (duyệt đăng)."
USERNAME_TAKEN = "Tên đăng nhập '{username}' đã có người dùng."
PASSWORD_TOO_SHORT = "Mật khẩu quá ngắn: cần ít nhất {n} ký tự."
PASSWORD_TOO_SIMPLE = "Mật khẩu quá đơn giản: cần ít nhất 5 ký tự khác nhau."
PASSWORD_TOO_COMMON = "Mật khẩu quá dễ đoán. Hãy dùng một câu dài hoặc trộn chữ, số và ký hiệu."
PASSWORD_CONTAINS_USERNAME = "Mật khẩu không được chứa tên đăng nhập."
USERS_TITLE = "Tài khoản cán bộ"
USER_DISPLAY_NAME = "Họ tên"
USER_ROLE = "Vai trò"
USER_STATUS = "Trạng thái"
USER_ACTIVE = "Đang dùng"
USER_INACTIVE = "Đã khóa"
USER_DISABLE = "Khóa"
USER_ENABLE = "Mở lại"
USER_NEW = "Tạo tài khoản mới"
USER_CREATE = "Tạo tài khoản"
PASSWORD_RULES = "Mật khẩu ít nhất 10 ký tự, không chứa tên đăng nhập, không phải dãy số hay mật khẩu dễ đoán."
USER_CANNOT_DISABLE_SELF = "Bạn không thể tự khóa tài khoản của mình."
USER_NOT_FOUND = "Không tìm thấy tài khoản."

# Procedure fields, as clerks know them
FIELD_LABELS = {
    "code": "Mã thủ tục",
    "name": "Tên thủ tục",
    "field": "Lĩnh vực",
    "levels": "Cấp thực hiện",
    "procedure_type": "Loại thủ tục",
    "decision_number": "Số quyết định công bố",
    "ministry": "Bộ, ngành",
    "applicants": "Đối tượng thực hiện",
    "competent_agency": "Cơ quan có thẩm quyền",
    "implementing_agency": "Cơ quan thực hiện",
    "authorized_agency": "Cơ quan được ủy quyền",
    "coordinating_agency": "Cơ quan phối hợp",
    "submission_address": "Địa chỉ tiếp nhận hồ sơ",
    "channels": "Cách thức nộp, thời hạn, lệ phí",
    "documents": "Thành phần hồ sơ",
    "steps": "Trình tự thực hiện",
    "conditions": "Yêu cầu, điều kiện",
    "result": "Kết quả",
    "legal_basis": "Căn cứ pháp lý",
    "related_procedures": "Thủ tục liên quan",
    "source_url": "Đường dẫn nguồn",
    "aliases": "Cách gọi của người dân",
}
CHANNEL_FIELD_LABELS = {
    "kind": "Hình thức nộp",
    "time_text": "Thời hạn (nguyên văn)",
    "time_value": "Thời hạn (số)",
    "time_unit": "Đơn vị thời hạn",
    "fee_text": "Phí, lệ phí (nguyên văn)",
    "fee_vnd": "Lệ phí (đồng)",
    "free": "Miễn phí",
    "description": "Ghi chú",
}
DOCUMENT_FIELD_LABELS = {
    "name": "Tên giấy tờ",
    "group": "Nhóm",
    "original_count": "Số bản chính",
    "copy_count": "Số bản sao",
    "form_template": "Mẫu đơn, tờ khai",
    "replaceable_by_data": "Có thể thay bằng dữ liệu VNeID",
}
LEGAL_FIELD_LABELS = {"title": "Tên văn bản", "code": "Số hiệu"}
CHANNEL_KINDS = {"online": "Trực tuyến", "post": "Qua bưu chính", "in_person": "Trực tiếp"}
TIME_UNITS = {
    "working_days": "ngày làm việc",
    "days": "ngày",
    "hours": "giờ",
    "working_hours": "giờ làm việc",
    "weeks": "tuần",
    "months": "tháng",
    "years": "năm",
}
LINES_HINT = "Mỗi dòng một mục."
DELETE_ROW = "Xóa dòng này"
ADD_CHANNEL = "Thêm cách nộp"
ADD_DOCUMENT = "Thêm giấy tờ"
ADD_LEGAL = "Thêm văn bản"
ADD_STEP = "Thêm bước"

# Form validation
ERR_REQUIRED = "Không được để trống."
ERR_TOO_LONG = "Quá dài: tối đa {n} ký tự."
ERR_FEE_NUMBER = "Lệ phí phải là số tiền bằng đồng, không âm (ví dụ: 50000 hoặc 50.000)."
ERR_FEE_FREE = "Đã đánh dấu miễn phí thì lệ phí phải để trống hoặc bằng 0."
ERR_TIME_NUMBER = "Thời hạn phải là một số lớn hơn 0 (ví dụ: 3 hoặc 1,5)."
ERR_TIME_UNIT = "Hãy chọn đơn vị thời hạn (thường là ngày làm việc)."
ERR_COUNT = "Số bản phải là số nguyên từ 0 đến 100."
ERR_KIND = "Hãy chọn hình thức nộp."
ERR_URL = "Đường dẫn phải bắt đầu bằng http:// hoặc https://."
FORM_HAS_ERRORS = "Chưa lưu: có {n} chỗ cần sửa (đánh dấu đỏ bên dưới)."

# Procedures: list, edit, publish, history
PROCEDURES_TITLE = "Thủ tục hành chính"
FILTER_QUERY = "Tìm theo tên hoặc mã"
FILTER_FIELD = "Lĩnh vực"
FILTER_LEVEL = "Cấp thực hiện"
FILTER_REVIEW = "Chỉ thủ tục cần rà soát"
FILTER_DRAFTS = "Chỉ thủ tục có bản nháp"
FILTER_ALL = "Tất cả"
FILTER_BUTTON = "Lọc"
NEEDS_REVIEW = "Cần rà soát"
NEEDS_REVIEW_FIELD = "Máy nhập chưa chắc chắn: {reason}"
HAS_DRAFT = "Có bản nháp"
NO_RESULTS = "Không có thủ tục nào khớp."
PAGE_OF = "Trang {page}/{pages} · {total} thủ tục"
EDIT = "Sửa"
HISTORY = "Lịch sử"
SAVE_DRAFT = "Lưu nháp"
PREVIEW = "Xem trước câu trả lời"
PUBLISH = "Duyệt đăng"
DISCARD_DRAFT = "Bỏ bản nháp"
DRAFT_NOTE = "Đang sửa bản nháp của {author}. Người dân vẫn thấy nội dung đã đăng cho đến khi được duyệt đăng."
DRAFT_SAVED = "Đã lưu nháp. Người dân chưa thấy thay đổi này cho đến khi được duyệt đăng."
DRAFT_DISCARDED = "Đã bỏ bản nháp."
PUBLISHED = "Đã đăng. Trợ lý trả lời theo nội dung mới ngay từ câu hỏi tiếp theo."
PUBLISHED_NOT_INDEXED = (
    "Đã đăng, nhưng bộ tìm kiếm chưa sẵn sàng nên có thể vài phút nữa người dân mới tìm thấy thay đổi."
)
NOTHING_CHANGED = "Không có gì thay đổi so với nội dung đang đăng."
STALE_EDIT = (
    "Chưa lưu: thủ tục này vừa được {who} lưu sau khi bạn mở trang. Nội dung bạn nhập vẫn còn bên dưới; "
    "hãy mở thủ tục ở thẻ mới để xem bản mới nhất, chép lại phần của bạn rồi lưu lại."
)
STALE_SOMEONE = "người khác"
PREVIEW_TITLE = "Trợ lý sẽ trả lời như sau"
PREVIEW_TOPICS = {
    "overview": "Giới thiệu chung",
    "documents": "Hỏi giấy tờ",
    "fee": "Hỏi lệ phí",
    "time": "Hỏi thời gian",
    "where": "Hỏi nộp ở đâu",
    "online": "Hỏi nộp trực tuyến",
    "legal": "Hỏi căn cứ pháp lý",
}
PROCEDURE_NOT_FOUND = "Không tìm thấy thủ tục mã {code}."
HISTORY_TITLE = "Lịch sử thay đổi"
REVISION = "Lần sửa {number}"
REVISION_BY = "{author} · {when} · {reason}"
RESTORE = "Khôi phục bản này"
RESTORED = "Đã khôi phục nội dung của lần sửa {number} và đăng lại."
RESTORE_SAME = "Nội dung đang đăng đã giống lần sửa {number}; không cần khôi phục."
NO_CHANGES_IN_REVISION = "Lần sửa này không đổi nội dung có cấu trúc."
DIFF_OLD = "Trước"
DIFF_NEW = "Sau"
FLASHES = {
    "draft_saved": DRAFT_SAVED,
    "draft_discarded": DRAFT_DISCARDED,
    "published": PUBLISHED,
    "published_not_indexed": PUBLISHED_NOT_INDEXED,
    "nothing_changed": NOTHING_CHANGED,
    "user_created": "Đã tạo tài khoản.",
    "user_disabled": "Đã khóa tài khoản; các phiên đăng nhập của tài khoản này đã kết thúc.",
    "user_enabled": "Đã mở lại tài khoản.",
    "imported": "Đã nhập xong và cập nhật bộ tìm kiếm.",
}

# Printable kit
KIT_TITLE = "Tờ hướng dẫn thủ tục có mã QR"
KIT_CODE = "Mã thủ tục: {code}"
KIT_FEE = "Lệ phí"
KIT_TIME = "Thời gian giải quyết"
KIT_DOCUMENTS = "Giấy tờ cần chuẩn bị"
KIT_WHERE = "Nộp hồ sơ ở đâu"
KIT_UNKNOWN = "Hỏi trợ lý hoặc cán bộ để biết thêm."
KIT_MORE_DOCUMENTS = "… và {n} giấy tờ khác (quét mã QR để xem đủ)"
KIT_SCAN = "Quét mã QR bằng điện thoại để hỏi trợ lý về thủ tục này: {url}"
KIT_PAGE_TITLE = "In tờ hướng dẫn có mã QR"
KIT_PAGE_HELP = "Nhập mã các thủ tục cần in, mỗi dòng một mã (tối đa {n}). Mỗi thủ tục một trang A4."
KIT_CODES = "Mã thủ tục"
KIT_BUTTON = "Tạo tệp PDF"
KIT_UNKNOWN_CODES = "Không có thủ tục mã: {codes}"
KIT_NO_CODES = "Hãy nhập ít nhất một mã thủ tục."
KIT_TOO_MANY = "Mỗi lần in tối đa {n} thủ tục."
KIT_FONT_MISSING = "Máy chủ chưa có phông chữ tiếng Việt để tạo PDF. Báo cho bộ phận kỹ thuật: {detail}"
KIT_PRINT = "In tờ QR"

# Bulk import and export
BULK_TITLE = "Nhập/xuất thủ tục bằng Excel hoặc CSV"
BULK_EXPORT = "Tải về tất cả thủ tục"
BULK_HELP = (
    "Sửa tệp đã tải về rồi tải lên lại. Ô để trống thì giữ nguyên nội dung cũ. Cột 'code' (mã thủ tục) "
    "là bắt buộc. Lệ phí ghi bằng số đồng, thời hạn ghi bằng số, đơn vị thường là working_days (ngày làm việc)."
)
BULK_UPLOAD = "Tệp cần nhập (.xlsx hoặc .csv)"
BULK_CHECK = "Kiểm tra trước (chưa ghi gì)"
BULK_APPLY = "Nhập thật các thay đổi này"
BULK_REPORT = "Kết quả kiểm tra"
BULK_SUMMARY = "{changed} thủ tục sẽ thay đổi, {unchanged} không đổi, {rejected} dòng bị từ chối."
BULK_REJECTED = "Dòng bị từ chối"
BULK_ROW = "Dòng {row}"
BULK_FIX_FIRST = "Hãy sửa các dòng bị từ chối rồi kiểm tra lại; khi còn dòng lỗi thì không nhập gì cả."
BULK_PUBLISHER_APPLIES = "Chỉ người có quyền duyệt đăng mới nhập thật được."
BULK_IGNORED_COLUMNS = "Các cột không dùng đến (bỏ qua): {columns}"
BULK_BAD_TYPE = "Chỉ nhận tệp .xlsx hoặc .csv."
BULK_UNREADABLE = "Không đọc được tệp. Hãy lưu lại dưới dạng .xlsx hoặc .csv (UTF-8) rồi thử lại."
BULK_NO_CODE_COLUMN = "Dòng đầu của tệp phải có cột 'code' (mã thủ tục)."
BULK_TOO_MANY = "Tệp có quá nhiều dòng: tối đa {n}."
BULK_NO_CODE = "Thiếu mã thủ tục."
BULK_DUPLICATE = "Mã thủ tục lặp lại trong tệp."
BULK_UNKNOWN_CODE = "Không có thủ tục mã này trong hệ thống (nhập thủ tục mới bằng công cụ nhập từ Cổng DVC)."
BULK_BAD_JSON = "Cột {column} không đúng định dạng; hãy giữ nguyên như khi tải về."
BULK_STALE = "Chưa nhập gì: thủ tục {code} vừa được người khác sửa sau khi kiểm tra. Hãy kiểm tra lại tệp."
BULK_FILE_CHANGED = "Tệp đã thay đổi sau khi kiểm tra. Hãy kiểm tra lại."
BULK_UPLOAD_GONE = ("Không còn tệp đã kiểm tra (tệp đã được nhập, hoặc đã quá 2 giờ). "
                    "Hãy tải tệp lên và kiểm tra lại.")

# Unanswered questions, handover, dashboard
INBOX_TITLE = "Câu hỏi chưa trả lời được"
INBOX_HELP = (
    "Những câu người dân hỏi mà trợ lý chưa chắc chắn hoặc đã chuyển cho cán bộ, gộp theo cách hỏi giống nhau. "
    "Chọn đúng thủ tục để trợ lý hiểu cách hỏi này từ nay, hoặc đánh dấu là ngoài phạm vi."
)
INBOX_EMPTY = "Không còn câu hỏi nào cần xử lý."
INBOX_COUNT = "Số lần hỏi"
INBOX_WORDINGS = "Cách hỏi"
INBOX_OUTCOMES = {"low_confidence": "chưa chắc chắn", "fallback": "không hiểu", "handover": "chuyển cán bộ",
                  "ambiguous": "nhiều thủ tục"}
INBOX_LAST = "Lần cuối"
INBOX_CODE = "Mã thủ tục đúng"
INBOX_SUGGESTIONS = "Gợi ý"
INBOX_LINK = "Gắn vào thủ tục"
INBOX_OUT_OF_SCOPE = "Ngoài phạm vi"
INBOX_PAGES = "Các trang câu hỏi"
INBOX_PAGE = "Trang {page}/{pages} ({forms} cách hỏi đang chờ)."
INBOX_PREVIOUS = "← Trang trước"
INBOX_NEXT = "Trang sau →"
INBOX_UNKNOWN_CODE = "Không có thủ tục mã {code}. Hãy kiểm tra lại mã (ví dụ 1.001193)."
HANDOVER_TITLE = "Người dân cần gặp cán bộ"
HANDOVER_EMPTY = "Không có cuộc trò chuyện nào đang chờ cán bộ."
HANDOVER_STATUS = {"queued": "Đang chờ", "held": "Cán bộ đang trả lời", "closed": "Đã trả lại cho trợ lý"}
HANDOVER_REASONS = {"asked": "Người dân yêu cầu", "gave_up": "Trợ lý không trả lời được"}
HANDOVER_CHANNELS = {"api": "Trang web", "web": "Trang web", "telegram": "Telegram", "zalo": "Zalo"}
HANDOVER_OUT_OF_HOURS = "hỏi ngoài giờ"
HANDOVER_SINCE = "Từ lúc"
HANDOVER_CHANNEL = "Kênh"
HANDOVER_PROCEDURE = "Thủ tục đang hỏi"
HANDOVER_HISTORY = "Nội dung trò chuyện"
HANDOVER_ROLES = {"citizen": "Người dân", "bot": "Trợ lý", "clerk": "Cán bộ"}
HANDOVER_REPLY = "Trả lời người dân"
HANDOVER_SEND = "Gửi"
HANDOVER_TAKE = "Nhận trả lời (trợ lý sẽ im lặng)"
HANDOVER_CLOSE = "Xong, trả lại cho trợ lý"
HANDOVER_SEND_FAILED = "Chưa gửi được tin nhắn tới người dân ({detail}). Nội dung vẫn còn trong ô, hãy thử lại."
HANDOVER_EMPTY_REPLY = "Hãy nhập nội dung trả lời."
HANDOVER_CLOSED_ALREADY = "Cuộc trò chuyện này đã trả lại cho trợ lý."
HANDOVER_OPEN = "Mở"
DASHBOARD_TITLE = "Thống kê"
DASHBOARD_PERIOD = "{days} ngày gần nhất"
DASHBOARD_TOTAL = "Tổng số câu hỏi"
DASHBOARD_CONFIDENT = "Trả lời chắc chắn"
DASHBOARD_HANDOVERS = "Chuyển cán bộ"
DASHBOARD_WAITING = "đang chờ"
DASHBOARD_RATING = "Đánh giá trung bình"
DASHBOARD_RATINGS = "Mức hài lòng của người dân"
DASHBOARD_PER_DAY = "Câu hỏi theo ngày"
DASHBOARD_PER_CHANNEL = "Câu hỏi theo kênh"
DASHBOARD_TOP = "Thủ tục được hỏi nhiều nhất"
DASHBOARD_DAY = "Ngày"
DASHBOARD_COUNT = "Số câu"
DASHBOARD_STARS = "{n} sao"
DASHBOARD_NO_DATA = "Chưa có dữ liệu."
INBOX_FLASHES = {
    "linked": "Đã gắn cách hỏi vào thủ tục; trợ lý tìm được ngay từ bây giờ.",
    "linked_not_indexed": "Đã gắn cách hỏi vào thủ tục; bộ tìm kiếm sẽ cập nhật khi khởi động lại.",
    "out_of_scope": "Đã đánh dấu ngoài phạm vi.",
    "sent": "Đã gửi tới người dân.",
    "taken": "Bạn đang trả lời cuộc trò chuyện này; trợ lý sẽ im lặng.",
    "closed": "Đã trả lại cuộc trò chuyện cho trợ lý.",
}

# Service-center directory: adding and removing a center
CENTER_NEW_TITLE = "Thêm trung tâm phục vụ hành chính công"
CENTER_ADD_LINK = "Thêm trung tâm"
CENTER_PLACE_EMPTY = ("Hãy nhập xã/phường (hoặc tỉnh/thành phố) mà trung tâm phục vụ. "
                      "Ví dụ: \"xã Yên Thịnh, huyện Yên Mô, Ninh Bình\" hoặc \"phường Minh Xuân, Tuyên Quang\".")
CENTER_PLACE_UNKNOWN = ("Không tìm thấy xã/phường \"{query}\". Hãy kiểm tra lại tên và ghi thêm tỉnh/thành phố "
                        "(có thể ghi địa chỉ cũ kèm huyện), ví dụ: \"xã Yên Thịnh, huyện Yên Mô, Ninh Bình\".")
CENTER_PLACE_NO_COMMUNE = ("\"{query}\" mới chỉ cho biết {province}. Hãy ghi thêm tên xã/phường, ví dụ: "
                           "\"xã Yên Thịnh, huyện Yên Mô, Ninh Bình\", hoặc chọn cấp tỉnh.")
CENTER_PLACE_AMBIGUOUS = ("\"{query}\" khớp với nhiều nơi (xem danh sách dưới đây). Hãy ghi cụ thể hơn: thêm "
                          "tỉnh/thành phố, hoặc huyện nếu là địa chỉ cũ.")
CENTER_PLACE_MORE = "… và {count} nơi khác."
CENTER_LEVEL_INVALID = "Hãy chọn cấp của trung tâm: cấp xã hoặc cấp tỉnh."
CENTER_EXISTS_COMMUNE = "{commune} ({province}) đã có trung tâm trong danh bạ; hãy sửa trung tâm đó thay vì thêm mới."
CENTER_EXISTS_PROVINCE = "{province} đã có trung tâm cấp tỉnh trong danh bạ; hãy sửa trung tâm đó thay vì thêm mới."
CENTER_EXISTING_LINK = "Mở trung tâm đã có"
CENTER_DELETE_TITLE = "Xóa trung tâm"
CENTER_DELETE_CONFIRM = "Tôi chắc chắn muốn xóa trung tâm này"
CENTER_DELETE_BUTTON = "Xóa trung tâm"
CENTER_DELETE_NOT_CONFIRMED = "Chưa xóa: hãy đánh dấu ô \"Tôi chắc chắn\" rồi bấm Xóa."
CENTER_DELETE_PUBLISHER_ONLY = "Chỉ người có quyền duyệt đăng mới xóa được trung tâm."
CENTER_DELETE_EFFECT_COMMUNE = (
    "Sau khi xóa (nếu {commune} không còn trung tâm nào khác trong danh bạ), trợ lý sẽ báo người dân ở {commune} "
    "là chưa có địa chỉ trung tâm của xã/phường và hướng dẫn đến trụ sở UBND {commune} hoặc gọi tổng đài 1022; "
    "thủ tục cấp tỉnh vẫn được chỉ đến trung tâm cấp tỉnh."
)
CENTER_DELETE_EFFECT_PROVINCE = (
    "Sau khi xóa, khi người dân {province} hỏi thủ tục cấp tỉnh, trợ lý sẽ chỉ nói nộp tại Trung tâm Phục vụ "
    "hành chính công {province} mà không có địa chỉ, giờ làm việc hay số điện thoại cụ thể."
)
CENTER_DELETED = "Đã xóa trung tâm khỏi danh bạ."
# Form labels that lead a validation message, so the clerk sees which box to correct.
CENTER_FIELD_LABELS = {
    "name": "Tên trung tâm", "address": "Địa chỉ", "phone": "Điện thoại", "map_url": "Liên kết bản đồ",
    "opening_hours": "Giờ làm việc", "receives_levels": "Nhận thủ tục cấp", "accepts_codes": "Nhận thêm các thủ tục",
    "refuses_codes": "Không nhận các thủ tục",
}
