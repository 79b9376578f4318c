from __future__ import annotations

import pytest

from dossiers.calendar import HolidayCalendar

PEPPER = "a-test-pepper-that-is-long-enough-1234"
PHONE = "0912345678"
ID_NUMBER = "001090012345"
CODE = "000.00.15.H29-260213-0001"


@pytest.fixture(scope="session")
def calendar() -> HolidayCalendar:
    return HolidayCalendar.from_file()
