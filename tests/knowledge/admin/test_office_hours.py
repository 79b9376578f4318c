from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from dossiers.calendar import HolidayCalendar
from knowledge.admin.office_hours import BadOfficeHours, OfficeHours

HOURS = OfficeHours.parse("mon-fri 07:30-11:30,13:30-17:00; sat 07:30-11:30")


@pytest.mark.parametrize(("utc", "open_"), [
    (datetime(2026, 12, 1, 3, 0, tzinfo=UTC), True),  # Tue 10:00 local
    (datetime(2026, 12, 1, 5, 0, tzinfo=UTC), False),  # Tue 12:00 lunch
    (datetime(2026, 12, 1, 10, 0, tzinfo=UTC), False),  # Tue 17:00 closing time
    (datetime(2026, 12, 5, 1, 0, tzinfo=UTC), True),  # Sat 08:00
    (datetime(2026, 12, 6, 3, 0, tzinfo=UTC), False),  # Sunday
])
def test_is_open_in_local_time(utc: datetime, open_: bool) -> None:
    assert HOURS.is_open(utc) is open_


def test_next_opening_skips_lunch_and_the_weekend() -> None:
    lunch = HOURS.next_opening(datetime(2026, 12, 1, 5, 0, tzinfo=UTC))
    assert lunch is not None and (lunch.day, lunch.hour, lunch.minute) == (1, 13, 30)
    saturday_noon = HOURS.next_opening(datetime(2026, 12, 5, 5, 0, tzinfo=UTC))
    assert saturday_noon is not None and (saturday_noon.day, saturday_noon.hour) == (7, 7)


@pytest.mark.parametrize("spec", ["mon-fri", "xyz 07:00-08:00", "mon 17:00-07:00", "mon 7h-8h"])
def test_unreadable_hours_are_refused(spec: str) -> None:
    with pytest.raises(BadOfficeHours):
        OfficeHours.parse(spec)


class _Holidays:
    """Independence Day 2026 (Wed 2 Sep) off, and a Saturday made a working day."""

    days_off = frozenset({date(2026, 9, 2), date(2026, 9, 1)})
    make_up_working_days = frozenset({date(2026, 9, 12)})


WEEKDAYS_ONLY = OfficeHours.parse("mon-fri 07:30-11:30,13:30-17:00").with_holidays(_Holidays())


def test_desks_are_closed_on_a_public_holiday() -> None:
    holiday_morning = datetime(2026, 9, 2, 3, 0, tzinfo=UTC)  # Wed 10:00 local
    assert HOURS.is_open(holiday_morning)  # without the calendar it looks like any Wednesday
    assert not WEEKDAYS_ONLY.is_open(holiday_morning)
    back = WEEKDAYS_ONLY.next_opening(datetime(2026, 9, 1, 3, 0, tzinfo=UTC))  # Tue, first day off
    assert back is not None and (back.month, back.day, back.hour, back.minute) == (9, 3, 7, 30)


def test_a_make_up_saturday_keeps_weekday_hours() -> None:
    saturday = datetime(2026, 9, 12, 3, 0, tzinfo=UTC)  # Sat 10:00 local
    assert WEEKDAYS_ONLY.is_open(saturday)
    assert not WEEKDAYS_ONLY.is_open(datetime(2026, 9, 19, 3, 0, tzinfo=UTC))  # an ordinary Saturday


def test_the_next_opening_is_found_after_a_long_tet_break() -> None:
    tet = OfficeHours.parse("mon-fri 07:30-17:00").with_holidays(HolidayCalendar.from_file())
    opening = tet.next_opening(datetime(2026, 2, 14, 3, 0, tzinfo=UTC))  # Saturday before Tết 2026
    assert opening is not None and (opening.month, opening.day) == (2, 23)
