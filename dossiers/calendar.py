"""Working days of Vietnamese state agencies: due dates and whether a dossier is overdue.

Processing times are counted in working days ("ngày làm việc"): Saturdays, Sundays and public holidays do
not count. Tết and Hùng Kings day follow the lunar calendar and the Government swaps days every year, so
holidays are data (`seed/holidays_vn.json`, one entry per year) rather than a formula; an operator adds a
year when it is announced. Outside the years in the file only weekends are skipped, and a warning says so.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

logger = logging.getLogger(__name__)

DEFAULT_HOLIDAYS_FILE = Path(__file__).resolve().parent / "seed" / "holidays_vn.json"
# Viet Nam keeps UTC+7 all year (no daylight saving), so a fixed offset is exact.
VN_TZ = timezone(timedelta(hours=7), "ICT")

# Statuses in which the agency still owes the citizen a result; a request for additions stops the clock.
OPEN_STATUSES = frozenset({"received", "in_process"})


class HolidayDataError(ValueError):
    """The holiday file is not in the expected shape."""


@dataclass(frozen=True)
class HolidayCalendar:
    days_off: frozenset[date] = frozenset()
    make_up_working_days: frozenset[date] = frozenset()
    years: frozenset[int] = frozenset()
    _warned: set[int] = field(default_factory=set, compare=False, hash=False, repr=False)

    @classmethod
    def from_file(cls, path: Path = DEFAULT_HOLIDAYS_FILE) -> HolidayCalendar:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            years = data["years"]
            off = {date.fromisoformat(d) for y in years.values() for d in y["days_off"]}
            make_up = {date.fromisoformat(d) for y in years.values() for d in y.get("make_up_working_days", [])}
            covered = {int(y) for y in years}
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise HolidayDataError(f"Holiday file {path} is not valid: {exc}.") from exc
        return cls(days_off=frozenset(off), make_up_working_days=frozenset(make_up), years=frozenset(covered))

    def _check_year(self, day: date) -> None:
        if self.years and day.year not in self.years and day.year not in self._warned:
            self._warned.add(day.year)
            logger.warning("no holiday data for %s: only weekends are skipped (extend %s)",
                           day.year, DEFAULT_HOLIDAYS_FILE.name)

    def is_working_day(self, day: date) -> bool:
        self._check_year(day)
        if day in self.make_up_working_days:
            return True
        return day.weekday() < 5 and day not in self.days_off

    def add_working_days(self, start: date, days: int) -> date:
        """The due date of a dossier received on `start` with `days` working days to process it.

        The day of receipt does not count; a dossier received on a day off starts on the next working day.
        """
        if days < 0:
            raise ValueError(f"A processing time cannot be negative, got {days} working days.")
        day = start
        remaining = days
        while remaining > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (0 when `end` is not later)."""
        count = 0
        day = start
        while day < end:
            day += timedelta(days=1)
            count += self.is_working_day(day)
        return count


def today_vn(now: datetime | None = None) -> date:
    """Today's date in Viet Nam, which decides whether a due date has passed."""
    return (now or datetime.now(VN_TZ)).astimezone(VN_TZ).date()


def is_overdue(status: str, due: date | None, today: date) -> bool:
    """Overdue: the agency still owes the result and the due date has passed."""
    return due is not None and status in OPEN_STATUSES and today > due
