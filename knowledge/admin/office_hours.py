"""When clerks are at their desks, so a citizen asking for a person outside them is told when to expect one.

The hours come from one setting, e.g. ``mon-fri 07:30-11:30,13:30-17:00; sat 07:30-11:30``: day ranges
(``mon``..``sun``), each with one or more time ranges, in the center's own time zone. Public holidays are
not modelled: a citizen asking on a holiday is told "soon" and the question waits in the queue anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class BadOfficeHours(ValueError):
    """The office-hours setting cannot be read."""


@dataclass(frozen=True)
class OfficeHours:
    """Opening periods per weekday (Monday = 0) in one time zone."""

    periods: dict[int, tuple[tuple[time, time], ...]]
    zone: ZoneInfo

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
        return any(start <= local.time() < end for start, end in self.periods.get(local.weekday(), ()))

    def next_opening(self, moment: datetime) -> datetime | None:
        """The start of the next opening period after `moment` (local time), or None if never open."""
        local = moment.astimezone(self.zone)
        for offset in range(8):
            day = (local + timedelta(days=offset)).date()
            for start, _end in self.periods.get(day.weekday(), ()):
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
