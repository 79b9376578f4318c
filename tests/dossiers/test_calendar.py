from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from dossiers.calendar import HolidayCalendar, HolidayDataError, is_overdue, today_vn


@pytest.fixture(scope="module")
def calendar() -> HolidayCalendar:
    return HolidayCalendar.from_file()


def test_the_bundled_file_covers_2024_to_2027(calendar: HolidayCalendar) -> None:
    assert {2024, 2025, 2026, 2027} <= calendar.years


def test_tet_2026_is_skipped(calendar: HolidayCalendar) -> None:
    # Received Friday 13/2/2026; Tết Bính Ngọ days off Mon 16 – Fri 20/2: one working day ends Monday 23/2.
    assert calendar.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 23)
    assert not calendar.is_working_day(date(2026, 2, 17))


def test_30_april_and_1_may_are_skipped(calendar: HolidayCalendar) -> None:
    # Wed 29/4/2026 + 2 working days: Thu 30/4 and Fri 1/5 are holidays, then a weekend → Tue 5/5.
    assert calendar.add_working_days(date(2026, 4, 29), 2) == date(2026, 5, 5)


def test_hung_kings_day_on_a_sunday_gives_the_monday_off(calendar: HolidayCalendar) -> None:
    assert not calendar.is_working_day(date(2026, 4, 27))


def test_a_swapped_saturday_is_a_working_day(calendar: HolidayCalendar) -> None:
    assert calendar.is_working_day(date(2025, 4, 26))
    assert not calendar.is_working_day(date(2025, 5, 2))


def test_receipt_on_a_day_off_starts_counting_on_the_next_working_day(calendar: HolidayCalendar) -> None:
    assert calendar.add_working_days(date(2026, 11, 21), 1) == date(2026, 11, 23)  # Saturday → Monday
    assert calendar.add_working_days(date(2026, 11, 23), 0) == date(2026, 11, 23)
    with pytest.raises(ValueError, match="negative"):
        calendar.add_working_days(date(2026, 11, 23), -1)


def test_overdue_across_tet_counts_only_working_days(calendar: HolidayCalendar) -> None:
    due = calendar.add_working_days(date(2026, 2, 12), 3)  # Thu 12/2 + 3 working days = Tue 24/2
    assert due == date(2026, 2, 24)
    assert calendar.working_days_between(date(2026, 2, 12), due) == 3
    assert not is_overdue("in_process", due, date(2026, 2, 20))  # a calendar week later, still in time
    assert not is_overdue("in_process", due, due)
    assert is_overdue("in_process", due, date(2026, 2, 25))
    assert is_overdue("received", due, date(2026, 2, 25))
    for done in ("ready_for_pickup", "returned", "rejected", "additions_requested"):
        assert not is_overdue(done, due, date(2026, 3, 30))
    assert not is_overdue("in_process", None, date(2026, 3, 30))


def test_years_without_data_fall_back_to_weekends_with_a_warning(
    calendar: HolidayCalendar, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="dossiers.calendar"):
        assert calendar.is_working_day(date(2030, 1, 2))
        assert not calendar.is_working_day(date(2030, 1, 5))
    assert "no holiday data for 2030" in caplog.text


def test_an_operator_file_with_a_new_year_is_used(tmp_path: Path) -> None:
    path = tmp_path / "holidays.json"
    path.write_text(json.dumps({"years": {"2028": {"days_off": ["2028-01-03"]}}}), encoding="utf-8")
    assert HolidayCalendar.from_file(path).add_working_days(date(2027, 12, 31), 1) == date(2028, 1, 4)
    path.write_text("{\"years\": {\"2028\": {\"days_off\": [\"3/1/2028\"]}}}", encoding="utf-8")
    with pytest.raises(HolidayDataError, match="not valid"):
        HolidayCalendar.from_file(path)


def test_today_is_taken_in_vietnam_time() -> None:
    assert today_vn(datetime(2026, 11, 23, 18, 30, tzinfo=UTC)) == date(2026, 11, 24)
