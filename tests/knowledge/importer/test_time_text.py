from __future__ import annotations

from knowledge.importer.time_text import find_time_statements, main_statement, unit_for


def test_processing_time_with_its_unit_and_sentence() -> None:
    (statement,) = find_time_statements(["- Trong thời hạn 03 ngày làm việc kể từ ngày nhận hồ sơ, cơ quan cấp."])

    assert (statement.value, statement.unit, statement.processing) == (3, "working_days", True)
    assert statement.sentence == "Trong thời hạn 03 ngày làm việc kể từ ngày nhận hồ sơ"


def test_next_working_day_is_one_working_day() -> None:
    statements = find_time_statements(["nếu tiếp nhận hồ sơ sau 15 giờ thì trả kết quả trong ngày làm việc tiếp theo"])

    assert unit_for(1, statements) == "working_days"


def test_dates_office_hours_and_deadlines_for_the_citizen_are_not_processing_times() -> None:
    statements = find_time_statements([
        "Nghị định số 100/2016/NĐ-CP ngày 01 tháng 7 năm 2016 của Chính phủ.",
        "Thời gian làm việc: sáng từ 07 giờ 30 phút đến 11 giờ 30 phút.",
        "Gửi hồ sơ chậm nhất 15 (mười lăm) ngày làm việc trước khi làm thủ tục hải quan.",
    ])

    assert unit_for(1, statements) is None and unit_for(7, statements) is None
    assert main_statement(statements) is None
    assert [(s.value, s.processing) for s in statements] == [(15, False)]


def test_a_number_stated_with_two_units_stays_unknown() -> None:
    statements = find_time_statements([
        "Trong thời hạn 05 ngày làm việc kể từ ngày nhận đủ hồ sơ.", "Giải quyết trong 05 ngày kể từ ngày nhận.",
    ])

    assert unit_for(5, statements) is None
