"""Dossier lookup and subscription for citizens: the code and a verification answer, then the status.

Order of work, chosen so that guessing is useless and cheap to refuse:
1. parse the code and the answer (422 with the expected format; nothing counted, nothing echoed);
2. spend one attempt, in one atomic step, from the caller's budgets (per client address and global, given
   by the route) and, provisionally, from the failure budgets of this code and this sender (429 when any
   is spent, before any work). Counting before the work is what stops parallel guesses: each one takes
   its place in the budget before the next is checked, so they cannot all pass a check made first;
3. fetch the dossier and compare the peppered digest; an unknown code and a wrong answer are the same
   `DossierNotFound`, and the provisional failure stays counted. A match (or a source that did not
   answer) gives the provisional failure back.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from assistant.db import session_scope
from assistant.rate_limit import Budget, Limit, RateLimiter
from dossiers import notify, texts_vi, verification
from dossiers.calendar import VN_TZ, is_overdue, today_vn
from dossiers.codes import normalise_code
from dossiers.domain import DossierRecord
from dossiers.sources import DossierSource, DossierSourceUnavailable
from dossiers.store import apply_record, get_dossier
from knowledge.models import Procedure

logger = logging.getLogger(__name__)


class DossierNotFound(LookupError):
    """No dossier with this code, or the verification answer does not match (deliberately the same)."""


class LookupRateLimited(RuntimeError):
    """Too many failed lookups for this code or sender."""

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"Too many failed dossier lookups; retry in {retry_after_s} s.")
        self.retry_after_s = retry_after_s


@dataclass(frozen=True)
class HistoryItem:
    status: str
    status_label: str
    at: str
    note: str


@dataclass(frozen=True)
class DossierView:
    """The contract's 200 body of `POST /api/dossiers/lookup`."""

    code: str
    procedure_code: str
    procedure_name: str
    agency: str
    status: str
    status_label: str
    received_at: str
    due_date: str | None
    overdue: bool
    expected_date: str | None
    history: list[HistoryItem] = field(default_factory=list)
    missing_documents: list[str] = field(default_factory=list)
    pickup_place: str | None = None
    next_step: str = ""
    text: str = ""


def build_view(record: DossierRecord, *, procedure_name: str, today: date) -> DossierView:
    overdue = is_overdue(record.status.value, record.due_date, today)
    received = record.received_at.astimezone(VN_TZ)
    history = [HistoryItem(e.status.value, texts_vi.status_label(e.status.value),
                           e.at.astimezone(VN_TZ).isoformat(), e.note) for e in record.history]
    text = texts_vi.answer_text(
        code=record.code, procedure_name=procedure_name, agency=record.agency, status=record.status.value,
        received=received.date(), due=record.due_date, overdue=overdue, expected=record.expected_date,
        history=[(e.status.value, e.at.astimezone(VN_TZ).date()) for e in record.history],
        missing=record.missing_documents, pickup_place=record.pickup_place)
    return DossierView(
        code=record.code, procedure_code=record.procedure_code, procedure_name=procedure_name, agency=record.agency,
        status=record.status.value, status_label=texts_vi.status_label(record.status.value),
        received_at=received.isoformat(), due_date=record.due_date.isoformat() if record.due_date else None,
        overdue=overdue, expected_date=record.expected_date.isoformat() if record.expected_date else None,
        history=history, missing_documents=list(record.missing_documents), pickup_place=record.pickup_place,
        next_step=texts_vi.next_step(record.status.value, overdue=overdue), text=text)


class DossierLookup:
    def __init__(self, *, source: DossierSource, factory: sessionmaker[Session], limiter: RateLimiter,
                 pepper: str, max_failures: int = 5, window_s: float = 900,
                 today: Callable[[], date] = today_vn) -> None:
        self._source = source
        self._factory = factory
        self._limiter = limiter
        self._pepper = pepper
        self._limit = Limit(max_failures, window_s)
        self._today = today

    @staticmethod
    def _keys(code: str, sender_id: str) -> tuple[str, str]:
        return f"dossier-fail:code:{code}", f"dossier-fail:sender:{sender_id}"

    async def _verified(self, code_text: str, answer: str, sender_id: str,
                        budgets: Sequence[Budget] = ()) -> DossierRecord:
        code = normalise_code(code_text)  # MalformedDossierCode → 422
        answer4 = verification.clean_answer(answer)  # MalformedVerification → 422
        failure_keys = self._keys(code, sender_id)
        spent = await self._limiter.spend([*budgets, *((key, self._limit) for key in failure_keys)])
        if not spent.allowed:
            logger.info("dossier lookup refused: over a lookup budget (sender %s)", sender_id)
            raise LookupRateLimited(max(1, math.ceil(spent.retry_after_s)))
        try:
            record = await self._source.get(code)
        except DossierSourceUnavailable:
            await self._limiter.give_back(failure_keys, spent.event_id)  # not the caller's failure
            raise
        digests = record.verifier_digests if record is not None else frozenset()
        # The digest is computed even for an unknown code, so both failures cost the same time.
        if not verification.matches(self._pepper, code, answer4, digests) or record is None:
            logger.info("dossier lookup failed for %s (sender %s)", code, sender_id)
            raise DossierNotFound(code)
        await self._limiter.give_back(failure_keys, spent.event_id)
        if self._source.mirrors:
            await run_in_threadpool(self._mirror, record)
        return record

    def _mirror(self, record: DossierRecord) -> None:
        """Keep a copy of an outside dossier, so history, subscriptions and notifications work the same."""
        with session_scope(self._factory) as session:
            apply_record(session, record)

    def _procedure_name(self, record: DossierRecord) -> str:
        if record.procedure_name:
            return record.procedure_name
        with self._factory() as session:
            name = session.scalar(select(Procedure.name).where(Procedure.code == record.procedure_code))
        return name or ""

    async def lookup(self, code_text: str, answer: str, sender_id: str,
                     budgets: Sequence[Budget] = ()) -> DossierView:
        """The dossier's status; `budgets` are the caller's (per address, global), spent with the failures'."""
        record = await self._verified(code_text, answer, sender_id, budgets)
        name = await run_in_threadpool(self._procedure_name, record)
        logger.info("dossier %s shown (sender %s)", record.code, sender_id)
        return build_view(record, procedure_name=name, today=self._today())

    async def subscribe(self, code_text: str, answer: str, sender_id: str, channel: str,
                        budgets: Sequence[Budget] = ()) -> str:
        record = await self._verified(code_text, answer, sender_id, budgets)
        already = await run_in_threadpool(self._subscribe, record.code, sender_id, channel)
        logger.info("dossier %s: subscription (channel %s, sender %s)", record.code, channel, sender_id)
        return texts_vi.subscribed_text(record.code, already=already)

    async def notifications(self, code_text: str, answer: str, sender_id: str,
                            budgets: Sequence[Budget] = ()) -> list[dict[str, object]]:
        """The conversation's queued and sent status-change messages about this dossier, after verification.

        They name the code and its new status: reading them needs the same proof as the status itself.
        """
        record = await self._verified(code_text, answer, sender_id, budgets)
        return await run_in_threadpool(self._notifications, record.code, sender_id)

    def _notifications(self, code: str, sender_id: str) -> list[dict[str, object]]:
        with self._factory() as session:
            return [{"id": n.id, "code": n.code, "channel": n.channel, "text": n.text, "state": n.state,
                     "created_at": n.created_at.isoformat()}
                    for n in notify.for_sender(session, sender_id, code=code)]

    def _subscribe(self, code: str, sender_id: str, channel: str) -> bool:
        with session_scope(self._factory) as session:
            row = get_dossier(session, code)
            if row is None:  # a local dossier deleted between lookup and now
                raise DossierNotFound(code)
            return notify.subscribe(session, row, sender_id=sender_id, channel=channel)
