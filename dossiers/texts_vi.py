"""Every Vietnamese sentence the dossier service shows a citizen, in one place so wording changes touch no logic.

Plain words for people reading on a small phone: what the status means, what to do next, and, when the
agency is late, an apology and how to complain (phản ánh, kiến nghị).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

CODE_FORMAT = "<mã cơ quan>-<ngày nộp dạng năm tháng ngày yymmdd>-<số thứ tự 4 chữ số>"
CODE_EXAMPLE = "000.00.15.H29-250714-0001"

MALFORMED_CODE = (
    f"Mã hồ sơ chưa đúng định dạng. Mã hồ sơ có dạng {CODE_FORMAT}, ví dụ: {CODE_EXAMPLE}. "
    "Bạn xem lại mã in trên Giấy tiếp nhận hồ sơ và hẹn trả kết quả giúp tôi nhé."
)
MALFORMED_VERIFICATION = (
    "Mã xác minh gồm đúng 4 chữ số: 4 số cuối số điện thoại hoặc 4 số cuối số định danh cá nhân (căn cước) "
    "đã khai khi nộp hồ sơ."
)
INVALID_REQUEST = "Yêu cầu chưa đủ thông tin: cần mã hồ sơ, mã xác minh 4 chữ số và mã cuộc trò chuyện."
NOT_FOUND = (
    "Không tìm thấy hồ sơ khớp với mã hồ sơ và mã xác minh bạn nhập. Bạn kiểm tra lại mã hồ sơ trên giấy "
    "biên nhận và 4 số cuối số điện thoại hoặc căn cước đã khai khi nộp hồ sơ."
)
RATE_LIMITED = (
    "Bạn đã nhập sai nhiều lần. Để bảo vệ thông tin hồ sơ, bạn vui lòng thử lại sau khoảng {minutes} phút."
)
SOURCE_UNAVAILABLE = (
    "Hệ thống tra cứu hồ sơ của tỉnh đang tạm thời không trả lời. Bạn vui lòng thử lại sau ít phút."
)

STATUS_LABELS: dict[str, str] = {
    "received": "Đã tiếp nhận",
    "in_process": "Đang giải quyết",
    "additions_requested": "Cần bổ sung hồ sơ",
    "rejected": "Không đủ điều kiện giải quyết (từ chối)",
    "ready_for_pickup": "Đã có kết quả, chờ nhận",
    "returned": "Đã trả kết quả",
}

NEXT_STEPS: dict[str, str] = {
    "received": "Hồ sơ đã được tiếp nhận và sẽ được chuyển xử lý. Bạn chưa cần làm gì thêm.",
    "in_process": "Cơ quan đang giải quyết hồ sơ. Bạn chờ đến ngày hẹn trả kết quả; chưa cần làm gì thêm.",
    "additions_requested": (
        "Bạn cần nộp bổ sung các giấy tờ còn thiếu (trực tiếp tại nơi đã nộp hoặc trên Cổng Dịch vụ công). "
        "Thời gian giải quyết được tính lại từ khi nhận đủ hồ sơ."
    ),
    "rejected": (
        "Hồ sơ không được giải quyết. Lý do được ghi trong văn bản trả lời của cơ quan; bạn có thể nộp lại "
        "khi đủ điều kiện hoặc gửi phản ánh, kiến nghị nếu không đồng ý."
    ),
    "ready_for_pickup": (
        "Kết quả đã sẵn sàng. Bạn mang Giấy tiếp nhận hồ sơ và hẹn trả kết quả cùng căn cước đến nhận "
        "(hoặc nhận qua bưu điện nếu đã đăng ký)."
    ),
    "returned": "Kết quả đã được trả. Hồ sơ đã hoàn tất.",
}

COMPLAINT_HOW = (
    "Nếu muốn phản ánh, kiến nghị, bạn gửi qua chức năng \"Phản ánh kiến nghị\" trên Cổng Dịch vụ công quốc gia "
    "(dichvucong.gov.vn), gọi tổng đài hỗ trợ 1800 1096 (miễn phí), hoặc đường dây nóng của Trung tâm Phục vụ "
    "hành chính công nơi bạn nộp hồ sơ."
)


def fmt_date(value: date) -> str:
    return f"{value:%d/%m/%Y}"


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


def next_step(status: str, *, overdue: bool) -> str:
    step = NEXT_STEPS.get(status, "")
    if overdue:
        return f"{step} {COMPLAINT_HOW}".strip()
    return step


def overdue_paragraph(due: date, expected: date | None) -> str:
    """Says plainly that the dossier is late, apologises for the agency, gives the new date if there is one."""
    text = (f"Hồ sơ của bạn đã quá hạn giải quyết (hạn trả kết quả là ngày {fmt_date(due)}). "
            "Thay mặt cơ quan giải quyết, chúng tôi thành thật xin lỗi vì sự chậm trễ này.")
    if expected is not None:
        text += f" Ngày hẹn trả kết quả mới là {fmt_date(expected)}."
    else:
        text += " Cơ quan chưa báo ngày hẹn mới."
    return text


def answer_text(
    *, code: str, procedure_name: str, agency: str, status: str, received: date, due: date | None,
    overdue: bool, expected: date | None, history: Sequence[tuple[str, date]], missing: Sequence[str],
    pickup_place: str | None,
) -> str:
    """The whole answer shown to the citizen after a successful lookup."""
    lines = [f"Hồ sơ {code}", f"Thủ tục: {procedure_name}" if procedure_name else "",
             f"Cơ quan tiếp nhận: {agency}" if agency else "",
             f"Ngày tiếp nhận: {fmt_date(received)}",
             f"Hạn trả kết quả: {fmt_date(due)}" if due else "",
             f"Trạng thái: {status_label(status)}"]
    text = "\n".join(line for line in lines if line)
    if overdue and due is not None:
        text += "\n\n" + overdue_paragraph(due, expected)
    elif expected is not None and status not in ("returned", "rejected"):
        text += f"\nNgày hẹn trả kết quả mới: {fmt_date(expected)}"
    if missing:
        text += "\n\nGiấy tờ cần bổ sung:\n" + "\n".join(f"- {item}" for item in missing)
    if pickup_place and status == "ready_for_pickup":
        text += f"\n\nNơi nhận kết quả: {pickup_place}"
    if len(history) > 1:
        steps = "; ".join(f"{fmt_date(at)}: {status_label(s)}" for s, at in history)
        text += f"\n\nQuá trình xử lý: {steps}."
    text += "\n\n" + next_step(status, overdue=overdue)
    return text


def subscribed_text(code: str, *, already: bool) -> str:
    if already:
        return f"Bạn đã đăng ký nhận thông báo cho hồ sơ {code} từ trước. Khi trạng thái thay đổi, tôi sẽ nhắn bạn."
    return f"Đã đăng ký. Khi hồ sơ {code} đổi trạng thái, tôi sẽ nhắn bạn qua kênh này."


def status_change_notice(code: str, status: str) -> str:
    """The short message a subscriber receives; no personal detail beyond the code and the new status."""
    text = f"Hồ sơ {code} vừa chuyển sang trạng thái: {status_label(status)}."
    if status == "additions_requested":
        text += " Bạn cần bổ sung giấy tờ; tra cứu hồ sơ để xem danh sách."
    elif status == "ready_for_pickup":
        text += " Bạn có thể đến nhận kết quả."
    return text
