"""When clerks are at their desks, so a citizen asking for a person outside them is told when to expect one.

The hours come from one setting, e.g. ``mon-fri 07:30-11:30,13:30-17:00; sat 07:30-11:30``: day ranges
(``mon``..``sun``), each with one or more time ranges, in the center's own time zone. Public holidays
come from the same calendar that counts dossier due dates (`dossiers/seed/holidays_vn.json`): on a day off
the desks are closed, and a Saturday the Government made a working day (to bridge a holiday) keeps the
hours of a Monday, so a citizen asking for a person during Tết is told when clerks are really back.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Tết closes offices for up to about ten days; a search this long always finds the next opening.
SEARCH_DAYS = 31


class Holidays(Protocol):
    """Days off and swapped working days (`dossiers.calendar.HolidayCalendar` has both)."""

    @property
    def days_off(self) -> frozenset[date]: ...

    @property
    def make_up_working_days(self) -> frozenset[date]: ...


class BadOfficeHours(ValueError):
    """The office-hours setting cannot be read."""


@dataclass(frozen=True)
class OfficeHours:
    """Opening periods per weekday (Monday = 0) in one time zone."""

    periods: dict[int, tuple[tuple[time, time], ...]]
    zone: ZoneInfo
    holidays: Holidays | None = None

    def with_holidays(self, holidays: Holidays) -> OfficeHours:
        return replace(self, holidays=holidays)

    def _periods_on(self, day: date) -> tuple[tuple[time, time], ...]:
        if self.holidays is not None:
            if day in self.holidays.days_off:
                return ()
            if day in self.holidays.make_up_working_days:
                return self.periods.get(day.weekday()) or self.periods.get(0, ())
        return self.periods.get(day.weekday(), ())

    @classmethod
    def parse(cls, spec: str, timezone: str = "Asia/Ho_Chi_Minh") -> OfficeHours:
        periods: dict[int, list[tuple[time, time]]] = {}
        for part in (p.strip() for p in spec.split(";")):
            if not part:
                continue
            try:
                days_text, ranges_text = part.split(None, 1)
            except ValueError as exc:
                raise BadOfficeHours(f"Office hours part {part!r} needs days and times, e.g. 'mon-fri 07:30-17:00'.") \
                    from exc
            ranges = [_time_range(r.strip(), part) for r in ranges_text.split(",") if r.strip()]
            for day in _days(days_text.lower(), part):
                periods.setdefault(day, []).extend(ranges)
        try:
            zone = ZoneInfo(timezone)
        except (KeyError, ValueError) as exc:
            raise BadOfficeHours(f"Office time zone {timezone!r} is unknown.") from exc
        return cls({day: tuple(sorted(r)) for day, r in periods.items()}, zone)

    def is_open(self, moment: datetime) -> bool:
        local = moment.astimezone(self.zone)
        return any(start <= local.time() < end for start, end in self._periods_on(local.date()))

    def next_opening(self, moment: datetime) -> datetime | None:
        """The start of the next opening period after `moment` (local time), or None if never open."""
        local = moment.astimezone(self.zone)
        for offset in range(SEARCH_DAYS):
            day = (local + timedelta(days=offset)).date()
            for start, _end in self._periods_on(day):
                candidate = datetime.combine(day, start, tzinfo=self.zone)
                if candidate > local:
                    return candidate
        return None


def _days(text: str, part: str) -> list[int]:
    days: list[int] = []
    for chunk in text.split("/"):
        first, _, last = chunk.partition("-")
        if first not in DAYS or (last and last not in DAYS):
            raise BadOfficeHours(f"Office hours part {part!r}: days must be like 'mon-fri' or 'sat'.")
        start, end = DAYS.index(first), DAYS.index(last or first)
        days.extend(range(start, end + 1) if start <= end else [*range(start, 7), *range(0, end + 1)])
    return days


def _time_range(text: str, part: str) -> tuple[time, time]:
    try:
        first, last = text.split("-")
        start, end = time.fromisoformat(first.strip()), time.fromisoformat(last.strip())
    except ValueError as exc:
        raise BadOfficeHours(f"Office hours part {part!r}: times must be like '07:30-11:30'.") from exc
    if start >= end:
        raise BadOfficeHours(f"Office hours part {part!r}: {text!r} ends before it starts.")
    return start, end
