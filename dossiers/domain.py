"""What every source of dossiers hands the rest of the package: plain, immutable records.

A record already carries peppered verification digests instead of phone or ID digits, so nothing past
the adapter that read it ever holds the raw answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class DossierStatus(StrEnum):
    RECEIVED = "received"
    IN_PROCESS = "in_process"
    ADDITIONS_REQUESTED = "additions_requested"
    REJECTED = "rejected"
    READY_FOR_PICKUP = "ready_for_pickup"
    RETURNED = "returned"


STATUS_VALUES = frozenset(s.value for s in DossierStatus)


@dataclass(frozen=True)
class StatusEntry:
    status: DossierStatus
    at: datetime
    note: str = ""


@dataclass(frozen=True)
class DossierRecord:
    code: str
    procedure_code: str
    agency: str
    received_at: datetime
    status: DossierStatus
    due_date: date | None = None
    procedure_name: str = ""
    history: tuple[StatusEntry, ...] = ()
    missing_documents: tuple[str, ...] = ()
    pickup_place: str | None = None
    expected_date: date | None = None
    verifier_digests: frozenset[str] = field(default_factory=frozenset, repr=False)
    source: str = "import"
    synthetic: bool = False
