"""Vietnamese texts shown to citizens about communes, service centers and where to file."""

from __future__ import annotations

from collections.abc import Sequence

from communes.schemas import OpeningPeriod

WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")

EXAMPLE = "Ví dụ: \"xã Yên Thịnh, huyện Yên Mô, Ninh Bình\" hoặc \"phường Minh Xuân, Tuyên Quang\"."
EMPTY_ADDRESS = "Bạn hãy nhập địa chỉ (xã/phường, huyện cũ nếu có, tỉnh/thành phố). " + EXAMPLE
TOO_LONG_ADDRESS = "Địa chỉ quá dài. Bạn hãy chỉ ghi xã/phường và tỉnh/thành phố. " + EXAMPLE
UNKNOWN_NO_ADDRESS = ("Mình chưa nhận ra địa chỉ trong câu của bạn. Bạn hãy ghi tên xã/phường (cũ hoặc mới) "
                      "và tỉnh/thành phố. " + EXAMPLE)
UNKNOWN_NOT_FOUND = ("Mình không tìm thấy xã/phường \"{query}\". Bạn kiểm tra lại tên, hoặc ghi thêm huyện cũ "
                     "và tỉnh/thành phố. " + EXAMPLE)
UNKNOWN_NO_COMMUNE = ("Bạn ở {province}. Bạn hãy cho biết thêm tên xã/phường (cũ hoặc mới) để mình chỉ đúng "
                      "nơi nộp hồ sơ. " + EXAMPLE)
AMBIGUOUS = "Có nhiều nơi trùng tên \"{query}\". Bạn ở nơi nào dưới đây?"
AMBIGUOUS_SPLIT = ("{old} đã được chia cho nhiều xã/phường mới từ 1/7/2025. Bạn hãy chọn nơi bạn ở "
                   "(hoặc ghi thêm tên thôn/tổ dân phố và hỏi UBND xã):")
AMBIGUOUS_MORE = "(Còn {count} nơi khác trùng tên: bạn hãy ghi thêm tỉnh/thành phố.)"
RESOLVED = "Từ ngày 1/7/2025, địa chỉ của bạn thuộc {commune}, {province}."
RESOLVED_FROM_OLD = "{old} (cũ) nay thuộc {commune}, {province} (từ ngày 1/7/2025)."
FORMED_FROM = "{commune} được lập từ: {olds}."
CENTER_HEADER = "Nơi nộp hồ sơ: {name}"
CENTER_ADDRESS = "Địa chỉ: {address}"
CENTER_HOURS = "Giờ làm việc: {hours}"
CENTER_PHONE = "Điện thoại: {phone}"
CENTER_MAP = "Bản đồ: {url}"
SAMPLE_DATA = ("Lưu ý: địa chỉ, giờ làm việc và số điện thoại trên là DỮ LIỆU MẪU, cán bộ sẽ thay bằng thông tin "
               "thật. Bạn hãy gọi tổng đài 1022 hoặc hỏi UBND xã/phường để chắc chắn.")
NO_CENTER = ("Mình chưa có địa chỉ Trung tâm Phục vụ hành chính công của {commune}. Bạn hãy đến trụ sở UBND "
             "{commune} hoặc gọi tổng đài 1022 để được hướng dẫn.")
HOURS_UNKNOWN = "chưa cập nhật"

FILING_UNKNOWN_PROCEDURE = "Mình không tìm thấy thủ tục có mã {code}."
FILING_COMMUNE = "Thủ tục \"{name}\" là thủ tục cấp xã: bạn nộp hồ sơ tại {center}."
FILING_COMMUNE_OVERRIDE = "Thủ tục \"{name}\" được nhận tại {center}."
FILING_PROVINCE = ("Thủ tục \"{name}\" là thủ tục cấp tỉnh: không nộp ở xã mà nộp tại {center}.")
FILING_PROVINCE_NO_CENTER = ("Thủ tục \"{name}\" là thủ tục cấp tỉnh: không nộp ở xã mà nộp tại Trung tâm Phục "
                             "vụ hành chính công {province} (mình chưa có địa chỉ cụ thể).")
FILING_CENTRAL = ("Thủ tục \"{name}\" do cơ quan trung ương giải quyết, không nộp tại xã hay tỉnh; bạn xem "
                  "cơ quan nhận hồ sơ trong hướng dẫn của thủ tục.")
FILING_ONLINE = ("Bạn cũng có thể nộp trực tuyến trên Cổng Dịch vụ công quốc gia (https://dichvucong.gov.vn) "
                 "hoặc ứng dụng VNeID, không phụ thuộc địa giới hành chính: nộp ở đâu cũng được.")
FILING_NO_ONLINE = "Thủ tục này hiện chưa nộp trực tuyến được: bạn cần nộp trực tiếp hoặc qua bưu điện."
COMMUNE_CENTER_OF = "Trung tâm Phục vụ hành chính công {commune}"
PROVINCE_CENTER_OF = "Trung tâm Phục vụ hành chính công {province}"


def opening_hours_text(periods: Sequence[OpeningPeriod]) -> str:
    """ "Thứ Hai – Thứ Sáu: 07:30–11:30, 13:30–17:00; Thứ Bảy: 07:30–11:30" from structured periods."""
    if not periods:
        return HOURS_UNKNOWN
    groups: dict[tuple[int, int], list[str]] = {}
    for period in sorted(periods, key=lambda p: (p.first_day, p.opens)):
        groups.setdefault((period.first_day, period.last_day), []).append(f"{period.opens}–{period.closes}")
    parts = []
    for (first, last), times in groups.items():
        days = WEEKDAYS[first] if first == last else f"{WEEKDAYS[first]} – {WEEKDAYS[last]}"
        parts.append(f"{days}: {', '.join(times)}")
    return "; ".join(parts)
