from __future__ import annotations

from datetime import UTC, datetime

import pytest

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
