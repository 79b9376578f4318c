"""The numbers a center's head asks for: how much the assistant is used, how well it answers, how liked.

Counted in Python over one period's rows, so SQLite and PostgreSQL give the same answer and days are the
center's own calendar days (Asia/Ho_Chi_Minh), not UTC ones.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from knowledge.admin.conversation_models import (
    OPEN_THREAD_STATES,
    FeedbackRating,
    HandoverThread,
    QuestionRecord,
)
from knowledge.models import Procedure

TOP_PROCEDURES = 10


@dataclass
class Dashboard:
    days: int
    total: int = 0
    answered: int = 0
    per_day: list[tuple[date, int]] = field(default_factory=list)
    per_channel: list[tuple[str, int]] = field(default_factory=list)
    top_procedures: list[tuple[str, str, int]] = field(default_factory=list)  # code, name, count
    handovers: int = 0
    handovers_waiting: int = 0
    ratings: dict[int, int] = field(default_factory=dict)  # stars → count, 1..5

    @property
    def answered_share(self) -> float:
        """Share of questions answered with confidence (0..1)."""
        return self.answered / self.total if self.total else 0.0

    @property
    def rating_count(self) -> int:
        return sum(self.ratings.values())

    @property
    def average_rating(self) -> float | None:
        count = self.rating_count
        return sum(stars * n for stars, n in self.ratings.items()) / count if count else None

    @property
    def busiest_day(self) -> int:
        return max((n for _, n in self.per_day), default=0)


def build_dashboard(session: Session, *, now: datetime, days: int = 30,
                    timezone: str = "Asia/Ho_Chi_Minh") -> Dashboard:
    """The last `days` local days up to and including today."""
    zone = ZoneInfo(timezone)
    today = now.astimezone(zone).date()
    first_day = today - timedelta(days=days - 1)
    # In UTC: SQLite keeps the UTC wall time of aware datetimes and compares them as text.
    since = datetime.combine(first_day, datetime.min.time(), tzinfo=zone).astimezone(UTC)
    board = Dashboard(days=days)

    rows = session.execute(select(QuestionRecord.created_at, QuestionRecord.channel, QuestionRecord.outcome,
                                  QuestionRecord.procedure_code).where(QuestionRecord.created_at >= since)).all()
    per_day: Counter[date] = Counter()
    per_channel: Counter[str] = Counter()
    procedures: Counter[str] = Counter()
    for created_at, channel, outcome, code in rows:
        per_day[_local(created_at, zone).date()] += 1
        per_channel[channel] += 1
        if outcome == "answered":
            board.answered += 1
        if code:
            procedures[code] += 1
    board.total = len(rows)
    board.per_day = [(first_day + timedelta(days=i), per_day[first_day + timedelta(days=i)]) for i in range(days)]
    board.per_channel = sorted(per_channel.items(), key=lambda item: (-item[1], item[0]))
    top = procedures.most_common(TOP_PROCEDURES)
    names: dict[str, str] = {}
    if top:
        rows_named = session.execute(select(Procedure.code, Procedure.name)
                                     .where(Procedure.code.in_([code for code, _ in top])))
        names = {code: name for code, name in rows_named}
    board.top_procedures = [(code, names.get(code, ""), n) for code, n in top]

    board.handovers = session.scalar(select(func.count()).select_from(HandoverThread)
                                     .where(HandoverThread.created_at >= since)) or 0
    board.handovers_waiting = session.scalar(select(func.count()).select_from(HandoverThread)
                                             .where(HandoverThread.status.in_(OPEN_THREAD_STATES))) or 0
    ratings = session.execute(select(FeedbackRating.rating, func.count()).where(FeedbackRating.created_at >= since)
                              .group_by(FeedbackRating.rating)).all()
    board.ratings = {stars: 0 for stars in range(1, 6)} | {int(stars): int(n) for stars, n in ratings}
    return board


def _local(moment: datetime, zone: ZoneInfo) -> datetime:
    # SQLite hands back naive datetimes for timezone-aware columns; they were written in UTC.
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone)
