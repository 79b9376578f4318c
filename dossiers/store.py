"""Writing a source's view of a dossier into the database: the one place history and notifications are made.

Both the CSV/JSON importer and the provincial-system mirror call `apply_record`, so "the same data twice
changes nothing" and "a new status appends history and tells subscribers" hold for every source alike.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from dossiers import notify
from dossiers.domain import DossierRecord, DossierStatus, StatusEntry
from dossiers.models import Dossier, DossierStatusEvent, DossierVerifier
from knowledge.models import utcnow


class Outcome(enum.StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass
class ApplyResult:
    outcome: Outcome
    status_changed: bool = False
    notifications: int = 0
    changed_fields: list[str] = field(default_factory=list)


def as_utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes (stored as UTC); PostgreSQL aware ones: compare both as aware UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def get_dossier(session: Session, code: str) -> Dossier | None:
    return session.scalar(
        select(Dossier).where(Dossier.code == code)
        .options(selectinload(Dossier.history), selectinload(Dossier.verifiers))
    )


def to_record(row: Dossier) -> DossierRecord:
    return DossierRecord(
        code=row.code, procedure_code=row.procedure_code, procedure_name=row.procedure_name, agency=row.agency,
        received_at=as_utc(row.received_at), status=DossierStatus(row.status), due_date=row.due_date,
        history=tuple(StatusEntry(DossierStatus(e.status), as_utc(e.at), e.note) for e in row.history),
        missing_documents=tuple(row.missing_documents or ()), pickup_place=row.pickup_place,
        expected_date=row.expected_date, verifier_digests=frozenset(v.digest for v in row.verifiers),
        source=row.source, synthetic=row.synthetic,
    )


_SCALARS = ("procedure_code", "procedure_name", "agency", "due_date", "pickup_place", "expected_date", "synthetic",
            "source")


def apply_record(session: Session, record: DossierRecord, *, now: Callable[[], datetime] = utcnow) -> ApplyResult:
    """Create or update the dossier of `record`; flushes, never commits (the caller owns the transaction)."""
    row = get_dossier(session, record.code)
    if row is None:
        return _create(session, record, now())
    changed = [name for name in _SCALARS if getattr(row, name) != getattr(record, name)]
    for name in changed:
        setattr(row, name, getattr(record, name))
    if as_utc(row.received_at) != as_utc(record.received_at):
        row.received_at = as_utc(record.received_at)
        changed.append("received_at")
    if list(row.missing_documents or []) != list(record.missing_documents):
        row.missing_documents = list(record.missing_documents)
        changed.append("missing_documents")
    if record.verifier_digests and {v.digest for v in row.verifiers} != set(record.verifier_digests):
        row.verifiers = [DossierVerifier(digest=d) for d in sorted(record.verifier_digests)]
        changed.append("verifiers")

    known = {(e.status, as_utc(e.at)) for e in row.history}
    new_events = [DossierStatusEvent(status=e.status.value, at=as_utc(e.at), note=e.note)
                  for e in record.history if (e.status.value, as_utc(e.at)) not in known]
    status_changed = row.status != record.status.value
    if status_changed and not any(e.status == record.status.value for e in new_events):
        new_events.append(DossierStatusEvent(status=record.status.value, at=now(), note=""))
    if new_events:
        row.history.extend(new_events)
        changed.append("history")
    result = ApplyResult(Outcome.UPDATED if changed or status_changed else Outcome.UNCHANGED,
                         status_changed=status_changed, changed_fields=changed)
    if status_changed:
        row.status = record.status.value
        changed.append("status")
    if changed:
        row.updated_at = now()
    session.flush()
    if status_changed:
        latest = max((e for e in new_events if e.status == row.status), key=lambda e: as_utc(e.at))
        result.notifications = notify.queue_for_event(session, row, latest)
    return result


def _create(session: Session, record: DossierRecord, now: datetime) -> ApplyResult:
    history = list(record.history) or [StatusEntry(record.status, record.received_at)]
    if not any(e.status == record.status for e in history):
        # The source gave no time for the current status: it is recorded as seen now.
        history.append(StatusEntry(record.status, now))
    row = Dossier(
        code=record.code, procedure_code=record.procedure_code, procedure_name=record.procedure_name,
        agency=record.agency, received_at=as_utc(record.received_at), due_date=record.due_date,
        status=record.status.value, missing_documents=list(record.missing_documents),
        pickup_place=record.pickup_place, expected_date=record.expected_date, source=record.source,
        synthetic=record.synthetic, created_at=now, updated_at=now,
        history=[DossierStatusEvent(status=e.status.value, at=as_utc(e.at), note=e.note) for e in history],
        verifiers=[DossierVerifier(digest=d) for d in sorted(record.verifier_digests)],
    )
    session.add(row)
    session.flush()
    return ApplyResult(Outcome.CREATED)
